/**
 * The one error type every provider throws. The sync layer decides from `kind` and `retryable`
 * what to do next (fail the series, back off, wait for the next check); the message is shown to
 * the user as is, so it says what happened and what they can do, and never carries a secret.
 */
export type ProviderErrorKind =
  | "auth"
  | "stale_token"
  | "forbidden"
  | "not_found"
  | "rate_limited"
  | "server"
  | "network"
  | "timeout"
  | "bad_response"
  | "client"
  /** The service is stopping: the request was abandoned, not refused. */
  | "aborted";

/** Whether a later attempt may succeed without the user changing anything. */
const RETRYABLE_KINDS: Readonly<Record<ProviderErrorKind, boolean>> = {
  auth: false,
  stale_token: true,
  forbidden: false,
  not_found: false,
  rate_limited: true,
  server: true,
  network: true,
  timeout: true,
  bad_response: true,
  client: false,
  aborted: true,
};

export interface ProviderErrorInit {
  provider: string;
  kind: ProviderErrorKind;
  message: string;
  status?: number;
  /** Defaults by kind: true for transient failures (server, network, timeout, rate limit, …). */
  retryable?: boolean;
  /** Removed from the message (and from anything quoted in it) before it is stored. */
  secrets?: readonly (string | undefined)[];
}

export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly provider: string;
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  readonly retryable: boolean;

  constructor(init: ProviderErrorInit) {
    super(redactSecrets(init.message, init.secrets ?? []));
    this.provider = init.provider;
    this.kind = init.kind;
    if (init.status !== undefined) this.status = init.status;
    this.retryable = init.retryable ?? RETRYABLE_KINDS[init.kind];
  }
}

export const REDACTED = "***";

/**
 * Replaces every occurrence of each secret, also in the JSON-escaped and URL-encoded forms it
 * takes when a server echoes a request back, so a quoted response body cannot leak it.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
    try {
      forms.add(encodeURIComponent(secret));
    } catch {
      // A lone surrogate cannot be percent-encoded, so it cannot appear encoded either.
    }
  }
  // Longest first, so a secret that contains another is removed whole.
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (form) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** A short, single-line, redacted quote of a response body for an error message ("" when empty). */
export function bodyExcerpt(text: string, secrets: readonly (string | undefined)[], maxChars = 160): string {
  const oneLine = redactSecrets(text, secrets).replace(/\s+/g, " ").trim();
  return oneLine.length > maxChars ? `${oneLine.slice(0, maxChars)}…` : oneLine;
}
