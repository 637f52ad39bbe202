/** What every provider simulator shares: answering in JSON (or a given type) and listening on loopback. */
import type { Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SimAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export function sendAnswer(res: ServerResponse, a: SimAnswer): void {
  res.writeHead(a.status, { "content-type": a.contentType ?? "application/json", ...a.headers });
  res.end(typeof a.body === "string" ? a.body : JSON.stringify(a.body));
}

/** Listens on 127.0.0.1 (port 0 picks a free one) and returns the port; fails if the port is taken. */
export async function listenOnLoopback(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
