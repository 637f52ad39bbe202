/**
 * Pure: a device's events → ApexCharts x-axis annotations on the hourly chart.
 *
 * The hourly axis is a category axis without labels (the card draws the day labels), so ApexCharts
 * cannot place an annotation by category; each event is placed in pixels inside the plot area:
 * its bucket's slot plus the fraction of the hour it happened at.
 */
import type ApexCharts from "apexcharts";
import type { Bucket } from "./buckets.js";

export type XAxisAnnotation = NonNullable<NonNullable<ApexCharts.ApexOptions["annotations"]>["xaxis"]>[number];

export interface MarkedEvent {
  /** Epoch ms. */
  time: number;
  /** "on" events are drawn solid, the others dashed. */
  on: boolean;
  label?: string;
}

/** Where `time` falls on an axis of `buckets` drawn `width` px wide, or null outside every bucket. */
export function eventX(buckets: readonly Bucket[], time: number, width: number): number | null {
  if (!buckets.length || width <= 0) return null;
  const slot = width / buckets.length;
  // Buckets are sorted by start; a binary search keeps this cheap for 744 hours.
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = buckets[mid] as Bucket;
    if (time < b.start) hi = mid - 1;
    else if (time >= b.end) lo = mid + 1;
    else return Math.round((mid + (time - b.start) / (b.end - b.start)) * slot * 10) / 10;
  }
  return null;
}

/** How many of `events` fall in one of `buckets` (those are the ones marked); undefined without events. */
export function markedCount(buckets: readonly Bucket[] | undefined, events: readonly { time: string }[] | undefined): number | undefined {
  return events?.filter((e) => buckets !== undefined && eventX(buckets, Date.parse(e.time), 1) !== null).length;
}

export function eventAnnotations(buckets: readonly Bucket[], events: readonly MarkedEvent[], width: number, color: string): XAxisAnnotation[] {
  const out: XAxisAnnotation[] = [];
  for (const e of events) {
    const x = eventX(buckets, e.time, width);
    if (x === null) continue;
    out.push({
      x: `${x}px`,
      borderColor: color,
      strokeDashArray: e.on ? 0 : 3,
      borderWidth: 2,
      ...(e.label ? { label: { text: e.label, borderColor: color, style: { color: "#fff", background: color, fontSize: "10px" } } } : {}),
    });
  }
  return out;
}
