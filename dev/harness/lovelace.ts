// The built card inside a real Home Assistant: served from <config>/www as /local/…, registered as a
// Lovelace module resource, and placed on a storage-mode dashboard (ha-api.md §5.3).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { connectWebSocket, type HaSocket, type RunningHa } from "./ha.js";

export interface CardResource {
  /** What the resource points at, with a content hash so a browser never keeps an older build. */
  url: string;
  id: string;
}

async function served(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.ok;
}

/**
 * The `/local/…` path of a file that HA was started with in `<config>/www/` (StartOptions.www), with
 * a content hash so that a browser never keeps an older build. Throws unless HA serves it.
 */
export async function localPath(ha: RunningHa, file: string): Promise<string> {
  const hash = createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 12);
  const path = `/local/${basename(file)}?v=${hash}`;
  if (!(await served(`${ha.url}${path}`))) {
    throw new Error(`Home Assistant ${ha.version} does not serve ${path}: start it with { www: [${JSON.stringify(file)}] }`);
  }
  return path;
}

async function withSocket<T>(ha: RunningHa, use: (socket: HaSocket) => Promise<T>): Promise<T> {
  const socket = await connectWebSocket(ha.wsUrl, ha.token);
  try {
    return await use(socket);
  } finally {
    socket.close();
  }
}

/** `lovelace/resources/create` with `res_type: module` (storage mode, admin). */
export function addModuleResource(ha: RunningHa, url: string): Promise<CardResource> {
  return withSocket(ha, async (socket) => {
    const created = (await socket.call({ type: "lovelace/resources/create", res_type: "module", url })) as { id: string; url: string };
    return { id: created.id, url: created.url };
  });
}

export interface DashboardOptions {
  /** Needs a hyphen (HA's rule for dashboard url paths). */
  urlPath: string;
  title: string;
  icon?: string;
  config: Record<string, unknown>;
}

/** `lovelace/dashboards/create` then `lovelace/config/save`; returns the dashboard's URL. */
export function createDashboard(ha: RunningHa, opts: DashboardOptions): Promise<string> {
  return withSocket(ha, async (socket) => {
    await socket.call({
      type: "lovelace/dashboards/create",
      url_path: opts.urlPath,
      title: opts.title,
      mode: "storage",
      show_in_sidebar: true,
      require_admin: false,
      ...(opts.icon ? { icon: opts.icon } : {}),
    });
    await socket.call({ type: "lovelace/config/save", url_path: opts.urlPath, config: opts.config });
    return `${ha.url}/${opts.urlPath}/0`;
  });
}
