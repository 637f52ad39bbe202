/**
 * Reading the client's messages (shape checks with clear errors) and building the server's. Pure:
 * no sockets, so every rule here is tested without a server.
 */
import * as z from "zod";
import type {
  ApiCommand,
  ApiCommandType,
  ApiError,
  ApiErrorCode,
  AuthInvalidCode,
  AuthInvalidMessage,
  ErrorResultMessage,
  EventMessage,
  SuccessResultMessage,
  UpdateEvent,
} from "./protocol.js";

/** Longest access token accepted (HA's JWTs are a few hundred characters). */
export const MAX_TOKEN_LENGTH = 4096;
export const DEFAULT_CORRELATIONS_LIMIT = 200;
export const MAX_CORRELATIONS_LIMIT = 1000;

const id = z.int({ error: "expected a positive integer" }).min(1, "expected a positive integer").max(Number.MAX_SAFE_INTEGER, "too large");

/** Field rules per command (`id` and `type` are checked first, so these only see well-formed envelopes). */
const COMMAND_SCHEMAS = {
  ping: z.strictObject({ id, type: z.literal("ping") }),
  status: z.strictObject({ id, type: z.literal("status") }),
  "correlations/list": z.strictObject({
    id,
    type: z.literal("correlations/list"),
    entity_id: z.string({ error: "expected an entity id such as switch.kettle" }).min(1).max(255).optional(),
    since: z.iso.datetime({ offset: true, error: "expected an ISO 8601 date and time such as 2026-04-10T09:00:00Z" }).optional(),
    limit: z
      .int({ error: `expected an integer from 1 to ${MAX_CORRELATIONS_LIMIT}` })
      .min(1, `expected an integer from 1 to ${MAX_CORRELATIONS_LIMIT}`)
      .max(MAX_CORRELATIONS_LIMIT, `expected an integer from 1 to ${MAX_CORRELATIONS_LIMIT}`)
      .optional(),
  }),
  "devices/list": z.strictObject({ id, type: z.literal("devices/list") }),
  "carbon/forecast": z.strictObject({ id, type: z.literal("carbon/forecast") }),
  "sync/run": z.strictObject({ id, type: z.literal("sync/run") }),
  subscribe_updates: z.strictObject({ id, type: z.literal("subscribe_updates") }),
  unsubscribe: z.strictObject({ id, type: z.literal("unsubscribe"), subscription: id }),
} satisfies { [T in ApiCommandType]: z.ZodType<Extract<ApiCommand, { type: T }>> };

export const COMMAND_TYPES = Object.keys(COMMAND_SCHEMAS) as ApiCommandType[];

/** Commands that change something: HA administrators only. */
export const ADMIN_COMMANDS: ReadonlySet<ApiCommandType> = new Set<ApiCommandType>(["sync/run"]);

export type ParsedCommand = { ok: true; command: ApiCommand } | { ok: false; id: number | null; error: ApiError };

function fail(id: number | null, code: ApiErrorCode, message: string): ParsedCommand {
  return { ok: false, id, error: { code, message } };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The message's id when it is a valid one, for answering errors found later. */
export function readId(value: unknown): number | null {
  if (!isPlainObject(value)) return null;
  const parsed = id.safeParse(value.id);
  return parsed.success ? parsed.data : null;
}

/** Parses JSON text; a failure is described in words. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
}

/**
 * Checks one command after authentication: an object with a fresh integer `id`, a known `type`,
 * and that command's fields (no unknown ones, like HA).
 */
export function parseCommand(value: unknown, lastId: number): ParsedCommand {
  if (!isPlainObject(value)) return fail(null, "invalid_format", "expected a JSON object such as {\"id\": 1, \"type\": \"status\"}");
  if (!("id" in value)) return fail(null, "invalid_format", "id: required, a positive integer larger than every earlier id");
  const messageId = readId(value);
  if (messageId === null) return fail(null, "invalid_format", "id: expected a positive integer");
  if (messageId <= lastId) return fail(messageId, "id_reuse", `id: must be larger than every earlier id of this connection (last was ${lastId})`);
  if (typeof value.type !== "string") return fail(messageId, "invalid_format", "type: required, a command name such as \"status\"");
  const type = value.type;
  if (!Object.hasOwn(COMMAND_SCHEMAS, type)) {
    if (type === "auth") return fail(messageId, "invalid_format", "already authenticated");
    return fail(messageId, "unknown_command", `unknown command "${truncate(type, 64)}"; known: ${COMMAND_TYPES.join(", ")}`);
  }
  const parsed = COMMAND_SCHEMAS[type as ApiCommandType].safeParse(value);
  if (!parsed.success) return fail(messageId, "invalid_format", describeIssues(parsed.error.issues));
  return { ok: true, command: parsed.data };
}

export type ParsedAuth = { ok: true; token: string } | { ok: false; message: string };

/** The first message: `{type: "auth", access_token}`. */
export function parseAuth(value: unknown): ParsedAuth {
  if (!isPlainObject(value) || value.type !== "auth") return { ok: false, message: "the first message must be {\"type\": \"auth\", \"access_token\": \"<your Home Assistant access token>\"}" };
  const token = value.access_token;
  if (typeof token !== "string" || token.length === 0) return { ok: false, message: "access_token: required, the user's Home Assistant access token" };
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, message: `access_token: longer than ${MAX_TOKEN_LENGTH} characters` };
  return { ok: true, token };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// ---- outgoing ----------------------------------------------------------------------------------

export function resultMessage<T>(id: number, result: T): SuccessResultMessage<T> {
  return { id, type: "result", success: true, result };
}

export function errorMessage(id: number | null, code: ApiErrorCode, message: string): ErrorResultMessage {
  return { id, type: "result", success: false, error: { code, message } };
}

export function authInvalidMessage(code: AuthInvalidCode, message: string): AuthInvalidMessage {
  return { type: "auth_invalid", code, message };
}

export function eventMessage(subscription: number, event: UpdateEvent): EventMessage {
  return { id: subscription, type: "event", event };
}
