import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { connectWebSocket, HA_VERSIONS, startHomeAssistant, type RunningHa } from "../../dev/harness/ha.js";

// Integrations the backend, the Energy dashboard and the frontend pages rely on.
const NEEDED_COMPONENTS = ["api", "auth", "config", "energy", "frontend", "history", "lovelace", "onboarding", "person", "recorder", "websocket_api"];

interface CoreConfig {
  time_zone: string;
  currency: string;
  components: string[];
}

async function coreConfig(ha: RunningHa): Promise<{ haVersion: string; config: CoreConfig }> {
  const socket = await connectWebSocket(ha.wsUrl, ha.token);
  try {
    return { haVersion: socket.haVersion, config: (await socket.call({ type: "get_config" })) as CoreConfig };
  } finally {
    socket.close();
  }
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

for (const version of HA_VERSIONS) {
  test(`Home Assistant ${version}: onboarded, configured for Auckland, survives a restart`, { timeout: 600_000 }, async () => {
    const ha = await startHomeAssistant(version);
    try {
      const { haVersion, config } = await coreConfig(ha);
      assert.equal(haVersion, version);
      assert.equal(config.time_zone, "Pacific/Auckland");
      assert.equal(config.currency, "NZD");
      for (const component of NEEDED_COMPONENTS) assert.ok(config.components.includes(component), `${component} loaded`);

      await ha.stop();
      await ha.start();
      assert.equal((await coreConfig(ha)).haVersion, version, "long-lived token still valid after the restart");
    } finally {
      await ha.stop();
    }
    assert.ok(await portIsClosed(ha.port), `port ${ha.port} closed after stop`);
  });
}
