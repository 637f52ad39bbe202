/**
 * Attribute levels whose own steps cannot be published are charged what their neighbouring levels
 * imply. Hand-made, noise-free readings every second.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { correlate } from "../../server/src/correlate/engine.js";
import type { PowerSample, StateEvent } from "../../server/src/correlate/types.js";

const T0 = Date.UTC(2026, 0, 5);
const HOUR = 3600_000;
const FAN_W: Record<number, number> = { 20: 8, 33: 12, 67: 22, 100: 40 };

test("a fan speed seen once is charged what the speeds around it imply, and counted in the fan's energy", () => {
  // Six 30-minute runs each at 33 % and at 100 %; one at 67 % and one at 20 % (two events each: too few to publish).
  const speeds = [33, 100, 33, 100, 67, 33, 100, 33, 100, 20, 33, 100, 33, 100];
  const events: StateEvent[] = [];
  const loads: { from: number; to: number; w: number }[] = [];
  speeds.forEach((p, i) => {
    const on = T0 + HOUR + i * HOUR;
    events.push({ t: on, entityId: "fan.bedroom", from: "off", to: "on", fromLevel: null, toLevel: `speed ${p} %` }, { t: on + 30 * 60_000, entityId: "fan.bedroom", from: "on", to: "off", fromLevel: `speed ${p} %`, toLevel: null });
    loads.push({ from: on, to: on + 30 * 60_000, w: FAN_W[p]! });
  });
  const until = T0 + (speeds.length + 2) * HOUR;
  const samples: PowerSample[] = [];
  for (let t = T0; t < until; t += 1000) samples.push({ t, w: 150 + loads.reduce((s, l) => s + (t >= l.from && t < l.to ? l.w : 0), 0) });
  const profiles = correlate(samples, events, { now: until }).profiles.filter((p) => p.entityId === "fan.bedroom");
  const at = (level: string) => profiles.find((p) => p.level === level)!;
  assert.ok(Math.abs(at("speed 33 %").powerW! - 12) < 0.5 && Math.abs(at("speed 100 %").powerW! - 40) < 0.5);
  // Between 33 % (12 W) and 100 % (40 W): 12 + 28 × 34 / 67.
  const mid = at("speed 67 %");
  assert.ok(Math.abs(mid.powerW! - (12 + (28 * 34) / 67)) < 0.5, String(mid.powerW));
  assert.equal(mid.status, "estimated");
  assert.ok(mid.energyKwh !== null && mid.published);
  // Below the lowest published speed: in proportion to it, 12 W × 20 / 33.
  assert.ok(Math.abs(at("speed 20 %").powerW! - (12 * 20) / 33) < 0.5, String(at("speed 20 %").powerW));
  const total = profiles.reduce((s, p) => s + (p.energyKwh ?? 0), 0);
  assert.ok(total > (6 * 12 + 6 * 40 + 26) * 0.5 / 1000, `fan energy ${total} kWh`);
});
