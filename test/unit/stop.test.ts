import { test } from "node:test";
import assert from "node:assert/strict";
import { stopWhileRequestsHang } from "../helpers/stop.js";

test("SIGTERM while every provider request hangs: in-flight requests are aborted and the service exits 0", async () => {
  const out = await stopWhileRequestsHang({ signals: ["SIGTERM"] });
  assert.equal(out.signal, null, out.log);
  assert.equal(out.code, 0, out.log);
  assert.match(out.log, /stopping: aborting provider requests in flight/);
  assert.match(out.log, /cut short: the service is stopping/, "the hanging request was aborted, not waited out");
  assert.doesNotMatch(out.log, /did not finish in time/, "the stop needed no deadline: nothing else was running");
  assert.ok(!out.log.includes("stop-password"));
});

test("SIGINT works the same, and a second signal exits at once", async () => {
  const once = await stopWhileRequestsHang({ signals: ["SIGINT"] });
  assert.equal(once.code, 0, once.log);
  const twice = await stopWhileRequestsHang({ signals: ["SIGTERM", "SIGTERM"], gapMs: 0 });
  assert.equal(twice.signal, null, "the second signal is handled, not the default kill");
  assert.equal(twice.code, 0, twice.log);
});
