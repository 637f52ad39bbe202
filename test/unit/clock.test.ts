import { test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { ManualClock, systemClock } from "../../server/src/time/clock.js";

test("a sleep that ends, woken or by its timer, leaves no listener on the signal it was given", async () => {
  const signal = new AbortController().signal;
  const clock = new ManualClock(0);
  for (let i = 0; i < 50; i += 1) {
    const sleeping = clock.sleep(1000, signal);
    clock.advance(1000);
    await sleeping;
  }
  assert.equal(getEventListeners(signal, "abort").length, 0, "ManualClock");
  for (let i = 0; i < 5; i += 1) await systemClock.sleep(1, signal);
  assert.equal(getEventListeners(signal, "abort").length, 0, "systemClock");
});

test("aborting ends every sleep at once, and a later advance does not resolve them twice", async () => {
  const stop = new AbortController();
  const clock = new ManualClock(0);
  const ended: number[] = [];
  const sleeps = [clock.sleep(1000, stop.signal).then(() => ended.push(1)), clock.sleep(5000, stop.signal).then(() => ended.push(2))];
  stop.abort();
  await Promise.all(sleeps);
  clock.advance(10_000);
  assert.deepEqual(ended.sort(), [1, 2]);
  assert.equal(getEventListeners(stop.signal, "abort").length, 0);
});
