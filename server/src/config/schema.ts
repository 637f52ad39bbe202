/**
 * The configuration schema: one YAML file in snake_case, validated with zod, turned into a typed,
 * fully defaulted camelCase object (`EnergyInsightsConfig`).
 *
 * Every field carries its documentation (`fieldInfo`), from which `describeConfigSchema()` builds the
 * README's configuration reference and, later, the add-on options schema. Secret fields are marked
 * `secret: true`: each also accepts `<name>_file` (a path read at load; see `files.ts`), is never
 * echoed in a problem message, and is masked in logs.
 *
 * Environment variables: see `env.ts` (`EI_` prefix, `__` between levels, list items by index).
 */
import { isIP } from "node:net";
import { DEFAULT_CONTACT_BASE_URL } from "../providers/contact/constants.js";
import { DEFAULT_ELECTRICITY_MAPS_BASE_URL } from "../providers/electricitymaps/constants.js";
import { DEFAULT_ONEMETER_BASE_URL } from "../providers/onemeter/constants.js";
import { DEFAULT_WATTTIME_BASE_URL } from "../providers/watttime/constants.js";
import { IANAZone } from "luxon";
import * as z from "zod";

/** Documentation attached to a schema field; read by `describeConfigSchema()`. */
export interface FieldInfo {
  description: string;
  /** Shown instead of the type derived from the schema (e.g. "duration"). */
  type?: string;
  /** The value may be a password or token: accepts `<name>_file`, never echoed, masked in logs. */
  secret?: boolean;
  /** For fields whose default is computed at load (shown in the reference instead of a value). */
  defaultNote?: string;
}

export const fieldInfo = z.registry<FieldInfo>();

function doc<T extends z.ZodType>(schema: T, info: FieldInfo): T {
  fieldInfo.add(schema as z.ZodType, info);
  return schema;
}

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Used when `SUPERVISOR_TOKEN` is set (running as a Home Assistant add-on) and no token is configured. */
export const SUPERVISOR_URL = "http://supervisor/core";
export const SUPERVISOR_WEBSOCKET_URL = "ws://supervisor/core/websocket";

/**
 * Top-level keys reserved for providers that later issues add (their sections go into `configSchema`
 * next to `contact`). Until then they are refused with "not supported yet", like any unknown key but
 * with a clearer message, so that nobody believes a section is in effect when it is not.
 */
export const RESERVED_SECTIONS = [] as const;

// ---- building blocks ------------------------------------------------------------------------

const text = (what = "text") =>
  z.string({ error: (iss) => (iss.input === undefined ? undefined : `expected ${what}`) }).min(1, "must not be empty");

const secret = () => text("text");

function httpUrl() {
  return z
    .url({ protocol: /^https?$/, error: "expected a URL starting with http:// or https://" })
    .transform((u) => u.replace(/\/+$/, ""));
}

function websocketUrl() {
  return z.url({ protocol: /^wss?$/, error: "expected a URL starting with ws:// or wss://" });
}

function int(min: number, max: number) {
  return z.int({ error: "expected a whole number" }).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
}

const DURATION_UNITS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds from "6h", "30m", "90s", "1h30m", "2d", or a plain number of seconds; undefined if unreadable. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  const s = value.trim().toLowerCase();
  if (/^\d+$/.test(s)) return Number(s);
  const m = DURATION_RE.exec(s);
  if (!m || s === "") return undefined;
  const [, d, h, min, sec] = m;
  return (
    Number(d ?? 0) * DURATION_UNITS.d + Number(h ?? 0) * DURATION_UNITS.h + Number(min ?? 0) * DURATION_UNITS.m + Number(sec ?? 0)
  );
}

export function formatDuration(seconds: number): string {
  let rest = seconds;
  let out = "";
  for (const [unit, size] of Object.entries(DURATION_UNITS)) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || "0s";
}

/** A duration in the file ("6h", "30m", "90s" or seconds); in the parsed config, whole seconds. */
function duration(minSeconds: number, maxSeconds: number) {
  const range = `between ${formatDuration(minSeconds)} and ${formatDuration(maxSeconds)}`;
  return z
    .union([z.number(), z.string()], { error: 'expected a duration such as "6h", "30m", "90s", or a number of seconds' })
    .transform((value, ctx) => {
      const seconds = parseDuration(value);
      if (seconds === undefined) {
        ctx.issues.push({ code: "custom", input: value, message: 'expected a duration such as "6h", "30m", "90s", or a number of seconds' });
        return z.NEVER;
      }
      if (seconds < minSeconds || seconds > maxSeconds) {
        ctx.issues.push({ code: "custom", input: value, message: `must be ${range}` });
        return z.NEVER;
      }
      return seconds;
    });
}

function timeZone() {
  return z.string({ error: "expected an IANA time zone name such as Pacific/Auckland" }).refine((zone) => IANAZone.isValidZone(zone), {
    error: (iss) => `unknown time zone ${JSON.stringify(iss.input)}: expected an IANA time zone name such as Pacific/Auckland`,
  });
}

// ---- sections -------------------------------------------------------------------------------

function websocketUrlFor(httpBase: string): string {
  return `${httpBase.replace(/^http/, "ws")}/api/websocket`;
}

const homeAssistantSchema = z
  .strictObject({
    url: doc(httpUrl().prefault("http://homeassistant.local:8123"), {
      description: "Home Assistant's base URL.",
      defaultNote: `http://homeassistant.local:8123 (as an add-on: ${SUPERVISOR_URL})`,
    }),
    token: doc(secret(), {
      description:
        "A long-lived access token of an HA administrator (HA profile > Security). Not needed as an add-on, where SUPERVISOR_TOKEN is used.",
      secret: true,
    }),
    websocket_url: doc(websocketUrl().optional(), {
      description: "HA's websocket API; only needed when it is not at <url>/api/websocket.",
      defaultNote: `<url>/api/websocket with ws:// or wss:// (as an add-on: ${SUPERVISOR_WEBSOCKET_URL})`,
    }),
  })
  .transform((ha) => ({ ...ha, websocket_url: ha.websocket_url ?? websocketUrlFor(ha.url) }));

const storeSchema = z.strictObject({
  path: doc(text("a file path").prefault("energy-insights.db"), {
    description: "The SQLite cache file (relative paths are relative to the working directory).",
    type: "path",
  }),
});

const syncSchema = z.strictObject({
  check_interval: doc(duration(15 * 60, 7 * 86_400).prefault("6h"), {
    description: "How often the service checks providers for new data. In the parsed config: seconds.",
    type: 'duration ("6h", "30m", "90s" or seconds; 15m..7d)',
  }),
  hourly_days: doc(int(1, 31).prefault(9), { description: "Days of hourly data fetched on the first sync." }),
  daily_days: doc(int(1, 366).prefault(35), { description: "Days of daily totals fetched on the first sync." }),
  monthly_months: doc(int(1, 60).prefault(18), { description: "Months of monthly totals fetched on the first sync." }),
});

const apiSchema = z.strictObject({
  port: doc(int(0, 65_535).prefault(8099), { description: "Port of the backend API (websocket) the card connects to as its backend_url (0 picks a free port)." }),
  host: doc(text("a host name or address").prefault("0.0.0.0"), { description: "Address the backend API listens on (0.0.0.0: every interface; 127.0.0.1: this machine only)." }),
  allowed_remote_addresses: doc(
    z
      .array(z.string({ error: "expected an IP address" }).refine((a) => isIP(a) !== 0, { error: (iss) => `${JSON.stringify(iss.input)} is not an IP address` }), {
        error: "expected a list of IP addresses",
      })
      .min(1, "list at least one address, or leave the setting out to let every address connect")
      .optional(),
    { description: "Only these client IP addresses may connect (others are refused with 403). Default: any address. As an add-on: only the Supervisor's ingress proxy, 172.30.32.2." },
  ),
});

const logSchema = z.strictObject({
  level: doc(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }).prefault("info"), {
    description: "Least severe log level written.",
  }),
});

function dailyFixedCharge() {
  return z.number({ error: "expected an amount per day such as 2.30" }).min(0, "must not be negative").max(1000, "must be at most 1000 (an amount per day)");
}

const contactAccountSchema = z.strictObject({
  username: doc(text(), { description: "The login (e-mail address) of a Contact Energy account." }),
  password: doc(secret(), { description: "Its password.", secret: true }),
  contracts: doc(
    z
      .array(
        z.string({ error: 'expected a contract number as quoted text, e.g. "1350000001"' }).min(1, "must not be empty"),
        { error: "expected a list of contract numbers" },
      )
      .min(1, "list at least one contract, or leave contracts out to use all of them")
      .optional(),
    { description: "Only these contracts of the login (quoted). Default: every contract of the login." },
  ),
  daily_fixed_charge: doc(dailyFixedCharge().optional(), { description: "The fixed daily charge of this login's contracts, when it differs from contact.daily_fixed_charge." }),
});

const contactSchema = z.strictObject({
  base_url: doc(httpUrl().prefault(DEFAULT_CONTACT_BASE_URL), { description: "Contact Energy's API." }),
  api_key: doc(secret().optional(), {
    description: "The x-api-key sent with every request. Default: the public key built into the provider.",
    secret: true,
  }),
  time_zone: doc(timeZone().prefault("Pacific/Auckland"), { description: "Time zone of the account's readings (IANA name)." }),
  currency: doc(
    z
      .string({ error: "expected a currency code such as NZD" })
      .regex(/^[A-Z]{3}$/, "expected a 3-letter ISO 4217 currency code in capitals, such as NZD")
      .prefault("NZD"),
    { description: "Currency of the account's costs (unit of the cost statistics)." },
  ),
  daily_fixed_charge: doc(dailyFixedCharge().prefault(0), {
    description:
      "The plan's fixed daily charge per contract (ICP) in the currency, GST included, as on the bill. Contact's usage answers leave it out; the bill projection (status, card header) adds it for every day of the bill period. 0 leaves it out.",
  }),
  accounts: doc(
    z
      .array(contactAccountSchema, { error: "expected a list of accounts (- username: …, password: …)" })
      .min(1, "list at least one account"),
    { description: "One or more Contact Energy logins." },
  ),
});

const ONEMETER_POLL_INTERVALS = [60, 300, 900];

const oneMeterSchema = z.strictObject({
  base_url: doc(httpUrl().prefault(DEFAULT_ONEMETER_BASE_URL), { description: "OneMeter's cloud API." }),
  api_key: doc(secret(), { description: "The API key from OneMeter's account settings (\"Get API access\"), sent as the Authorization header.", secret: true }),
  devices: doc(
    z
      .array(z.string({ error: "expected a device id (UUID) as text" }).regex(/^[0-9a-fA-F-]{8,64}$/, "expected a device id (UUID) such as 03b38411-d37b-4957-8d5b-641db7bde29a"), {
        error: "expected a list of device ids",
      })
      .min(1, "list at least one device"),
    { description: "The OneMeter devices (UUIDs, as shown in OneMeter's cloud app) to read." },
  ),
  poll_interval: doc(
    duration(60, 900)
      .refine((s) => ONEMETER_POLL_INTERVALS.includes(s), { error: 'must be "1m", "5m" or "15m"' })
      .prefault("15m"),
    {
      description: "How often each device is polled, on the clock's minute marks (never more often than once a minute). In the parsed config: seconds.",
      type: 'duration ("1m", "5m" or "15m")',
    },
  ),
  backfill_days: doc(int(0, 730).prefault(30), { description: "Days of readings fetched on the first poll of a device." }),
  add_to_energy_prefs: doc(z.boolean({ error: "expected true or false" }).prefault(false), {
    description:
      "Add each device's import statistic to the Energy dashboard as grid consumption, and its export as return to grid (changes your Energy settings; your own sources are kept).",
  }),
});

const entityId = (what: string) =>
  z
    .string({ error: `expected ${what} entity id such as sensor.home_power` })
    .regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, `expected ${what} entity id such as sensor.home_power`);

const powerSchema = z.strictObject({
  enabled: doc(z.boolean({ error: "expected true or false" }).prefault(true), {
    description: "Record whole-home power and device state changes from HA and learn each device's power and energy.",
  }),
  whole_home: doc(
    z
      .string({ error: "expected auto, home_assistant or onemeter:<device id>" })
      .regex(/^(auto|home_assistant|onemeter:[0-9a-fA-F-]{8,64})$/, "expected auto, home_assistant or onemeter:<device id> (one of onemeter.devices)")
      .prefault("auto"),
    {
      description:
        "Where whole-home power comes from: auto (HA's whole-home sensor, else the first OneMeter device's live power), home_assistant (HA's sensor only), or onemeter:<device id> (that OneMeter device's live power, polled every onemeter.poll_interval).",
    },
  ),
  whole_home_sensor: doc(entityId("a sensor").optional(), {
    description: "The whole-home power sensor (W or kW). Default: discovered from HA's states (device_class power, names like sensor.total_power, sensor.home_power, sensor.power_*).",
  }),
  circuit_sensors: doc(z.array(entityId("a sensor"), { error: "expected a list of sensor entity ids" }).optional(), {
    description: "Circuit power sensors (W or kW). Default: power sensors named like circuits (circuit, breaker, channel, phase). Recorded, not yet correlated.",
  }),
  entities: doc(z.array(entityId("an"), { error: "expected a list of entity ids" }).prefault([]), {
    description: "Entities to follow besides every switch, light, climate, fan, cover and media_player.",
  }),
  history_days: doc(int(0, 14).prefault(3), {
    description: "Days of HA's recorded history read on the first start, to learn from the past. After a restart or outage the gap is read from history too (up to 14 days).",
  }),
  device_statistics: doc(z.boolean({ error: "expected true or false" }).prefault(true), {
    description: "Import learned device energy as statistics energy_insights:device_<entity>_energy (kWh).",
  }),
  add_devices_to_energy_prefs: doc(z.boolean({ error: "expected true or false" }).prefault(false), {
    description: "Also add those statistics to the Energy dashboard's individual devices (changes your Energy settings; needs an admin token).",
  }),
});

function latitude() {
  return z.number({ error: "expected a latitude in degrees (-90..90)" }).min(-90, "must be at least -90").max(90, "must be at most 90");
}

function longitude() {
  return z.number({ error: "expected a longitude in degrees (-180..180)" }).min(-180, "must be at least -180").max(180, "must be at most 180");
}

const carbonInterval = (what: string) =>
  doc(duration(10 * 60, 12 * 3_600).prefault("1h"), {
    description: `How often ${what} is read, independently of sync.check_interval. In the parsed config: seconds.`,
    type: 'duration ("1h", "30m"; 10m..12h)',
  });

const watttimeSchema = z.strictObject({
  base_url: doc(httpUrl().prefault(DEFAULT_WATTTIME_BASE_URL), { description: "WattTime's API." }),
  username: doc(text(), { description: "Your WattTime API username (registered at api.watttime.org)." }),
  password: doc(secret(), { description: "Its password.", secret: true }),
  region: doc(text("a WattTime region such as CAISO_NORTH").optional(), {
    description: "The WattTime balancing-authority region. Default: looked up from latitude/longitude (or Home Assistant's location) with region-from-loc.",
  }),
  latitude: doc(latitude().optional(), { description: "Location for the region lookup. Default: Home Assistant's (Settings > System > General)." }),
  longitude: doc(longitude().optional(), { description: "Location for the region lookup. Default: Home Assistant's." }),
  check_interval: carbonInterval("WattTime"),
});

const electricityMapsSchema = z.strictObject({
  base_url: doc(httpUrl().prefault(DEFAULT_ELECTRICITY_MAPS_BASE_URL), { description: "Electricity Maps' API (v3)." }),
  token: doc(secret(), { description: "Your Electricity Maps API key (portal.electricitymaps.com), sent as auth-token.", secret: true }),
  zone: doc(text("a zone key such as NZ-NZN").optional(), {
    description: "The zone key (e.g. NZ-NZN, DE). Default: the zone of latitude/longitude (or of Home Assistant's location).",
  }),
  latitude: doc(latitude().optional(), { description: "Location used when no zone is set. Default: Home Assistant's." }),
  longitude: doc(longitude().optional(), { description: "Location used when no zone is set. Default: Home Assistant's." }),
  emission_factor_type: doc(z.enum(["lifecycle", "direct"], { error: "expected lifecycle or direct" }).prefault("lifecycle"), {
    description: "lifecycle (the API's default) or direct emission factors.",
  }),
  check_interval: carbonInterval("Electricity Maps (the free tier keeps only 24 hours, so keep this well under a day)"),
});

/** The whole file. A missing section gets all its defaults; `contact` absent = provider off. */
export const configSchema = z.strictObject({
  home_assistant: doc(homeAssistantSchema.prefault({} as z.input<typeof homeAssistantSchema>), { description: "How the backend reaches Home Assistant." }),
  store: doc(storeSchema.prefault({}), { description: "The local cache." }),
  sync: doc(syncSchema.prefault({}), { description: "When and how far back providers are read." }),
  api: doc(apiSchema.prefault({}), { description: "The backend API the card talks to: a websocket where HA users sign in with their HA access token (sync status and learned devices for everyone, sync/run for HA admins)." }),
  log: doc(logSchema.prefault({}), { description: "How much the backend logs." }),
  contact: doc(contactSchema.optional(), { description: "Contact Energy (New Zealand). Leave out to turn the provider off." }),
  onemeter: doc(oneMeterSchema.optional(), { description: "OneMeter meter readers (Poland): import, export, per-tariff and reactive energy as hourly statistics, and device diagnostics. Leave out to turn it off." }),
  power: doc(powerSchema.prefault({}), { description: "Device energy learned from whole-home power and device state changes." }),
  watttime: doc(watttimeSchema.optional(), { description: "WattTime grid carbon intensity (marginal emissions, or the free percentile signal-index where the plan has no values). Leave out to turn it off." }),
  electricity_maps: doc(electricityMapsSchema.optional(), { description: "Electricity Maps grid carbon intensity. Leave out to turn it off. When both are set, emissions use Electricity Maps." }),
}).superRefine((c, ctx) => {
  const chosen = /^onemeter:(.+)$/.exec(c.power.whole_home)?.[1];
  if (chosen !== undefined && !(c.onemeter?.devices ?? []).includes(chosen)) {
    ctx.addIssue({ code: "custom", path: ["power", "whole_home"], message: "names a OneMeter device that is not in onemeter.devices" });
  }
});

// ---- the parsed config type -----------------------------------------------------------------

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** Snake_case keys of the file become camelCase keys in the parsed object, at every level. */
export type Camelize<T> = T extends readonly (infer U)[]
  ? Camelize<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? CamelCase<K> : K]: Camelize<T[K]> }
    : T;

export type EnergyInsightsConfig = Camelize<z.output<typeof configSchema>>;
export type HomeAssistantConfig = EnergyInsightsConfig["homeAssistant"];
export type StoreConfig = EnergyInsightsConfig["store"];
export type SyncConfig = EnergyInsightsConfig["sync"];
export type ApiConfig = EnergyInsightsConfig["api"];
export type LogConfig = EnergyInsightsConfig["log"];
export type ContactConfig = NonNullable<EnergyInsightsConfig["contact"]>;
export type ContactAccountConfig = ContactConfig["accounts"][number];
export type PowerConfig = EnergyInsightsConfig["power"];
export type OneMeterConfig = NonNullable<EnergyInsightsConfig["onemeter"]>;
export type WattTimeConfig = NonNullable<EnergyInsightsConfig["watttime"]>;
export type ElectricityMapsConfig = NonNullable<EnergyInsightsConfig["electricityMaps"]>;

export function camelize<T>(value: T): Camelize<T> {
  return camelizeValue(value) as Camelize<T>;
}

function camelizeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), camelizeValue(v)]),
    );
  }
  return value;
}
