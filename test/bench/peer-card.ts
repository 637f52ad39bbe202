/**
 * apexcharts-card (the card HA users pick today) drawing the same views from the same recorder
 * answers, for the ratio in card-render.ts. Its bundle is not in this repository and nothing here
 * builds it: give a hand-built `apexcharts-card.js` (v2.2.3) by APEXCHARTS_CARD_BUNDLE.
 *
 * It is configured as its README shows for statistics: one column series per statistic (free, paid),
 * stacked, `statistics: {type: change, period}`; its `now` is the real clock, so its span is moved
 * back (`span.offset`) onto the fixture's days. Painted = its columns are in its shadow root and the
 * next frame is painted (it sends no event of its own).
 */
import { readFileSync } from "node:fs";
import type { Page } from "puppeteer-core";

export interface PeerView {
  period: "hour" | "day" | "month";
  days?: number;
  months?: number;
}

/** The bench's "now": Wed 8 Apr 2026, 10:00 NZST (card-render.ts gives the card the same). */
const NOW = Date.parse("2026-04-07T22:00:00Z");

export async function loadPeerCard(page: Page, bundlePath: string): Promise<void> {
  // tsx names the functions of the page code below with esbuild's `__name` helper, which the page lacks.
  await page.addScriptTag({ content: "globalThis.__name = (f) => f;" });
  await page.addScriptTag({ content: readFileSync(bundlePath, "utf8"), type: "module" });
  await page.waitForFunction(() => Boolean(customElements.get("apexcharts-card")), { timeout: 30_000 });
}

export async function renderPeerOnce(page: Page, view: PeerView): Promise<{ appendMs: number; calls: number; bars: number }> {
  return page.evaluate(
    async (view, now) => {
      type Fake = { calls: unknown[]; states?: Record<string, unknown> };
      const w = window as unknown as { __ei: { makeFakeHass(o: object): Fake; IDS: Record<string, string> }; __stats: unknown };
      const ids = w.__ei.IDS;
      document.body.replaceChildren();
      const box = document.createElement("div");
      box.style.width = "760px";
      const card = document.createElement("apexcharts-card") as HTMLElement & { setConfig(c: object): void; hass: unknown };
      const days = Math.floor((Date.now() - now) / 86_400_000);
      const span = view.period === "month" ? `${view.months}month` : `${view.days}d`;
      const series = [ids.free_energy, ids.paid_energy].map((entity) => ({
        entity,
        type: "column",
        statistics: { type: "change", period: view.period, align: "start" },
      }));
      card.setConfig({
        type: "custom:apexcharts-card",
        graph_span: span,
        span: { end: view.period === "month" ? "month" : "day", offset: `-${days}d` },
        stacked: true,
        series,
      });
      const hass = w.__ei.makeFakeHass({ statistics: w.__stats, timeZone: "Pacific/Auckland" });
      const state = (id: string) => ({ entity_id: id, state: "0", attributes: { unit_of_measurement: "kWh", friendly_name: id }, last_changed: "", last_updated: "" });
      hass.states = Object.fromEntries([ids.free_energy!, ids.paid_energy!].map((id) => [id, state(id)]));
      card.hass = hass;
      const appendedAt = performance.now();
      box.appendChild(card);
      document.body.appendChild(box);
      const bars = () => card.shadowRoot?.querySelectorAll(".apexcharts-bar-area").length ?? 0;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`apexcharts-card drew no columns within 120 s (calls: ${hass.calls.length})`)), 120_000);
        const check = () => {
          if (bars() > 0) {
            clearTimeout(timer);
            resolve();
          } else requestAnimationFrame(check);
        };
        check();
      });
      // Painted: a task posted from the next frame callback runs once that frame is painted.
      await new Promise<void>((resolve) =>
        requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve();
          channel.port2.postMessage(undefined);
        }),
      );
      const result = { appendMs: performance.now() - appendedAt, calls: hass.calls.length, bars: bars() };
      box.remove();
      return result;
    },
    view,
    NOW,
  );
}
