/**
 * Pure: axis and tooltip labels for buckets, read in the zone whose midnights cut them
 * (the display zone for hours, the server's zone for days and months).
 */
import type { View } from "../const.js";
import type { Formatters } from "../common/format.js";
import { zonedParts } from "../common/time.js";
import type { Bucket } from "./buckets.js";

export interface BucketLabels {
  /** One per bucket; empty where the axis shows no label (hours other than midnight). */
  axis: string[];
  /** One per bucket: the whole period, e.g. "Sun 5 Apr, 02:00–03:00". */
  tooltip: string[];
}

export function bucketLabels(buckets: Bucket[], view: View, timeZone: string, fmt: Formatters): BucketLabels {
  const axis: string[] = [];
  const tooltip: string[] = [];
  for (const b of buckets) {
    if (view === "hourly") {
      const startsDay = zonedParts(b.start, timeZone).hour === 0;
      axis.push(startsDay ? fmt.date(b.start, timeZone, { weekday: "short", day: "numeric" }) : "");
      const day = fmt.date(b.start, timeZone, { weekday: "short", day: "numeric", month: "short" });
      const from = fmt.date(b.start, timeZone, { hour: "2-digit", minute: "2-digit" });
      const to = fmt.date(b.end, timeZone, { hour: "2-digit", minute: "2-digit" });
      tooltip.push(`${day}, ${from}–${to}`);
    } else if (view === "daily") {
      axis.push(fmt.date(b.start, timeZone, { day: "numeric", month: "short" }));
      tooltip.push(fmt.date(b.start, timeZone, { weekday: "long", day: "numeric", month: "long", year: "numeric" }));
    } else {
      axis.push(fmt.date(b.start, timeZone, { month: "short", year: "2-digit" }));
      tooltip.push(fmt.date(b.start, timeZone, { month: "long", year: "numeric" }));
    }
  }
  return { axis, tooltip };
}

/** "30 Mar – 7 Apr 2026" for the header; `end` is exclusive, so the last day shown is the one before it. */
export function rangeLabel(start: number, endExclusive: number, view: View, timeZone: string, fmt: Formatters): string {
  const last = endExclusive - 1;
  if (view === "monthly") {
    const opts: Intl.DateTimeFormatOptions = { month: "short", year: "numeric" };
    return `${fmt.date(start, timeZone, opts)} – ${fmt.date(last, timeZone, opts)}`;
  }
  const sameYear = zonedParts(start, timeZone).year === zonedParts(last, timeZone).year;
  const first = fmt.date(start, timeZone, sameYear ? { day: "numeric", month: "short" } : { day: "numeric", month: "short", year: "numeric" });
  return `${first} – ${fmt.date(last, timeZone, { day: "numeric", month: "short", year: "numeric" })}`;
}
