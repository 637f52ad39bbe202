/**
 * The backend's structured logger (pino, one JSON object per line).
 *
 * Two guards keep credentials out of logs, both applied to each finished line just before it is
 * written (so they cover the message, every field, child-logger bindings and serialized errors):
 * - fields whose key is a known secret name (`password`, `token`, `authorization`, …, at any depth,
 *   ignoring case, "-" and "_") are replaced by "***";
 * - every occurrence of a known secret value (`secrets`, e.g. `collectSecrets(config)`), raw or
 *   URL-encoded, is replaced by "***" in every string, so a password inside an error message or a
 *   token inside a URL is masked too. Values shorter than 4 characters are not searched for (masking
 *   them would shred the log); their keys are still redacted.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import type { EnergyInsightsConfig, LogLevel } from "./config/index.js";

export const MASK = "***";

/** Keys whose values are never logged (compared ignoring case, "-" and "_"). */
export const SECRET_KEYS = [
  "password",
  "token",
  "access_token",
  "refresh_token",
  "api_key",
  "x-api-key",
  "authorization",
  "session",
  "cookie",
  "set-cookie",
] as const;

const normalize = (key: string) => key.toLowerCase().replace(/[-_]/g, "");
const SECRET_KEY_SET = new Set<string>(SECRET_KEYS.map(normalize));

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_SET.has(normalize(key));
}

export interface LoggerOptions {
  level: LogLevel;
  /** Values to mask wherever they appear. Read at every write: add to a Set later (a session token after login) and it is masked from then on. */
  secrets?: Iterable<string>;
  /** Default: stdout, written synchronously (nothing lost when the CLI exits). */
  destination?: DestinationStream | NodeJS.WritableStream;
  /** One readable line per record instead of JSON (for a terminal). */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: (line) => clean(line, needles(options.secrets)) },
    },
    options.pretty ? prettyStream(destination) : destination,
  );
}

/** Every secret string in a config (tokens, passwords, API keys), for `createLogger({ secrets })`. */
export function collectSecrets(config: EnergyInsightsConfig): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === "string") {
      if (key !== undefined && isSecretKey(key) && value !== "") found.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  visit(config, undefined);
  return [...found];
}

/** The strings to mask, longest first: each secret as given and as it appears URL-encoded. */
function needles(secrets: Iterable<string> | undefined): string[] {
  const out = new Set<string>();
  for (const secret of secrets ?? []) {
    if (secret.length < 4) continue;
    out.add(secret);
    const encoded = encodeURIComponent(secret);
    out.add(encoded);
    out.add(encoded.replaceAll("%20", "+"));
  }
  return [...out].sort((a, b) => b.length - a.length);
}

function maskText(text: string, masks: readonly string[]): string {
  let out = text;
  for (const m of masks) if (out.includes(m)) out = out.split(m).join(MASK);
  return out;
}

function maskValue(value: unknown, masks: readonly string[]): unknown {
  if (typeof value === "string") return maskText(value, masks);
  if (Array.isArray(value)) return value.map((v) => maskValue(v, masks));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [maskText(k, masks), isSecretKey(k) ? MASK : maskValue(v, masks)]),
    );
  }
  return value;
}

function clean(line: string, masks: readonly string[]): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return maskText(line, masks);
  }
  return `${JSON.stringify(maskValue(record, masks))}\n`;
}

function prettyStream(destination: DestinationStream | NodeJS.WritableStream): DestinationStream {
  return {
    write(line: string) {
      destination.write(pretty(line));
    },
  };
}

/** `2025-01-02T03:04:05.678Z INFO  message {"other":"fields"}` and an error's stack below. */
function pretty(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, pid: _pid, hostname: _hostname, err, ...rest } = record;
  const label = (typeof level === "number" ? pino.levels.labels[level] : undefined) ?? String(level);
  const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
  const stack = err !== null && typeof err === "object" && "stack" in err && typeof err.stack === "string" ? `\n    ${err.stack.replaceAll("\n", "\n    ")}` : "";
  return `${String(time)} ${label.toUpperCase().padEnd(5)} ${typeof msg === "string" ? msg : ""}${fields}${stack}\n`;
}
