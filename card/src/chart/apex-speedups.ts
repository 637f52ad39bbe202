/**
 * Two places where ApexCharts (4.7.0, pinned) repeats DOM work whose answer it already has; each is
 * wrapped on its (unexported) prototype, reached through a chart's own instances, once per page. What
 * ApexCharts ends up drawing is unchanged.
 *
 * 1. It measures every x-axis label before it decides which to draw, hidden labels included: it draws
 *    each one as an SVG text, reads its getBBox (a layout each time) and removes it. The hourly view has
 *    one label per hour, all empty but the midnights (the card writes its own day labels), so 9 days
 *    cost 217 layouts. An empty label is now measured once per font and transform, and that answer
 *    reused (the same text in the same font has the same box); any other text is measured as before.
 * 2. Without animations, every column it draws "shows the delayed elements" again: it removes a class
 *    from and adds a class to every data-label and shadow group of the chart, 217 times for 9 hourly
 *    days (the DOM re-runs style invalidation for each even when nothing changes). Now an element that
 *    is already shown is left alone.
 */
import type ApexCharts from "apexcharts";

type TextRects = (this: unknown, text: unknown, fontSize?: unknown, fontFamily?: unknown, transform?: unknown, useBBox?: unknown) => { width: number; height: number };

interface GraphicsPrototype {
  getTextRects?: TextRects;
  __eiSpedUp?: boolean;
}

interface AnimationsPrototype {
  showDelayedElements?: (this: { w: { globals: { delayedElements: { el: Element }[] } } }) => void;
  __eiSpedUp?: boolean;
}

const HIDDEN = "apexcharts-element-hidden";
const SHOWN = "apexcharts-hidden-element-shown";

const isEmpty = (text: unknown) => text === "" || (Array.isArray(text) && text.every((t) => t === ""));

function prototypeOf<T>(chart: ApexCharts, member: string): T | undefined {
  const instance = (chart as unknown as Record<string, unknown>)[member];
  return instance && typeof instance === "object" ? (Object.getPrototypeOf(instance) as T) : undefined;
}

function measureEmptyTextOnce(chart: ApexCharts): void {
  const proto = prototypeOf<GraphicsPrototype>(chart, "graphics");
  const original = proto?.getTextRects;
  if (!proto || !original || proto.__eiSpedUp) return;
  const measured = new Map<string, { width: number; height: number }>();
  proto.getTextRects = function (this: unknown, text, fontSize, fontFamily, transform, useBBox) {
    if (!isEmpty(text)) return original.call(this, text, fontSize, fontFamily, transform, useBBox);
    const key = JSON.stringify([text, fontSize, fontFamily, transform, useBBox]);
    let rect = measured.get(key);
    if (!rect) {
      rect = original.call(this, text, fontSize, fontFamily, transform, useBBox);
      measured.set(key, rect);
    }
    return { ...rect };
  };
  proto.__eiSpedUp = true;
}

function showDelayedOnce(chart: ApexCharts): void {
  const proto = prototypeOf<AnimationsPrototype>(chart, "animations");
  if (!proto || typeof proto.showDelayedElements !== "function" || proto.__eiSpedUp) return;
  proto.showDelayedElements = function () {
    for (const { el } of this.w.globals.delayedElements) {
      if (el.classList.contains(HIDDEN)) el.classList.remove(HIDDEN);
      if (!el.classList.contains(SHOWN)) el.classList.add(SHOWN);
    }
  };
  proto.__eiSpedUp = true;
}

/** Applies both, for every chart of the page (call with a new chart before its first render). */
export function applyApexSpeedups(chart: ApexCharts): void {
  measureEmptyTextOnce(chart);
  showDelayedOnce(chart);
}
