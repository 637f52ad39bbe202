/**
 * The websocket to Home Assistant offers no per-message compression: the connection stays open for
 * the life of the service, and a negotiated deflate keeps zlib contexts for all of it (issue 19).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { UncompressedWebSocket } from "../../server/src/ha/connection.js";

test("the socket home-assistant-js-websocket opens offers no permessage-deflate to a server that would accept it", async () => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: true });
  await once(wss, "listening");
  try {
    const offered = new Promise<string | undefined>((resolve) => wss.once("connection", (_socket, req) => resolve(req.headers["sec-websocket-extensions"])));
    // As home-assistant-js-websocket calls it: the global WebSocket (ours, where Node has none) with the URL alone.
    const Socket = (globalThis as { WebSocket?: unknown }).WebSocket === UncompressedWebSocket ? UncompressedWebSocket : assert.fail("Node 20 has no WebSocket: the global is ours");
    const ws = new Socket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    await once(ws, "open");
    assert.equal(await offered, undefined, "no extension offered");
    assert.equal(ws.extensions, "", "none negotiated");
    ws.close();
    await once(ws, "close");
  } finally {
    for (const client of wss.clients) client.terminate();
    wss.close();
  }
});
