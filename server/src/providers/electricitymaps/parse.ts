/** Parsers of Electricity Maps' answers (shared/reference/providers.md §4). The unit is always gCO2eq/kWh. */
import * as z from "zod";
import { ProviderError } from "../errors.js";

const itemSchema = z
  .object({
    zone: z.string().optional(),
    carbonIntensity: z.number().nullable(),
    datetime: z.string(),
    isEstimated: z.boolean().nullable().optional(),
    estimationMethod: z.string().nullable().optional(),
  })
  .loose();
const historySchema = z.object({ zone: z.string(), history: z.array(itemSchema) });
const forecastSchema = z.object({ zone: z.string().optional(), forecast: z.array(z.object({ carbonIntensity: z.number().nullable(), datetime: z.string() }).loose()) });
const errorSchema = z.object({ error: z.string() }).loose();

/** One hour's intensity: the hour's start in epoch seconds, gCO2eq/kWh. */
export interface ElectricityMapsPoint {
  at: number;
  value: number;
  estimated: boolean;
}

export interface ElectricityMapsLatest extends ElectricityMapsPoint {
  zone: string;
}

function bad(message: string): ProviderError {
  return new ProviderError({ provider: "electricity_maps", kind: "bad_response", message: `electricity_maps: ${message}. If this persists, the Electricity Maps API may have changed; please report it.` });
}

function point(item: { carbonIntensity: number | null; datetime: string; isEstimated?: boolean | null | undefined }): ElectricityMapsPoint | undefined {
  const ms = Date.parse(item.datetime);
  if (Number.isNaN(ms)) throw bad(`a datetime is not a date: "${item.datetime.slice(0, 40)}"`);
  // Hours the API has no value for come as null; they are skipped, not zero.
  if (item.carbonIntensity === null) return undefined;
  return { at: Math.round(ms / 1000), value: item.carbonIntensity, estimated: item.isEstimated ?? false };
}

function shapeError(what: string, error: z.ZodError): ProviderError {
  const issue = error.issues[0];
  return bad(`the ${what} answer has an unexpected shape (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"})`);
}

export function parseLatest(body: unknown): ElectricityMapsLatest | undefined {
  const r = itemSchema.safeParse(body);
  if (!r.success) throw shapeError("latest", r.error);
  const p = point(r.data);
  return p && { ...p, zone: r.data.zone ?? "" };
}

export function parseHistory(body: unknown): { zone: string; points: ElectricityMapsPoint[] } {
  const r = historySchema.safeParse(body);
  if (!r.success) throw shapeError("history", r.error);
  return { zone: r.data.zone, points: r.data.history.map(point).filter((p): p is ElectricityMapsPoint => p !== undefined) };
}

export function parseForecast(body: unknown): ElectricityMapsPoint[] {
  const r = forecastSchema.safeParse(body);
  if (!r.success) throw shapeError("forecast", r.error);
  return r.data.forecast.map((f) => point({ ...f, isEstimated: true })).filter((p): p is ElectricityMapsPoint => p !== undefined);
}

/** The `error` text of a `{"error": "…"}` body, if it is one. */
export function errorText(bodyText: string): string | undefined {
  try {
    const r = errorSchema.safeParse(JSON.parse(bodyText));
    return r.success ? r.data.error : undefined;
  } catch {
    return undefined;
  }
}
