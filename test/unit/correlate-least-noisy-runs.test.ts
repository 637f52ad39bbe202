/**
 * Which runs measure a device when fewer than three are clear of the uncertain devices around them
 * (`attributeEntity` in attribution.ts): the three least noisy, by both parts of a run's own noise, the
 * uncertainty of the devices around it and how far its baselines before and after disagree.
 * Hand-made, noise-free series.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { correlate } from "../../server/src/correlate/engine.js";
import type { StateEvent } from "../../server/src/correlate/types.js";
import { DAY, HOUR, MINUTE, SECOND, T0, readings, type Load } from "../helpers/power-series.js";

const onOff = (entityId: string, from: number, to: number): StateEvent[] => [
  { t: from, entityId, from: "off", to: "on" },
  { t: to, entityId, from: "on", to: "off" },
];

test("a washer on quiet edges is measured by its runs with the least noise, not by the ones with the least uncertain company", () => {
  // Five days, a washer from 10:00 to 11:30 each: 15 W filling for 4 minutes, its 2 kW heater for 15, its motor at
  // 400 W for 60, a quiet 10 W for the last 11 (902.8 Wh a run, 602 W while on; its edges say 10-15 W).
  // - Days 1-2: an untracked 700 W load from 08:30 to 09:58, in the washer's baseline window before: those runs are
  //   clear of any tracked device (uncertain by 0 W) but their baselines disagree by about 700 W.
  // - Days 3-5: a heater from 07:30 to 13:30 at 850, 1000 and 1150 W (its steps spread by about 220 W): those runs are
  //   uncertain by that, over the 60 W allowed, and their baselines agree.
  // No run is clear of both, so the least uncertain three measure the washer. Chosen by the uncertainty around them
  // alone, they are days 1-2 (residuals about +250 W, the 700 W in their first baseline taken for the washer's
  // baseline) and one heater day; the noise of those runs (median 700 W) hides the washer's heater, and it was charged
  // its 15 W edges (-97 %). Chosen by their whole noise, days 3-5 (+450 to +750 W beside 220 W) show it: while-on.
  const days = 5;
  const loads: Load[] = [];
  const events: StateEvent[] = [];
  for (let d = 0; d < days; d += 1) {
    const s = T0 + d * DAY + 10 * HOUR;
    events.push(...onOff("switch.washing_machine", s, s + 90 * MINUTE));
    loads.push(
      { from: s, to: s + 4 * MINUTE, w: 15 },
      { from: s + 4 * MINUTE, to: s + 19 * MINUTE, w: 2000 },
      { from: s + 19 * MINUTE, to: s + 79 * MINUTE, w: 400 },
      { from: s + 79 * MINUTE, to: s + 90 * MINUTE, w: 10 },
    );
    if (d < 2) loads.push({ from: s - 90 * MINUTE, to: s - 2 * MINUTE, w: 700 });
    else {
      const on = T0 + d * DAY + 7.5 * HOUR;
      events.push(...onOff("switch.heater", on, on + 6 * HOUR));
      loads.push({ from: on, to: on + 6 * HOUR, w: [850, 1000, 1150][d - 2]! });
    }
  }
  events.sort((a, b) => a.t - b.t);
  const until = T0 + days * DAY;
  const { profiles } = correlate(readings(loads, until, 10 * SECOND), events, { now: until });
  const washer = profiles.find((p) => p.entityId === "switch.washing_machine")!;
  const trueKwh = (days * (15 * 4 + 2000 * 15 + 400 * 60 + 10 * 11)) / 60 / 1000;
  assert.equal(washer.energyFrom, "while-on", `washer on its ${washer.stepW} W steps`);
  assert.ok(Math.abs(washer.energyKwh! - trueKwh) < 0.1 * trueKwh, `washer ${washer.energyKwh} kWh, true ${trueKwh.toFixed(2)}`);
});
