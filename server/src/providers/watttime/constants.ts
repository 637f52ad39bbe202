/** Facts about WattTime's API v3 (shared/reference/providers.md §3). */
export const DEFAULT_WATTTIME_BASE_URL = "https://api.watttime.org";

/** A token lasts 30 minutes (the official SDK stores now + 30 min). */
export const WATTTIME_TOKEN_LIFETIME_MS = 30 * 60_000;
/** Log in again this long before the token's end, so no request ever carries an expired token. */
export const WATTTIME_REFRESH_AHEAD_MS = 5 * 60_000;
/** `/login` allows 100 calls per rolling 5 minutes per user. */
export const WATTTIME_LOGIN_LIMIT = { count: 100, windowMs: 5 * 60_000 } as const;
/** The server's probable maximum range of `/v3/historical` is ~32 days; the SDK asks for 30. */
export const WATTTIME_HISTORICAL_MAX_DAYS = 30;

/** MOER comes in lbs CO2 per MWh: 1 lb = 453.592 g, 1 MWh = 1000 kWh, so × 0.453592 gives g/kWh. */
export const LBS_PER_MWH_TO_G_PER_KWH = 0.453592;

export function lbsPerMwhToGPerKwh(lbsPerMwh: number): number {
  return Math.round(lbsPerMwh * LBS_PER_MWH_TO_G_PER_KWH * 1e6) / 1e6;
}
