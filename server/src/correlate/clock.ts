/**
 * Whether the changes show in the meter's readings where HA's events say: a meter whose clock is off HA's, or an
 * integration that stamps its switchings late, puts each change inside the windows a step is measured in, and every
 * step then misses part of its change the same way. Meter-wide sign tests over the switchings (`offClockOf`,
 * `walkedStepsShort`), one entity's own (`changesShowBefore`), and the moves around a level's switchings that say
 * whether it may be confident (`movesAround`).
 */
import { stepOfLag, type LearnedState } from "./entity-learning.js";
import type { EventLog, EventRecord } from "./event-log.js";
import { isPublishable, isRepresentative, mostlyWithSwitching } from "./learn.js";
import type { EventMeasurement } from "./measure.js";
import { median } from "./robust.js";

/**
 * Whether the meter's clock is off HA's (`OffClock`), by whether the power mostly moved in the switchings' direction
 * (`mostlyWithSwitching`): after their windows after, over the devices' levels that switch cleanly (`isRepresentative`:
 * a heat pump's ramp moves on after its switch-on, whatever the clock); before their windows before, over every
 * switching on and off. The levels learned from a meter whose changes show 10-30 s before the events are too wrong to
 * switch cleanly: over those alone, one of the harder household's variants (household 101, read every 10 s) had no
 * moves left to judge and a third (read every second) 10 of 13 (1.9 standard deviations); over every switching they
 * were 15 to 20 standard deviations ahead at 1 and 10 s, 4.8 to 6.2 at 60 s, and on time, over the thirteen seeds'
 * households at the five sensor kinds, -2.3 to 2.1.
 */
export function offClockOf(log: EventLog, learned: ReadonlyMap<string, ReadonlyMap<string, LearnedState>>): OffClock {
  const after: number[] = [];
  eachCleanLevel(log, learned, (own, state, l) => after.push(...movesAround(own, state, l, true).after));
  const before = log.entities().flatMap((entityId) => movesBefore(log.of(entityId)));
  return { before: mostlyWithSwitching(before), after: mostlyWithSwitching(after) };
}

/**
 * Whether a meter's changes mostly show before HA's events (its clock ahead of HA's: inside the windows before,
 * `before`) or after them (behind: inside the windows after, `after`); then every step misses part of its change
 * the same way, by how much depends on the noise and the step, and the steps' agreement says nothing of it. Behind,
 * the steps are taken from the next lag on (the engine's `learnAll`); ahead, with the window one width before the window before as the
 * level before (`EventMeasurement.earlyLags`). Either way a level is confident only when its own moves
 * (after the first lag, or before its windows) show it missed little (`movedLittle`): a load big beside the noise,
 * whose steps were complete from the first lag. Judged by the moves after its chosen lag instead, a PC in one of
 * the nine reference seeds' households read 8-15 s late (8675310) had its switch-ons and switch-offs from the next
 * lag on agree near its idle level, 79 W for 118 W, and was labelled confident.
 */
export interface OffClock {
  before: boolean;
  after: boolean;
}

/**
 * How far the power moved around each of a state's switchings (on and off), in the switching's direction
 * (up for a switch-on, down for a switch-off): before its window before (`EventMeasurement.movedBeforeW`),
 * and after its window after (the next lag's step less the chosen one's).
 */
export function movesAround(own: readonly EventRecord[], state: string, l: Pick<LearnedState, "onLagIndex" | "offLagIndex">, windowSteps: boolean): { before: number[]; after: number[] } {
  const before: number[] = [];
  const after: number[] = [];
  eachSwitching(own, state, l, (m, i, sign) => {
    const chosenStep = stepOfLag(m.lags[i]!, { windowSteps });
    if (chosenStep === null) return;
    if (m.movedBeforeW !== null && m.movedBeforeW !== undefined) before.push(sign * m.movedBeforeW);
    const next = m.lags[i + 1];
    const nextStep = next ? stepOfLag(next, { windowSteps }) : null;
    if (next && next.reason === null && nextStep !== null) after.push(sign * (nextStep - chosenStep));
  });
  return { before, after };
}

/** Each switch-on and -off with how far the power moved before its window before (`EventMeasurement.movedBeforeW`), in the switching's direction. */
function eachMoveBefore(own: readonly EventRecord[], visit: (m: EventMeasurement, move: number) => void): void {
  for (const r of own) {
    const moved = r.measurement?.movedBeforeW;
    if ((r.kind === "on" || r.kind === "off") && moved !== null && moved !== undefined) visit(r.measurement!, (r.kind === "on" ? 1 : -1) * moved);
  }
}

function movesBefore(own: readonly EventRecord[]): number[] {
  const out: number[] = [];
  eachMoveBefore(own, (_, move) => out.push(move));
  return out;
}

/**
 * Whether one entity's changes show before its events (an integration that polls its devices, among others that report
 * on time): its moves before its windows before (`movesBefore`) are clearly more often in the switching's direction
 * (`mostlyWithSwitching`), and their median is at least `LATE_MOVE_SHARE` of its steps from the window before the usual
 * one (`EventMeasurement.earlyLags`). Eight households with one 12 W light's events 10-30 s late: its moves were 3.3 to
 * 5.5 standard deviations ahead at 1 s, 10 s and on change, their median 0.6-0.9 of its level; on time, no entity was
 * more than 2.6 ahead, but over the thirteen seeds' 3640 entity-sensor pairs a few were by chance (a TV's energy -1.7 ->
 * -4.1 % at 1 s), their median moves at most a tenth of their steps. The single-level power RMS of those eight households
 * went 25.2 -> 4.3 % at 1 s and 25.8 -> 5.0 % on change.
 */
export function changesShowBefore(own: readonly EventRecord[]): boolean {
  const moves: number[] = [];
  const steps: number[] = [];
  eachMoveBefore(own, (m, move) => {
    const early = m.earlyLags?.[0];
    if (!early || early.reason !== null || early.stepW === null) return;
    moves.push(move);
    steps.push(Math.abs(early.stepW));
  });
  return mostlyWithSwitching(moves) && median(moves) >= LATE_MOVE_SHARE * median(steps);
}
const LATE_MOVE_SHARE = 0.25;

/** Each of a state's measured switch-ons and -offs whose step at its chosen lag (`i`) was accepted, with the switching's sign. */
function eachSwitching(own: readonly EventRecord[], state: string, l: Pick<LearnedState, "onLagIndex" | "offLagIndex">, visit: (m: EventMeasurement, i: number, sign: 1 | -1) => void): void {
  for (const r of own) {
    const m = r.measurement;
    if (r.state !== state || (r.kind !== "on" && r.kind !== "off") || !m) continue;
    const i = r.kind === "on" ? l.onLagIndex : l.offLagIndex;
    if (m.lags[i]?.reason === null) visit(m, i, r.kind === "on" ? 1 : -1);
  }
}

/** Each published level that switches cleanly (`isRepresentative`), with its entity's records: what the meter-wide tests look at. */
function eachCleanLevel(log: EventLog, learned: ReadonlyMap<string, ReadonlyMap<string, LearnedState>>, visit: (own: readonly EventRecord[], state: string, l: LearnedState) => void): void {
  for (const entityId of log.entities()) {
    const own = log.of(entityId);
    for (const [state, l] of learned.get(entityId) ?? []) if (isPublishable(l) && isRepresentative(l)) visit(own, state, l);
  }
}

/**
 * Whether the steps from levels walked out from the events (`walkedLevel`) come out short of the windows' medians'
 * more often than not over the meter's cleanly switching levels (`mostlyWithSwitching`): the readings nearest the
 * events hold their own changes (a meter's clock a few seconds off HA's). On time, the two differ by noise and by
 * other loads inside the windows, either way.
 */
export function walkedStepsShort(log: EventLog, learned: ReadonlyMap<string, ReadonlyMap<string, LearnedState>>): boolean {
  const shortBy: number[] = [];
  eachCleanLevel(log, learned, (own, state, l) =>
    eachSwitching(own, state, l, (m, i, sign) => {
      const { stepW, windowStepW } = m.lags[i]!;
      if (stepW !== null && windowStepW !== undefined && windowStepW !== null) shortBy.push(sign * (windowStepW - stepW));
    }),
  );
  return mostlyWithSwitching(shortBy);
}
