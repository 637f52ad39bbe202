import { createHash } from "node:crypto";

/** A short, stable name for a token that reveals nothing of it: for cache keys and logs, never the token itself. */
export function tokenFingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 16);
}
