/** Facts about the OneMeter Cloud API (shared/reference/providers.md §2). */
export const DEFAULT_ONEMETER_BASE_URL = "https://cloud.onemeter.com/api";

/** Rate limits are not published; SaDiablo suggests at most one request a minute. Never poll closer than this. */
export const ONEMETER_MIN_POLL_MS = 60_000;

/** Readings asked for per request (the API allows up to 357120; a week of 15-minute readings is 672). */
export const ONEMETER_PAGE_SIZE = 5_000;
