/**
 * The card's figures, measured in Debian's Chromium with the built bundle (dist/energy-insights-card.js):
 * time from the statistics answer being in hand to the chart painted (the card's own marks: the
 * `callWS` promise resolved → ApexCharts rendered → two animation frames), per view, and the bundle's
 * size minified and gzipped (HACS serves a .gz next to the file, so gzip is what travels).
 *
 * The page gets the same fake `hass` as test/browser (answers shaped like HA's), with data for every
 * hour of the range. Each case runs a warm-up and then RUNS times; the median is reported.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import type { Figure } from "./report.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../dev/harness/chromium.mjs";

const root = new URL("../..", import.meta.url).pathname;
const bundlePath = join(root, "dist/energy-insights-card.js");
const RUNS = 5;


function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const s = statSync(path);
    newest = Math.max(newest, s.isDirectory() ? newestSource(path) : s.mtimeMs);
  }
  return newest;
}

/** Builds the bundle when it is missing or older than the card's sources. */
export function ensureBundle(): string {
  const stale = !existsSync(bundlePath) || statSync(bundlePath).mtimeMs < newestSource(join(root, "card/src"));
  if (stale) {
    const res = spawnSync(process.execPath, [join(root, "node_modules/rollup/dist/bin/rollup"), "-c"], { cwd: root, stdio: "inherit" });
    if (res.status !== 0) throw new Error("rollup -c failed");
  }
  return readFileSync(bundlePath, "utf8");
}

/** The test helpers (fake hass + fixture) as one script that puts them on `window.__ei`. */
async function helperScript(): Promise<string> {
  const out = await build({
    stdin: {
      contents: `import { makeFakeHass } from "./test/browser/helpers/fake-hass.ts";
        import { contactFixture } from "./test/browser/helpers/fixture.ts";
        import { deviceFixture } from "./test/browser/helpers/device-fixture.ts";
        window.__ei = { makeFakeHass, contactFixture, deviceFixture };`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "iife",
    target: "es2021",
    write: false,
  });
  return out.outputFiles[0]!.text;
}

export interface CardPage {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Chromium with a blank page holding the card bundle and the fake-hass helpers; no network used. */
export async function openCardPage(): Promise<CardPage> {
  const bundle = ensureBundle();
  const helpers = await helperScript();
  const userDataDir = mkdtempSync(join(tmpdir(), "ei-bench-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    userDataDir,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 800, height: 600 });
    await page.setContent("<!doctype html><html><head></head><body></body></html>");
    await page.addScriptTag({ content: helpers });
    await page.addScriptTag({ content: bundle, type: "module" });
    await page.waitForFunction(() => Boolean(customElements.get("energy-insights-card")), { timeout: 30_000 });
    // Data for every hour through 8 Apr 2026 (NZ), hourly rows from 1 Feb: enough for 31 hourly days.
    // A second data set where every hour is partly free: stacked columns, two paths per hour.
    // A third adds six learned devices' energy for the by-device view.
    await page.evaluate(() => {
      const w = window as unknown as {
        __ei: { contactFixture(o: object): unknown[]; deviceFixture(from: number, to: number): unknown[] };
        __stats: unknown[];
        __statsMixed: unknown;
        __statsDevices: unknown;
      };
      w.__stats = w.__ei.contactFixture({ to: [2026, 4, 9], hourlyFrom: [2026, 2, 1] });
      w.__statsMixed = w.__ei.contactFixture({ to: [2026, 4, 9], hourlyFrom: [2026, 2, 1], freeShareEveryHour: 0.25 });
      w.__statsDevices = [...w.__stats, ...w.__ei.deviceFixture(Date.parse("2026-02-01T00:00:00Z"), Date.parse("2026-04-08T12:00:00Z"))];
    });
    return {
      browser,
      page,
      async close() {
        await browser.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
}

export interface RenderSample {
  ms: number;
  /** Buckets (columns) and the SVG paths ApexCharts drew for them (one per column and series; one per series for an area). */
  bars: number;
  paths: number;
  prepareMs: number;
  apexMs: number;
  paintMs: number;
}

/** Mounts the card once with `config` and returns the card's own data-ready → painted time. */
export async function renderOnce(
  page: Page,
  config: Record<string, unknown>,
  options: { dark?: boolean; keep?: boolean; mixed?: boolean; devices?: boolean } = {},
): Promise<RenderSample> {
  return page.evaluate(
    async (config, options) => {
      type W = { __ei: { makeFakeHass(o: object): unknown }; __stats: unknown; __statsMixed: unknown; __statsDevices: unknown };
      const w = window as unknown as W;
      document.body.replaceChildren();
      const box = document.createElement("div");
      box.style.width = "760px";
      const card = document.createElement("energy-insights-card") as HTMLElement & {
        setConfig(c: object): void;
        hass: unknown;
        clock: () => number;
      };
      card.clock = () => Date.parse("2026-04-07T22:00:00Z"); // Wed 8 Apr 2026, 10:00 NZST
      card.setConfig({ type: "custom:energy-insights-card", ...config });
      card.hass = w.__ei.makeFakeHass({ statistics: options.devices ? w.__statsDevices : options.mixed ? w.__statsMixed : w.__stats, timeZone: "Pacific/Auckland", darkMode: options.dark ?? false });
      type Detail = { ms: number; bars: number; prepareMs: number; apexMs: number; paintMs: number };
      const done = new Promise<Detail>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no render within 120 s")), 120_000);
        card.addEventListener(
          "energy-insights-rendered",
          (ev) => {
            clearTimeout(timer);
            resolve((ev as CustomEvent<Detail>).detail);
          },
          { once: true },
        );
      });
      box.appendChild(card);
      document.body.appendChild(box);
      const detail = await done;
      const paths = card.shadowRoot?.querySelectorAll(".apexcharts-bar-area, path.apexcharts-area").length ?? 0;
      if (!options.keep) box.remove();
      return { ms: detail.ms, bars: detail.bars, paths, prepareMs: detail.prepareMs, apexMs: detail.apexMs, paintMs: detail.paintMs };
    },
    config,
    options,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function benchCardRender(): Promise<Figure[]> {
  const bundle = ensureBundle();
  const minKb = Buffer.byteLength(bundle) / 1024;
  const gzipKb = gzipSync(bundle, { level: 9 }).length / 1024;
  const cases: { name: string; config: Record<string, unknown>; mixed?: boolean; devices?: boolean; target?: number; baseline?: Figure["baseline"] }[] = [
    { name: "hourly, 9 days", config: { view: "hourly", hourly_days: 9 }, target: 200 },
    // Not the backend's usual data (an hour is free or paid); shows what stacked columns cost ApexCharts.
    { name: "hourly, 9 days, every hour part free (stacked)", config: { view: "hourly", hourly_days: 9 }, mixed: true },
    {
      name: "hourly, 31 days",
      config: { view: "hourly", hourly_days: 31 },
      baseline: { name: "ApexCharts 5.3.3 stacked 2×744 first render, reference/card-anchors.md §7", value: 979 },
    },
    // Learned devices: 4 devices + other devices + untracked, stacked.
    { name: "hourly, 9 days, by device", config: { view: "hourly", hourly_days: 9, stack: "device" }, devices: true, target: 200 },
    { name: "daily, 35 days", config: { view: "daily", daily_days: 35 }, target: 100 },
    { name: "monthly, 18 months", config: { view: "monthly", monthly_months: 18 }, target: 50 },
  ];
  const figures: Figure[] = [];
  const card = await openCardPage();
  try {
    for (const c of cases) {
      const options = { mixed: c.mixed ?? false, devices: c.devices ?? false };
      await renderOnce(card.page, c.config, options); // warm-up: JIT, fonts
      const samples: RenderSample[] = [];
      for (let i = 0; i < RUNS; i += 1) samples.push(await renderOnce(card.page, c.config, options));
      const figure: Figure = {
        name: `card render, ${c.name} (${samples[0]!.bars} columns, ${samples[0]!.paths} SVG paths), data ready → painted, median of ${RUNS}`,
        value: median(samples.map((s) => s.ms)),
        unit: "ms",
      };
      if (c.target !== undefined) figure.target = { op: "<=", value: c.target };
      if (c.baseline) figure.baseline = c.baseline;
      figures.push(figure);
    }
  } finally {
    await card.close();
  }
  figures.push({ name: "card bundle, minified", value: minKb, unit: "KB" });
  figures.push({
    name: "card bundle, gzip -9",
    value: gzipKb,
    unit: "KB",
    target: { op: "<=", value: 200 },
    baseline: { name: "apexcharts-card 2.2.3 as shipped, reference/card-anchors.md §1", value: 278.9 },
  });
  return figures;
}
