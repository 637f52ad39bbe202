/** Facts about Electricity Maps' API v3 (shared/reference/providers.md §4). */
export const DEFAULT_ELECTRICITY_MAPS_BASE_URL = "https://api.electricitymaps.com/v3";
/** The free tier's `carbon-intensity/history` covers the last 24 hours only. */
export const ELECTRICITY_MAPS_HISTORY_HOURS = 24;
