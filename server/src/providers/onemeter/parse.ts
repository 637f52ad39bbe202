/**
 * OneMeter's answers, validated and mapped onto our model. Pure: no I/O, no clock.
 * Only what the statistics and diagnostics need is required; every other field may be missing,
 * null or of another type than the OpenAPI copy says (shared/reference/providers.md §2).
 */
import * as z from "zod";
import { ProviderError, bodyExcerpt } from "../errors.js";
import { isEnergyRegister, normaliseObis, OBIS } from "./obis.js";
import type { OneMeterDevice, OneMeterReading } from "./types.js";

const PROVIDER = "onemeter";

const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const optNum = z
  .unknown()
  .transform((v) => {
    const parsed = num.safeParse(v);
    return parsed.success && Number.isFinite(parsed.data) ? parsed.data : null;
  })
  .optional();
const optText = z
  .unknown()
  .transform((v) => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : null))
  .optional();
const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO date").transform((s) => Date.parse(s));
const obisValues = z.record(z.string(), z.unknown()).transform(cleanValues);

const deviceSchema = z.object({
  _id: z.string().min(1),
  SN: optText,
  MAC: optText,
  info: z.object({ name: optText }).nullish(),
  meteringPoint: z.object({ meterID: optText }).nullish(),
  config: z.object({ multiplier: optNum }).nullish(),
  lastReading: z
    .object({
      date: isoDate,
      OBIS: obisValues.nullish(),
      BATTERY_VOLTAGE: optNum,
      BATTERY_STATUS: optNum,
      BATTERY_PC: optNum,
    })
    .nullish(),
  timezone: z.object({ name: optText }).nullish(),
  hardware: z.object({ version: optText }).nullish(),
  firmware: z.object({ currentVersion: optText }).nullish(),
  disabled: z.boolean().nullish(),
  usage: z.object({ thisMonth: optNum, previousMonth: optNum }).nullish(),
});

const readingsSchema = z.object({
  readings: z.array(z.record(z.string(), z.unknown())),
});

/** `GET /devices/{id}`: the device object (not wrapped). */
export function parseDevice(body: unknown): OneMeterDevice {
  const d = check(deviceSchema, body, "the device");
  const last = d.lastReading;
  const multiplier = d.config?.multiplier;
  return {
    id: d._id,
    name: d.info?.name ?? null,
    serial: d.SN ?? null,
    mac: d.MAC ?? null,
    meterId: d.meteringPoint?.meterID ?? null,
    multiplier: multiplier !== null && multiplier !== undefined && multiplier > 0 ? multiplier : 1,
    disabled: d.disabled ?? false,
    timeZone: d.timezone?.name ?? null,
    firmware: d.firmware?.currentVersion ?? null,
    hardware: d.hardware?.version ?? null,
    lastReading: last ? snapshot(last.date, last.OBIS ?? {}) : null,
    batteryVoltage: last?.BATTERY_VOLTAGE ?? numeric(last?.OBIS?.[OBIS.batteryVoltage]),
    batteryPercent: last?.BATTERY_PC ?? null,
    batteryStatus: last?.BATTERY_STATUS ?? null,
    usageThisMonthKwh: d.usage?.thisMonth ?? null,
    usagePreviousMonthKwh: d.usage?.previousMonth ?? null,
  };
}

/** `GET /devices/{id}/readings`: one flat object per reading (`date` and OBIS keys), oldest first. */
export function parseReadings(body: unknown): OneMeterReading[] {
  const { readings } = check(readingsSchema, body, "the readings");
  const out: OneMeterReading[] = [];
  for (const [i, r] of readings.entries()) {
    const at = typeof r.date === "string" ? Date.parse(r.date) : Number.NaN;
    if (Number.isNaN(at)) throw bad(`reading ${i} has no valid date`, body);
    const { date: _date, ...rest } = r;
    out.push(snapshot(at, cleanValues(rest)));
  }
  return out.sort((a, b) => a.at - b.at);
}

/** A reading's registers (normalised OBIS keys, numbers or text) as a typed snapshot. */
function snapshot(at: number, values: Readonly<Record<string, number | string>>): OneMeterReading {
  const energy: Record<string, number> = {};
  for (const [key, raw] of Object.entries(values)) {
    const value = numeric(raw);
    if (isEnergyRegister(key) && value !== null) energy[key] = value;
  }
  const total = numeric(values[OBIS.power]);
  const imported = numeric(values[OBIS.importPower]);
  const text = (key: string) => (values[key] === undefined ? null : String(values[key]));
  return {
    at,
    energy,
    powerKw: total ?? (imported === null ? null : imported - (numeric(values[OBIS.exportPower]) ?? 0)),
    meterSerial: text(OBIS.meterSerial),
    meterErrors: text(OBIS.meterErrors),
    tariff: typeof values[OBIS.tariffName] === "string" ? (values[OBIS.tariffName] as string) : null,
    failedReadouts: numeric(values[OBIS.readoutsFailed]),
    batteryVoltage: numeric(values[OBIS.batteryVoltage]),
  };
}

/** A register's numeric value (numbers written as strings included), or undefined. */
export function numeric(value: number | string | undefined | null): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return null;
}

function cleanValues(raw: Record<string, unknown>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === "number" && Number.isFinite(value)) out[normaliseObis(key)] = value;
    else if (typeof value === "string") out[normaliseObis(key)] = value;
  }
  return out;
}

function check<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  throw bad(`${what} has an unexpected shape (${field}${issue?.message ?? "invalid"})`, body);
}

function bad(why: string, body: unknown): ProviderError {
  const excerpt = bodyExcerpt(JSON.stringify(body) ?? "", []);
  return new ProviderError({
    provider: PROVIDER,
    kind: "bad_response",
    message: `onemeter: ${why}${excerpt ? `: "${excerpt}"` : ""}. If this persists, OneMeter's API may have changed; please report it.`,
  });
}
