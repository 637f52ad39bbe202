/**
 * Which client addresses may reach the backend API. As an add-on the API sits behind the
 * Supervisor's ingress proxy, which HA's frontend authenticates (ingress session cookie), so only
 * that proxy is let in: a device on the add-on network cannot skip it.
 */
import { isIP } from "node:net";

/** The address the Supervisor's ingress proxy connects to add-ons from. */
export const SUPERVISOR_INGRESS_ADDRESS = "172.30.32.2";

/** One spelling per address: IPv4-mapped IPv6 (`::ffff:172.30.32.2`, from a dual-stack socket) as IPv4, IPv6 lowercase. */
export function normalizeRemoteAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped ? mapped[1]! : lower;
}

export interface RemotePolicy {
  /** True when `remote` (a socket's remoteAddress; undefined once the socket is gone) may connect. */
  allows(remote: string | undefined): boolean;
  /** True the first time `remote` is refused, so each refused address is logged once. */
  firstRefusal(remote: string | undefined): boolean;
}

/** `allowed` undefined: every address may connect. */
export function createRemotePolicy(allowed: readonly string[] | undefined): RemotePolicy {
  if (allowed) {
    const bad = allowed.filter((a) => isIP(normalizeRemoteAddress(a)) === 0);
    if (bad.length > 0) throw new Error(`allowed remote addresses must be IP addresses; not: ${bad.join(", ")}`);
  }
  const set = allowed ? new Set(allowed.map(normalizeRemoteAddress)) : null;
  const refused = new Set<string>();
  return {
    allows: (remote) => set === null || (remote !== undefined && set.has(normalizeRemoteAddress(remote))),
    firstRefusal(remote) {
      const key = remote === undefined ? "?" : normalizeRemoteAddress(remote);
      if (refused.has(key)) return false;
      // Bounded, so a scan from many addresses cannot grow it without end; past that, nothing more is logged.
      if (refused.size >= 1024) return false;
      refused.add(key);
      return true;
    },
  };
}
