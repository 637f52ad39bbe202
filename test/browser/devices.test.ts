/**
 * The by-device view in Chromium with a `hass` answering like Home Assistant: the learned devices'
 * energy statistics are found with `recorder/list_statistic_ids`, fetched in the view's one
 * statistics call, and drawn as stacked columns (the biggest devices, "other devices", and
 * "untracked" = whole home − devices); the tooltip names each device of the hour and says when the
 * devices exceed the meter.
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { OTHER_COLOR, UNTRACKED_COLOR } from "../../card/src/chart/devices.js";
import { makeFakeHass, type FixtureStatistic } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { DEVICES, DRYER_EXCESS_KWH, EXCESS_HOUR, deviceFixture, deviceId, type DeviceKey } from "./helpers/device-fixture.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { NOW, click, mount, nextRender, shadow, statisticsCalls, text, total, unmountAll } from "./helpers/mount.js";

const HOUR = 3_600_000;
const CONFIG = { type: "custom:energy-insights-card", ...IDS };
/** The hourly view at NOW: 30 Mar 00:00 NZDT – 8 Apr 00:00 NZST. */
const RANGE = { start: Date.parse("2026-03-29T11:00:00Z"), end: Date.parse("2026-04-07T12:00:00Z") };
/** The meter's rows end at 7 Apr 00:00 NZST; the devices' at NOW (7 Apr 10:00 NZST). */
const METER_END = Date.parse("2026-04-06T12:00:00Z");
const whole = contactFixture({ from: [2026, 3, 1] });
const devices = deviceFixture(Date.parse("2026-03-20T00:00:00Z"), NOW);
const ALL = [...whole, ...devices];

type Series = { name: string; type: string; data: number[] };
type Point = { x: number; y: number };

/** The series as values per bucket: columns give one number each; the hourly area two points per hour, flat across its slot. */
function series(card: EnergyInsightsCard): Series[] {
  const raw = (card.chartOptions?.series ?? []) as { name: string; type: string; data: (number | Point)[] }[];
  return raw.map((s) => {
    if (s.type !== "area") return s as Series;
    const points = s.data as Point[];
    const data: number[] = [];
    for (let i = 0; i < points.length; i += 2) {
      const [a, b] = [points[i]!, points[i + 1]!];
      expect(a.y, `${s.name}: flat across hour ${i / 2}`).to.equal(b.y);
      expect(Math.floor(a.x), `${s.name}: hour ${i / 2} in its slot`).to.equal(i / 2);
      expect(Math.floor(b.x)).to.equal(i / 2);
      data.push(a.y);
    }
    return { name: s.name, type: s.type, data };
  });
}

function hourly(stat: FixtureStatistic | undefined): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of stat?.rows ?? []) if (r.start >= RANGE.start && r.start < RANGE.end) out.set(r.start, (out.get(r.start) ?? 0) + r.change);
  return out;
}

/** Per hour, from the fixture itself: metered whole home (paid + free) and each device's kWh. */
function expectedHours() {
  const paid = hourly(whole.find((s) => s.id === IDS.paid_energy));
  const free = hourly(whole.find((s) => s.id === IDS.free_energy));
  const byDevice = Object.fromEntries((Object.keys(DEVICES) as DeviceKey[]).map((k) => [k, hourly(devices.find((s) => s.id === deviceId(k)))])) as Record<DeviceKey, Map<number, number>>;
  const starts = [...new Set([...paid.keys(), ...Object.values(byDevice).flatMap((m) => [...m].filter(([, v]) => v !== 0).map(([t]) => t))])].sort((a, b) => a - b);
  return starts.map((start) => ({
    start,
    metered: paid.has(start) || free.has(start),
    whole: (paid.get(start) ?? 0) + (free.get(start) ?? 0),
    devices: Object.fromEntries((Object.keys(DEVICES) as DeviceKey[]).map((k) => [k, byDevice[k].get(start) ?? 0])) as Record<DeviceKey, number>,
  }));
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The tooltip of a bucket, as ApexCharts asks for it: by the hovered point (two per hour on the hourly area). */
function tooltip(card: EnergyInsightsCard, index: number, half: 0 | 1 = 1): string {
  const custom = card.chartOptions?.tooltip?.custom as (a: { dataPointIndex: number }) => string;
  const hourly = (card.chartOptions?.series?.[0] as { type?: string } | undefined)?.type === "area";
  return custom({ dataPointIndex: hourly ? 2 * index + half : index });
}

describe("by-device view", () => {
  afterEach(unmountAll);

  it("stack: device draws the biggest devices, other devices and untracked (whole home − devices) per hour", async () => {
    const fake = makeFakeHass({ statistics: ALL, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, stack: "device" });
    expect(card.status).to.equal("ready");
    expect(fake.calls.map((c) => c.type)).to.include("recorder/list_statistic_ids");
    const calls = statisticsCalls(fake);
    expect(calls, "one statistics call for meter and devices").to.have.length(1);
    expect(calls[0]!.statistic_ids).to.have.members([IDS.paid_energy, IDS.free_energy, IDS.paid_cost, ...devices.map((d) => d.id)]);
    expect(calls[0]!.period).to.equal("hour");

    const hours = expectedHours();
    const drawn = series(card);
    // Heat pump ≈ 19 kWh, fridge ≈ 11, dryer 4, kettle 1.6 have their own; TV and lamp are "other devices".
    expect(drawn.map((s) => s.name)).to.deep.equal(["Heat pump (learned)", "Fridge (learned)", "Dryer (learned)", "Kettle (learned)", "Other devices", "Untracked"]);
    expect(card.chartOptions?.chart?.stacked).to.equal(true);
    expect(card.chartOptions?.chart?.animations?.enabled).to.equal(false);
    for (const s of drawn) expect(s.data.length, s.name).to.equal(hours.length);
    // 9 days minus the 14 hours after NOW; the meter ends 10 hours earlier, the devices' hours are columns too.
    expect(hours.length).to.equal(8 * 24 + 1 + 10);
    const [heat, fridge, dryer, kettle, other, untracked] = drawn as [Series, Series, Series, Series, Series, Series];
    hours.forEach((h, i) => {
      const at = new Date(h.start).toISOString();
      expect(heat.data[i], `heat pump ${at}`).to.equal(round3(h.devices.heat_pump));
      expect(fridge.data[i], `fridge ${at}`).to.equal(round3(h.devices.fridge));
      expect(dryer.data[i], `dryer ${at}`).to.equal(round3(h.devices.dryer));
      expect(kettle.data[i], `kettle ${at}`).to.equal(round3(h.devices.kettle));
      expect(other.data[i], `other ${at}`).to.be.closeTo(h.devices.tv + h.devices.lamp, 0.0005 + 1e-9);
      const sum = Object.values(h.devices).reduce((a, b) => a + b, 0);
      expect(untracked.data[i], `untracked ${at}`).to.be.closeTo(h.metered ? Math.max(0, h.whole - sum) : 0, 0.0005 + 1e-9);
    });
    // Hours are a stacked area: ApexCharts drew one path per series, on a numeric axis of one slot per hour.
    expect(card.chartOptions?.chart?.type).to.equal("area");
    expect(card.chartOptions?.xaxis).to.include({ type: "numeric", min: 0, max: hours.length });
    expect(shadow(card).querySelectorAll(".apexcharts-bar-area").length).to.equal(0);
    // (each series is its filled area plus its outline, drawn 0 px wide)
    expect(shadow(card).querySelectorAll("path.apexcharts-area").length).to.equal(2 * 6);
    // The header still shows the metered totals.
    expect(total(card, "energy")).to.contain("kWh");

    // Legend: the same names and colours; other devices and untracked in their fixed colours.
    const legend = [...shadow(card).querySelectorAll(".legend .key")].map((k) => [k.textContent!.trim(), (k.querySelector(".dot") as HTMLElement).style.background]);
    expect(legend.map(([name]) => name)).to.deep.equal(drawn.map((s) => s.name));
    const colors = card.chartOptions!.colors as string[];
    expect(colors.slice(-2)).to.deep.equal([OTHER_COLOR, UNTRACKED_COLOR]);
    expect(new Set(colors).size, "distinct colours").to.equal(6);
  });

  it("the tooltip lists each device's kWh for the hour, untracked and the meter; excess and unmetered hours say so", async () => {
    const fake = makeFakeHass({ statistics: ALL, timeZone: TZ });
    const card = await mount(fake, { ...CONFIG, stack: "device" });
    const hours = expectedHours();
    const evening = hours.findIndex((h) => h.start === Date.parse("2026-04-02T07:00:00Z")); // 20:00 NZDT
    const html = tooltip(card, evening);
    expect(tooltip(card, evening, 0), "both points of the hour show it").to.equal(html);
    for (const name of ["Heat pump (learned)", "Fridge (learned)", "TV (learned)", "Lounge lamp (learned)", "Untracked", "Whole home (meter)"]) expect(html).to.contain(`>${name}<`);
    expect(html, "no kettle at 20:00").not.to.contain("Kettle");
    const e = hours[evening]!;
    const sum = Object.values(e.devices).reduce((a, b) => a + b, 0);
    expect(html).to.contain(">0.60 kWh<").and.contain(`>${(e.whole - sum).toFixed(2)} kWh<`).and.contain(`>${e.whole.toFixed(2)} kWh<`);
    expect(html).not.to.contain("data-excess");

    // 4 Apr 15:00: the dryer alone is 4 kWh, more than the meter; untracked is 0 and the tooltip says by how much.
    const i = hours.findIndex((h) => h.start === EXCESS_HOUR);
    const h = hours[i]!;
    const over = Object.values(h.devices).reduce((a, b) => a + b, 0) - h.whole;
    expect(over).to.be.above(DRYER_EXCESS_KWH - 1);
    expect(series(card).at(-1)!.data[i]).to.equal(0);
    const excess = tooltip(card, i);
    expect(excess).to.contain("data-excess");
    const shown = /add up to ([\d.]+) kWh more than the meter/.exec(excess);
    expect(shown, excess).not.to.equal(null);
    expect(Number(shown![1])).to.be.closeTo(over, 0.005);
    await card.updateComplete;
    expect(text(card, "[data-excess-note]")).to.contain("more than the meter: 1 (");

    // After the meter's last row: the devices' hour is shown, the whole home is not known yet.
    const late = hours.findIndex((x) => x.start === METER_END + 7 * HOUR); // 7 Apr 07:00 NZST: kettle and fridge
    expect(hours[late]!.metered).to.equal(false);
    const lateHtml = tooltip(card, late);
    expect(lateHtml).to.contain("data-unmetered").and.contain(">Kettle (learned)<");
    expect(lateHtml).not.to.contain(">Untracked<");
  });

  it("the By device button appears once device statistics are found and switches both ways", async () => {
    const fake = makeFakeHass({ statistics: ALL, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    await waitUntil(() => shadow(card).querySelector('[data-stack="device"]'), "no By device button");
    const button = shadow(card).querySelector('[data-stack="device"]')!;
    expect(button.getAttribute("aria-pressed")).to.equal("false");
    expect(series(card).map((s) => s.name), "free/paid first").to.deep.equal(["Total"]);

    fake.calls.length = 0;
    let rendered = nextRender(card);
    await click(card, '[data-stack="device"]');
    await rendered;
    expect(series(card).at(-1)!.name).to.equal("Untracked");
    expect(shadow(card).querySelector('[data-stack="device"]')!.getAttribute("aria-pressed")).to.equal("true");
    expect(statisticsCalls(fake)[0]!.statistic_ids).to.include(deviceId("kettle"));

    // The daily view splits HA's day buckets by device too.
    fake.calls.length = 0;
    rendered = nextRender(card);
    await click(card, '[data-view="daily"]');
    await rendered;
    expect(statisticsCalls(fake)[0]!.period).to.equal("day");
    const daily = series(card);
    expect(daily.at(-1)!.name).to.equal("Untracked");
    const days = daily[0]!.data.length;
    expect(days).to.be.within(18, 36);
    const dayLabel = /ei-tt-title">([^<]*)</.exec(tooltip(card, days - 2))![1];
    expect(dayLabel).to.equal("Monday, April 6, 2026");
    // A whole day of the fridge: 24 × 0.05 kWh.
    const fridge = daily.find((s) => s.name === "Fridge (learned)")!;
    expect(fridge.data[days - 2]).to.be.closeTo(1.2, 1e-9);

    rendered = nextRender(card);
    await click(card, '[data-stack="device"]');
    await rendered;
    expect(series(card).map((s) => s.name)).to.deep.equal(["Free", "Paid"]);
  });

  it("without device statistics: no button; stack: device says there are none and draws free and paid", async () => {
    const fake = makeFakeHass({ statistics: whole, timeZone: TZ });
    const card = await mount(fake, CONFIG);
    await new Promise((r) => setTimeout(r, 50));
    await card.updateComplete;
    expect(shadow(card).querySelector('[data-stack="device"]')).to.equal(null);

    const other = await mount(makeFakeHass({ statistics: whole, timeZone: TZ }), { ...CONFIG, stack: "device" });
    expect(text(other, "[data-no-devices]")).to.contain("No learned device energy");
    expect(series(other).map((s) => s.name)).to.deep.equal(["Total"]);
  });
});
