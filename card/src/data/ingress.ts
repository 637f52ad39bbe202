/**
 * Reaching the backend through the Energy Insights add-on's ingress, as Home Assistant's frontend
 * opens an add-on's web UI (frontend src/data/hassio/ingress.ts, hassio-ingress-view.ts):
 * 1. `supervisor/api` GET `/addons/<slug>/info` → `ingress_url` (`/api/hassio_ingress/<token>/`);
 * 2. `supervisor/api` POST `/ingress/session` → `{session}`, stored as the cookie
 *    `ingress_session=<session>;path=/api/hassio_ingress/;SameSite=Strict` (`;Secure` on https),
 *    which HA's ingress proxy requires on every request, websocket upgrades included;
 * 3. every minute POST `/ingress/validate_session` with `{session}`; when it is refused, a new
 *    session replaces it.
 * Both endpoints are open to non-admin users (HA core hassio/websocket_api.py WS_NO_ADMIN_ENDPOINTS).
 * The socket then goes to `ws(s)://<the page's host><ingress_url>`: the cookie belongs to the page's
 * origin, and the backend accepts any path.
 */
import type { HomeAssistant } from "../ha-types.js";

/** `backend_url` value that means "through the add-on's ingress". */
export const INGRESS_BACKEND = "ingress";

/**
 * The add-on's slug as the Supervisor names it: `<first 8 hex of sha1(repository URL)>_<slug>` for
 * this repository added by its URL (https://github.com/energy-insights/energy-insights), and
 * `local_<slug>` when copied into /addons. A test recomputes the hash from repository.yaml.
 */
export const DEFAULT_ADDON_SLUGS = ["fc6063be_energy_insights", "local_energy_insights"] as const;

export const SESSION_REFRESH_MS = 60_000;

/**
 * The card's resolved backend target for ingress: `ingress` (the default slugs) or
 * `ingress:<slug>` (`backend_addon`). Anything else is a URL, or undefined.
 */
export function ingressTarget(backendAddon?: string): string {
  return backendAddon ? `${INGRESS_BACKEND}:${backendAddon}` : INGRESS_BACKEND;
}

/** The add-on slugs to try for a resolved target; undefined when the target is not ingress. */
export function ingressSlugs(target: string): readonly string[] | undefined {
  if (target === INGRESS_BACKEND) return DEFAULT_ADDON_SLUGS;
  return target.startsWith(`${INGRESS_BACKEND}:`) ? [target.slice(INGRESS_BACKEND.length + 1)] : undefined;
}

export type IngressProblem = "no_supervisor" | "addon_missing" | "no_ingress" | "not_running" | "session_failed";

export class IngressError extends Error {
  constructor(
    readonly problem: IngressProblem,
    message: string,
  ) {
    super(message);
    this.name = "IngressError";
  }
}

type SupervisorHass = Pick<HomeAssistant, "callWS">;

/** The fields of the Supervisor's add-on info the card reads. */
export interface AddonIngressInfo {
  slug: string;
  name?: string;
  version?: string | null;
  state?: string;
  ingress?: boolean;
  ingress_url?: string | null;
  ingress_entry?: string | null;
}

function codeOf(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string" ? (err as { code: string }).code : undefined;
}

function messageOf(err: unknown): string {
  if (typeof err === "object" && err !== null && typeof (err as { message?: unknown }).message === "string") return (err as { message: string }).message;
  return String(err);
}

/** HA Container and HA Core have no `supervisor/api` command at all. */
function noSupervisor(): IngressError {
  return new IngressError("no_supervisor", "ingress needs Home Assistant OS or Supervised; set backend_url to the backend's address (such as ws://192.168.1.20:8099)");
}

export function fetchAddonInfo(hass: SupervisorHass, slug: string): Promise<AddonIngressInfo> {
  return hass.callWS<AddonIngressInfo>({ type: "supervisor/api", endpoint: `/addons/${slug}/info`, method: "get" });
}

/** `document.cookie` value for a session (exactly as HA's frontend sets it). */
export function ingressCookie(session: string, secure: boolean): string {
  return `ingress_session=${session};path=/api/hassio_ingress/;SameSite=Strict${secure ? ";Secure" : ""}`;
}

/** Creates an ingress session and stores its cookie; resolves with the session. */
export async function createIngressSession(hass: SupervisorHass, doc: Pick<Document, "cookie"> = document, loc: Pick<Location, "protocol"> = location): Promise<string> {
  const { session } = await hass.callWS<{ session: string }>({ type: "supervisor/api", endpoint: "/ingress/session", method: "post" });
  doc.cookie = ingressCookie(session, loc.protocol === "https:");
  return session;
}

export async function validateIngressSession(hass: SupervisorHass, session: string): Promise<void> {
  await hass.callWS({ type: "supervisor/api", endpoint: "/ingress/validate_session", method: "post", data: { session } });
}

/** `ws(s)://<host><ingress path>` with a trailing `/`, for the page at `loc`. */
export function ingressSocketUrl(ingressPath: string, loc: Pick<Location, "protocol" | "host"> = location): string {
  const path = ingressPath.endsWith("/") ? ingressPath : `${ingressPath}/`;
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}${path.startsWith("/") ? path : `/${path}`}`;
}

/** The first of `slugs` the Supervisor knows, with ingress running; clear errors otherwise. */
export async function findIngressAddon(hass: SupervisorHass, slugs: readonly string[]): Promise<AddonIngressInfo & { ingressPath: string }> {
  let lastError: unknown;
  for (const slug of slugs) {
    let info: AddonIngressInfo;
    try {
      info = await fetchAddonInfo(hass, slug);
    } catch (err) {
      if (codeOf(err) === "unknown_command") throw noSupervisor();
      lastError = err;
      continue;
    }
    const name = info.name ?? slug;
    if (info.version === null) throw new IngressError("addon_missing", `the ${name} add-on (${slug}) is not installed`);
    const ingressPath = info.ingress_url ?? (info.ingress_entry ? `${info.ingress_entry}/` : null);
    if (!ingressPath) throw new IngressError("no_ingress", `the ${name} add-on (${slug}) has no ingress`);
    if (info.state !== undefined && info.state !== "started") throw new IngressError("not_running", `the ${name} add-on is not running (state: ${info.state}); start it in Settings → Add-ons`);
    return { ...info, slug, ingressPath };
  }
  const tried = slugs.join(", ");
  throw new IngressError(
    "addon_missing",
    `no Energy Insights add-on found (tried ${tried}: ${messageOf(lastError)}); install it, or set backend_addon to its slug (Settings → Add-ons → Energy Insights: the slug is the last part of the page's address)`,
  );
}

export interface IngressLink {
  /** The websocket URL through ingress. */
  readonly url: string;
  readonly slug: string;
  /** The current session (it changes when a refresh finds the old one refused). */
  readonly session: string;
  /** Stops refreshing the session. */
  close(): void;
}

export interface IngressOptions {
  refreshMs?: number;
  doc?: Pick<Document, "cookie">;
  loc?: Pick<Location, "protocol" | "host">;
}

/** Finds the add-on, opens an ingress session and keeps it alive until `close()`. */
export async function openIngress(hass: () => SupervisorHass | undefined, slugs: readonly string[], opts: IngressOptions = {}): Promise<IngressLink> {
  const current = hass();
  if (!current) throw new IngressError("session_failed", "Home Assistant is not connected yet");
  const doc = opts.doc ?? document;
  const loc = opts.loc ?? location;
  // As HA's own ingress view does: the session is asked for alongside the add-on's info.
  const sessionPromise = createIngressSession(current, doc, loc);
  sessionPromise.catch(() => undefined);
  const addon = await findIngressAddon(current, slugs);
  let session: string;
  try {
    session = await sessionPromise;
  } catch (err) {
    throw new IngressError("session_failed", `Home Assistant did not open an ingress session: ${messageOf(err)}`);
  }
  let refreshing = false;
  const timer = setInterval(() => {
    const h = hass();
    if (!h || refreshing) return;
    refreshing = true;
    validateIngressSession(h, session)
      .catch(() => createIngressSession(h, doc, loc).then((fresh) => void (session = fresh)))
      .catch(() => undefined)
      .finally(() => {
        refreshing = false;
      });
  }, opts.refreshMs ?? SESSION_REFRESH_MS);
  return {
    url: ingressSocketUrl(addon.ingressPath, loc),
    slug: addon.slug,
    get session() {
      return session;
    },
    close: () => clearInterval(timer),
  };
}
