/** Home Assistant's CalVer ("2024.3.3", "2025.11.0b2", "2026.8.0.dev0"), compared by year and month. */
export interface HaVersion {
  year: number;
  month: number;
  patch: number;
}

export function parseHaVersion(text: string): HaVersion {
  const m = /^(\d{4})\.(\d{1,2})(?:\.(\d+))?/.exec(text.trim());
  if (!m) throw new Error(`unrecognised Home Assistant version "${text}"`);
  return { year: Number(m[1]), month: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** True when `v` is the release `year.month` or newer. */
export function atLeast(v: HaVersion, year: number, month: number): boolean {
  return v.year > year || (v.year === year && v.month >= month);
}
