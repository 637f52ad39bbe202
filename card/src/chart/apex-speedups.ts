/**
 * Four places where ApexCharts (4.7.0, pinned) repeats DOM work whose answer it already has or does
 * not use; each is wrapped on its (unexported) prototype, reached through a chart's own instances, once
 * per page. What ApexCharts ends up drawing is unchanged.
 *
 * 1. It measures every x-axis label before it decides which to draw, hidden labels included: it draws
 *    each one as an SVG text, reads its getBBox (a layout each time) and removes it. The hourly view has
 *    one label per hour, all empty but the midnights (the card writes its own day labels), so 9 days
 *    cost 217 layouts. An empty label is now measured once per font and transform, and that answer
 *    reused (the same text in the same font has the same box). The others are drawn in between, so
 *    each measurement lays the chart out again (5 in the daily view, 9 in the monthly one): the first
 *    time one of them is measured, all the axis' labels are drawn as the same hidden texts at once,
 *    read, and removed, so one layout serves them all; the answers are kept for that SVG only (one
 *    render; an update draws a new SVG and measures again). Other texts are measured as before.
 * 2. Without animations, every column it draws "shows the delayed elements" again: it removes a class
 *    from and adds a class to every data-label and shadow group of the chart, 217 times for 9 hourly
 *    days (the DOM re-runs style invalidation for each even when nothing changes). Now an element that
 *    is already shown is left alone.
 * 3. Its SVG library (svg.js) lays out a text's lines again ("rebuild") each time the text is written
 *    and each time its `x` or font size is set: three times for every axis label. Each time it reads
 *    every line's computed font size (a style recalculation, as the text was just changed) although it
 *    only uses it for the lines after the first of a multi-line text. The daily view's 35 axis labels
 *    cost ~100 style recalculations that way, the biggest single cost of its render. A text with no
 *    second line is now left as it is, and its "rebuild" event (one new DOM event each time) is not
 *    sent: it does not bubble, and neither ApexCharts nor svg.js listens to it. Multi-line texts are
 *    laid out (and the event sent) as before.
 * 4. It measures every y-axis label (a layout each) to shorten it with "..." when it is wider than the
 *    axis' `labels.maxWidth` (160 px). A label of n characters in a px font size is at most n × 1.5 em
 *    wide (no glyph of a UI font is wider), so one that short enough is returned as it is without
 *    being measured; longer ones, and sizes not in px, are measured as before.
 */
import type ApexCharts from "apexcharts";

type TextRects = (this: unknown, text: unknown, fontSize?: unknown, fontFamily?: unknown, transform?: unknown, useBBox?: unknown) => { width: number; height: number };

interface SvgElement {
  node: Element;
  attr(name: string, value: string): unknown;
  bbox(): { width: number; height: number };
  remove(): unknown;
}

/** A Graphics instance, as getTextRects sees it. */
interface GraphicsThis {
  w?: { globals?: { labels?: unknown[]; dom?: { Paper?: { add(el: SvgElement): unknown } } } };
  drawText(opts: Record<string, unknown>): SvgElement;
}

interface GraphicsPrototype {
  getTextRects?: TextRects;
  __eiSpedUp?: boolean;
}

interface AnimationsPrototype {
  showDelayedElements?: (this: { w: { globals: { delayedElements: { el: Element }[] } } }) => void;
  __eiSpedUp?: boolean;
}

interface SvgText {
  _rebuild?: boolean;
  each(block: (this: { dom?: { newLined?: boolean } }) => void): unknown;
}

interface TextPrototype {
  rebuild?: (this: SvgText, rebuild?: unknown) => SvgText;
  __eiSpedUp?: boolean;
}

interface MaxWidthArgs {
  text?: unknown;
  maxWidth?: unknown;
  fontSize?: unknown;
}

interface DrawingPrototype {
  drawText?: (this: unknown, ...args: unknown[]) => object;
  getTextBasedOnMaxWidth?: (this: unknown, args: MaxWidthArgs) => unknown;
  __eiMaxWidth?: boolean;
  /** (The prototype is getTextRects' too: its own mark.) */
  __eiDrawText?: boolean;
}

const HIDDEN = "apexcharts-element-hidden";
const SHOWN = "apexcharts-hidden-element-shown";

const isEmpty = (text: unknown) => text === "" || (Array.isArray(text) && text.every((t) => t === ""));

function prototypeOf<T>(chart: ApexCharts, member: string): T | undefined {
  const instance = (chart as unknown as Record<string, unknown>)[member];
  return instance && typeof instance === "object" ? (Object.getPrototypeOf(instance) as T) : undefined;
}

type Rect = { width: number; height: number };

/**
 * Measures `texts` as ApexCharts' getTextRects does one (a hidden text at -200,-200 in the chart's SVG,
 * its bbox, or its client rect when `useBBox` is false), all drawn before the first is read.
 */
function measureTogether(g: GraphicsThis, paper: { add(el: SvgElement): unknown }, texts: string[], fontSize: unknown, fontFamily: unknown, transform: unknown, useBBox: unknown): Rect[] {
  const drawn = texts.map((text) => {
    const el = g.drawText({ x: -200, y: -200, text, textAnchor: "start", fontSize, fontFamily, foreColor: "#fff", opacity: 0 });
    if (transform) el.attr("transform", String(transform));
    paper.add(el);
    return el;
  });
  const rects = drawn.map((el) => {
    const r = useBBox === false ? el.node.getBoundingClientRect() : el.bbox();
    return { width: r.width, height: r.height };
  });
  for (const el of drawn) el.remove();
  return rects;
}

function measureEmptyTextOnce(chart: ApexCharts): void {
  const proto = prototypeOf<GraphicsPrototype>(chart, "graphics");
  const original = proto?.getTextRects;
  if (!proto || !original || proto.__eiSpedUp) return;
  const measured = new Map<string, Rect>();
  /** Per SVG (one render): the axis labels measured together. */
  const perSvg = new WeakMap<object, Map<string, Rect>>();
  proto.getTextRects = function (this: unknown, text, fontSize, fontFamily, transform, useBBox) {
    if (!isEmpty(text)) {
      const g = this as GraphicsThis;
      const labels = g.w?.globals?.labels;
      const paper = g.w?.globals?.dom?.Paper;
      if (typeof text !== "string" || !paper || !Array.isArray(labels) || !labels.includes(text)) return original.call(this, text, fontSize, fontFamily, transform, useBBox);
      const keyOf = (t: string) => JSON.stringify([t, fontSize, fontFamily, transform, useBBox]);
      let known = perSvg.get(paper);
      if (!known) perSvg.set(paper, (known = new Map()));
      const hit = known.get(keyOf(text));
      if (hit) return { ...hit };
      const missing = [...new Set(labels.filter((l): l is string => typeof l === "string" && l !== "" && !known.has(keyOf(l))))];
      const rects = measureTogether(g, paper, missing, fontSize, fontFamily, transform, useBBox);
      missing.forEach((l, i) => known.set(keyOf(l), rects[i] as Rect));
      return { ...(known.get(keyOf(text)) as Rect) };
    }
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

function patchRebuild(proto: TextPrototype): void {
  const original = proto.rebuild;
  if (typeof original !== "function" || proto.__eiSpedUp) return;
  proto.rebuild = function (this: SvgText, rebuild?: unknown) {
    if (typeof rebuild === "boolean") this._rebuild = rebuild;
    if (!this._rebuild) return this;
    let newLined = false;
    this.each(function () {
      if (this.dom?.newLined) newLined = true;
    });
    return newLined ? original.call(this) : this;
  };
  proto.__eiSpedUp = true;
}

/** svg.js's text class is not exported: its prototype is reached through the first text ApexCharts draws. */
function rebuildMultiLineOnly(chart: ApexCharts): void {
  const proto = prototypeOf<DrawingPrototype>(chart, "graphics");
  const original = proto?.drawText;
  if (!proto || typeof original !== "function" || proto.__eiDrawText) return;
  proto.drawText = function (this: unknown, ...args: unknown[]) {
    const text = original.apply(this, args);
    const textProto = Object.getPrototypeOf(text) as TextPrototype;
    if (!textProto.__eiSpedUp) patchRebuild(textProto);
    return text;
  };
  proto.__eiDrawText = true;
}

/** The widest a glyph of a UI font is, in em (a bound: wider text is measured). */
const MAX_GLYPH_EM = 1.5;

/** Whether `text` surely fits `maxWidth` px in `fontSize` (px) without measuring it. */
export function surelyFits(text: unknown, maxWidth: unknown, fontSize: unknown): boolean {
  if (typeof text !== "string" || typeof maxWidth !== "number" || !(maxWidth > 0)) return false;
  const px = typeof fontSize === "number" ? fontSize : typeof fontSize === "string" && /^\d+(\.\d+)?px$/.test(fontSize) ? parseFloat(fontSize) : NaN;
  return px > 0 && [...text].length * px * MAX_GLYPH_EM <= maxWidth;
}

function shortLabelsUnmeasured(chart: ApexCharts): void {
  const proto = prototypeOf<DrawingPrototype>(chart, "graphics");
  const original = proto?.getTextBasedOnMaxWidth;
  if (!proto || typeof original !== "function" || proto.__eiMaxWidth) return;
  proto.getTextBasedOnMaxWidth = function (this: unknown, args: MaxWidthArgs) {
    return surelyFits(args.text, args.maxWidth, args.fontSize) ? args.text : original.call(this, args);
  };
  proto.__eiMaxWidth = true;
}

/** Applies all four, for every chart of the page (call with a new chart before its first render). */
export function applyApexSpeedups(chart: ApexCharts): void {
  measureEmptyTextOnce(chart);
  showDelayedOnce(chart);
  rebuildMultiLineOnly(chart);
  shortLabelsUnmeasured(chart);
}
