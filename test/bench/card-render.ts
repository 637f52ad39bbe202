/**
 * The card's figures, measured in Debian's Chromium with the built bundle (dist/energy-insights-card.js),
 * per view (issue 13): time from the card's append to its chart painted (the card's `energy-insights-rendered`
 * event, sent once the frame with the chart is painted), the websocket calls it made before that paint
 * (with statistic ids in its config, and without: discovery), the part from the statistics answer to
 * the paint, and the bundle's size minified and gzipped (HACS serves a .gz next to the file, so gzip is
 * what travels).
 *
 * The page gets the same fake `hass` as test/browser (answers shaped like HA's), with data for every
 * hour of the range; each run gets a new `hass`, so nothing is cached between runs (a first load of the
 * page). Each case runs a warm-up and then RUNS times; the median is reported.
 *
 * With APEXCHARTS_CARD_BUNDLE set to a hand-built apexcharts-card (built outside this repository; none
 * of its code is here), the same views are drawn by apexcharts-card fed the same recorder answers,
 * alternating with ours, and the ratio is printed (test/bench/peer-card.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import type { Figure } from "./report.js";
import { loadPeerCard, renderPeerOnce, type PeerView } from "./peer-card.js";
import { IDS } from "../browser/helpers/fixture.js";
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
        import { contactFixture, IDS } from "./test/browser/helpers/fixture.ts";
        import { deviceFixture } from "./test/browser/helpers/device-fixture.ts";
        window.__ei = { makeFakeHass, contactFixture, deviceFixture, IDS };`,
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
  /** The card's append → its chart painted. */
  appendMs: number;
  /** Websocket calls the card made before that paint. */
  calls: number;
  /** The statistics answer in hand → painted. */
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
      type W = { __ei: { makeFakeHass(o: object): { calls: unknown[] } }; __stats: unknown; __statsMixed: unknown; __statsDevices: unknown };
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
      const hass = w.__ei.makeFakeHass({ statistics: options.devices ? w.__statsDevices : options.mixed ? w.__statsMixed : w.__stats, timeZone: "Pacific/Auckland", darkMode: options.dark ?? false });
      card.hass = hass;
      type Detail = { ms: number; bars: number; prepareMs: number; apexMs: number; paintMs: number };
      let appendedAt = 0;
      const done = new Promise<{ detail: Detail; appendMs: number; calls: number }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no render within 120 s")), 120_000);
        card.addEventListener(
          "energy-insights-rendered",
          (ev) => {
            clearTimeout(timer);
            resolve({ detail: (ev as CustomEvent<Detail>).detail, appendMs: performance.now() - appendedAt, calls: hass.calls.length });
          },
          { once: true },
        );
      });
      box.appendChild(card);
      appendedAt = performance.now();
      document.body.appendChild(box);
      const { detail, appendMs, calls } = await done;
      const paths = card.shadowRoot?.querySelectorAll(".apexcharts-bar-area, path.apexcharts-area").length ?? 0;
      if (!options.keep) box.remove();
      return { appendMs, calls, ms: detail.ms, bars: detail.bars, paths, prepareMs: detail.prepareMs, apexMs: detail.apexMs, paintMs: detail.paintMs };
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

interface RenderCase {
  name: string;
  config: Record<string, unknown>;
  mixed?: boolean;
  devices?: boolean;
  /** Append → painted, ms (issue 13). */
  target?: number;
  /** apexcharts-card's config for the same view (the ratio is printed when its bundle is given). */
  peer?: PeerView;
}

export async function benchCardRender(): Promise<Figure[]> {
  const bundle = ensureBundle();
  const minKb = Buffer.byteLength(bundle) / 1024;
  const gzipKb = gzipSync(bundle, { level: 9 }).length / 1024;
  const ids = { paid_energy: IDS.paid_energy, free_energy: IDS.free_energy, paid_cost: IDS.paid_cost };
  const cases: RenderCase[] = [
    { name: "hourly, 9 days", config: { ...ids, view: "hourly", hourly_days: 9 }, target: 200, peer: { period: "hour", days: 9 } },
    // Not the backend's usual data (an hour is free or paid); shows what stacked columns cost ApexCharts.
    { name: "hourly, 9 days, every hour part free (stacked)", config: { ...ids, view: "hourly", hourly_days: 9 }, mixed: true },
    { name: "hourly, 31 days", config: { ...ids, view: "hourly", hourly_days: 31 }, target: 900, peer: { period: "hour", days: 31 } },
    // Learned devices: 4 devices + other devices + untracked, stacked.
    { name: "hourly, 9 days, by device", config: { ...ids, view: "hourly", hourly_days: 9, stack: "device" }, devices: true, target: 200 },
    { name: "daily, 35 days", config: { ...ids, view: "daily", daily_days: 35 }, target: 100, peer: { period: "day", days: 35 } },
    { name: "monthly, 18 months", config: { ...ids, view: "monthly", monthly_months: 18 }, target: 50, peer: { period: "month", months: 18 } },
  ];
  const peerBundle = process.env.APEXCHARTS_CARD_BUNDLE;
  const figures: Figure[] = [];
  const card = await openCardPage();
  try {
    if (peerBundle) await loadPeerCard(card.page, peerBundle);
    for (const c of cases) {
      const options = { mixed: c.mixed ?? false, devices: c.devices ?? false };
      await renderOnce(card.page, c.config, options); // warm-up: JIT, fonts
      const peer = peerBundle && c.peer ? c.peer : undefined;
      if (peer) await renderPeerOnce(card.page, peer);
      const samples: RenderSample[] = [];
      const peerMs: number[] = [];
      // Alternating the two cards, so a busy moment of the machine falls on both.
      for (let i = 0; i < RUNS; i += 1) {
        samples.push(await renderOnce(card.page, c.config, options));
        if (peer) peerMs.push((await renderPeerOnce(card.page, peer)).appendMs);
      }
      const first = samples[0]!;
      const figure: Figure = {
        name: `card, ${c.name} (${first.bars} columns, ${first.paths} SVG paths): append → painted, median of ${RUNS}`,
        value: median(samples.map((s) => s.appendMs)),
        unit: "ms",
      };
      if (c.target !== undefined) figure.target = { op: "<=", value: c.target };
      if (peer) figure.baseline = { name: `apexcharts-card from APEXCHARTS_CARD_BUNDLE, same answers, median of ${RUNS}`, value: median(peerMs) };
      figures.push(figure);
      const split = (pick: (s: RenderSample) => number) => Math.round(median(samples.map(pick)));
      figures.push({
        name: `  of which statistics in hand → painted (prepare ${split((s) => s.prepareMs)} + ApexCharts ${split((s) => s.apexMs)} + paint ${split((s) => s.paintMs)} ms)`,
        value: median(samples.map((s) => s.ms)),
        unit: "ms",
      });
      // The by-device view's devices are not in the config: on a first load they are discovered (one list_statistic_ids) first.
      const calls = c.devices ? 2 : 1;
      figures.push({ name: `  websocket calls before the first paint, ids in the config${c.devices ? " (devices discovered)" : ""}`, value: Math.max(...samples.map((s) => s.calls)), unit: "calls", target: { op: "<=", value: calls } });
    }
    // Without ids: the card finds the backend's statistics first (one list_statistic_ids), then the statistics.
    const discovered = await renderOnce(card.page, { view: "hourly", hourly_days: 9 }, {});
    figures.push({ name: "card without ids (discovery), hourly 9 days: websocket calls before the first paint", value: discovered.calls, unit: "calls", target: { op: "<=", value: 2 } });
    figures.push({ name: "card without ids (discovery), hourly 9 days: append → painted", value: discovered.appendMs, unit: "ms" });
  } finally {
    await card.close();
  }
  if (!peerBundle) console.log("(APEXCHARTS_CARD_BUNDLE not set: apexcharts-card not measured, no ratio)");
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
