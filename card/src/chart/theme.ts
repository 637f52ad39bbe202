/** The chart's colours from the card's theme: ApexCharts needs real colour values, not CSS variables. */
import type { ChartTheme } from "./options.js";

/** Text, grid and background colours as the theme sets them on `el` (HA's variables), with light/dark fallbacks. */
export function chartTheme(el: Element, dark: boolean): ChartTheme {
  const style = getComputedStyle(el);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    dark,
    text: read("--primary-text-color", dark ? "#e1e1e1" : "#212121"),
    secondaryText: read("--secondary-text-color", dark ? "#9b9b9b" : "#727272"),
    grid: read("--divider-color", dark ? "rgba(225, 225, 225, 0.12)" : "rgba(0, 0, 0, 0.12)"),
    background: read("--ha-card-background", read("--card-background-color", dark ? "#1c1c1c" : "#ffffff")),
  };
}

/** `var(--x, fallback)` resolved against `el`'s styles; any other colour as it is. */
export function resolvedColor(el: Element, value: string, fallback: string): string {
  const match = /^var\((--[A-Za-z0-9_-]+)(?:,\s*(.+))?\)$/.exec(value);
  if (!match) return value;
  return getComputedStyle(el).getPropertyValue(match[1] as string).trim() || match[2]?.trim() || fallback;
}
