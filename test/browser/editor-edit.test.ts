/**
 * Editing the card as Home Assistant's preview does: setConfig on every change, views and spans
 * switching while a chart is being drawn, the card taken out and put back. No page error.
 */
import { expect } from "@open-wc/testing";
import { makeFakeHass } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { mount, nextRender, shadow, unmountAll } from "./helpers/mount.js";

const CONFIG = { type: "custom:energy-insights-card", ...IDS };
const statistics = contactFixture();

describe("editing in the preview", () => {
  afterEach(unmountAll);

  it("rapid setConfig calls (every field) while charts render: no page error, no console error", async () => {
    const errors: string[] = [];
    let card: Awaited<ReturnType<typeof mount>> | undefined;
    const onError = (ev: ErrorEvent) => errors.push(`error: ${ev.message}`);
    const onRejection = (ev: PromiseRejectionEvent) => errors.push(`rejection: ${String(ev.reason?.stack ?? ev.reason)}`);
    const consoleError = console.error;
    console.error = (...args: unknown[]) => {
      errors.push(`console: ${args.map(String).join(" ")}`);
      consoleError.apply(console, args);
    };
    window.addEventListener("error", onError);
    window.addEventListener("unhandledrejection", onRejection);
    try {
      card = await mount(makeFakeHass({ statistics, timeZone: TZ }), CONFIG);
      const steps: Record<string, unknown>[] = [
        { title: "H" }, { title: "Home" }, { view: "daily" }, { view: "monthly" }, { view: "hourly" }, { stack: "device" }, { stack: "tariff" },
        { hourly_days: 1 }, { hourly_days: 14 }, { daily_days: 3 }, { monthly_months: 2 }, { free_color: "#123456" }, { paid_color: "#654321" },
        { cost_color: "#00ff00" }, { show_cost: true }, { show_cost: false }, { carbon_overlay: "bands" }, { cleanest_hours: 0 }, { view: "daily", daily_days: 40 },
      ];
      let config: { type: string } & Record<string, unknown> = { ...CONFIG };
      for (const [i, step] of steps.entries()) {
        config = { ...config, ...step };
        card.setConfig(config);
        // Half the steps before the chart is drawn, half after a frame.
        if (i % 2) await new Promise((r) => requestAnimationFrame(r));
        await card.updateComplete;
        if (i % 5 === 4) {
          // The preview takes the card out and puts it back (edit mode, a new preview element).
          const parent = card.parentElement as HTMLElement;
          card.remove();
          parent.appendChild(card);
        }
        if (i % 7 === 3) {
          // Taken out while its chart is being drawn, and back a frame later.
          const parent = card.parentElement as HTMLElement;
          card.setConfig({ ...config, paid_color: "#abcdef" } );
          await card.updateComplete;
          card.remove();
          await new Promise((r) => requestAnimationFrame(r));
          parent.appendChild(card);
        }
        if (i === 10) {
          // Hidden (a collapsed preview): no width to draw in.
          (card.parentElement as HTMLElement).style.display = "none";
          card.setConfig({ ...config, view: "monthly" } );
          await card.updateComplete;
          await new Promise((r) => setTimeout(r, 50));
          (card.parentElement as HTMLElement).style.display = "";
        }
      }
      await new Promise((r) => setTimeout(r, 500));
      for (let i = 0; i < 5; i += 1) await new Promise((r) => requestAnimationFrame(r));
    } finally {
      window.removeEventListener("error", onError);
      window.removeEventListener("unhandledrejection", onRejection);
      console.error = consoleError;
    }
    expect(errors).to.deep.equal([]);
    // The last config is drawn, once.
    const rendered = nextRender(card!);
    card!.refresh();
    await rendered;
    expect(shadow(card!).querySelectorAll(".apexcharts-canvas").length).to.equal(1);
    expect(card!.status).to.equal("ready");
  });
});
