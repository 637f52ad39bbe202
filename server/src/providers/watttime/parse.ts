/**
 * Parsers of WattTime's answers, one per route, over the shapes in shared/reference/providers.md §3.
 * Unknown extra keys are ignored; missing or mistyped ones are `bad_response`s naming the field.
 */
import * as z from "zod";
import { ProviderError } from "../errors.js";
import { lbsPerMwhToGPerKwh } from "./constants.js";

const loginSchema = z.object({ token: z.string().min(1) });
const regionSchema = z.object({ region: z.string().min(1), region_full_name: z.string().optional(), signal_type: z.string().optional() });
const pointSchema = z.object({ point_time: z.string(), value: z.number() });
const seriesSchema = z.object({
  data: z.array(pointSchema),
  meta: z
    .object({
      region: z.string().optional(),
      signal_type: z.string().optional(),
      units: z.string().optional(),
      data_point_period_seconds: z.number().optional(),
    })
    .loose(),
});
const accessSchema = z.object({
  signal_types: z.array(
    z.object({
      signal_type: z.string(),
      regions: z.array(z.object({ region: z.string(), endpoints: z.array(z.object({ endpoint: z.string() }).loose()).optional() }).loose()),
    }),
  ),
});

export { loginSchema as wattTimeLoginSchema, regionSchema as wattTimeRegionSchema, seriesSchema as wattTimeSeriesSchema, accessSchema as wattTimeAccessSchema };

export interface WattTimeRegion {
  region: string;
  fullName: string | null;
}

/** One point of a signal: epoch seconds, and the value in g/kWh (MOER) or percentile (signal-index). */
export interface WattTimePoint {
  at: number;
  value: number;
}

export interface WattTimeSeries {
  unit: "gCO2eq/kWh" | "percentile";
  periodSeconds: number;
  points: WattTimePoint[];
}

/** What the plan allows: for each signal type, the regions and the endpoints in each. */
export type WattTimeAccess = { signalType: string; region: string; endpoints: string[] }[];

function bad(message: string): ProviderError {
  return new ProviderError({ provider: "watttime", kind: "bad_response", message: `watttime: ${message}. If this persists, WattTime's API may have changed; please report it.` });
}

export function parseLogin(body: unknown): string {
  const r = loginSchema.safeParse(body);
  if (!r.success) throw bad("the login answer has no token");
  return r.data.token;
}

export function parseRegion(body: unknown): WattTimeRegion {
  const r = regionSchema.safeParse(body);
  if (!r.success) throw bad("the region-from-loc answer has no region");
  return { region: r.data.region, fullName: r.data.region_full_name ?? null };
}

/** A `data[]`/`meta` answer (historical, forecast, signal-index), MOER converted from lbs/MWh to g/kWh. */
export function parseSeries(body: unknown): WattTimeSeries {
  const r = seriesSchema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw bad(`the data answer has an unexpected shape (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"})`);
  }
  const units = r.data.meta.units ?? "lbs_co2_per_mwh";
  const points: WattTimePoint[] = [];
  for (const p of r.data.data) {
    const ms = Date.parse(p.point_time);
    if (Number.isNaN(ms)) throw bad(`a point_time is not a date: "${p.point_time.slice(0, 40)}"`);
    points.push({ at: Math.round(ms / 1000), value: units === "percentile" ? p.value : lbsPerMwhToGPerKwh(p.value) });
  }
  if (units !== "percentile" && units !== "lbs_co2_per_mwh") throw bad(`unknown units "${units.slice(0, 40)}"`);
  return { unit: units === "percentile" ? "percentile" : "gCO2eq/kWh", periodSeconds: r.data.meta.data_point_period_seconds ?? 300, points };
}

export function parseAccess(body: unknown): WattTimeAccess {
  const r = accessSchema.safeParse(body);
  if (!r.success) throw bad("the my-access answer has an unexpected shape");
  return r.data.signal_types.flatMap((s) =>
    s.regions.map((reg) => ({ signalType: s.signal_type, region: reg.region, endpoints: (reg.endpoints ?? []).map((e) => e.endpoint) })),
  );
}

/** True for WattTime's "Invalid scope" 403 (a plan limit), as opposed to its nginx 403 for a bad or expired token. */
export function isScopeRefusal(bodyText: string): boolean {
  return /invalid scope/i.test(bodyText);
}

/** nginx's own HTML error page, what WattTime answers for a bad login or an expired token. */
export function isHtmlPage(bodyText: string): boolean {
  return /^\s*<(!doctype|html)/i.test(bodyText);
}
