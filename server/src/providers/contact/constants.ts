/** Facts about Contact Energy's customer API (shared/reference/providers.md §1). */
export const DEFAULT_CONTACT_BASE_URL = "https://api.contact-digital-prod.net";

/**
 * The public x-api-key of the myaccount.contact.co.nz web app, as used by the maintained
 * open-source clients (tkhadimullin/contact-energy-nz `consts.py`, iamawumpas/Contact-Energy
 * `const.py`). It identifies the app, not the user, and Contact has rotated it before, so it
 * is configurable.
 */
export const DEFAULT_CONTACT_API_KEY = "kbIthASA7e1M3NmpMdGrn2Yqe0yHcCjL4QNPSUij";

export const CONTACT_TIME_ZONE = "Pacific/Auckland";
export const CONTACT_CURRENCY = "NZD";

/** The API answers 502 beyond these (observed, not documented). */
export const CONTACT_LIMITS = { hourlyDaysPerRequest: 1, dailyDaysPerRequest: 90 } as const;
