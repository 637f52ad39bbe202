/** Mounting the card as Lovelace does (config and hass before it is attached) and reading what it shows. */
import { waitUntil } from "@open-wc/testing";
import "../../../card/src/energy-insights-card.js";
import type { EnergyInsightsCard, RenderedDetail } from "../../../card/src/energy-insights-card.js";
import { RENDERED_EVENT } from "../../../card/src/const.js";
import type { HomeAssistant, LovelaceCardConfig } from "../../../card/src/ha-types.js";
import type { FakeHass } from "./fake-hass.js";

/** Tuesday 7 April 2026, 10:00 NZST: two days after the DST change of 5 April. */
export const NOW = Date.parse("2026-04-06T22:00:00Z");

const mounted: HTMLElement[] = [];

export function asHass(fake: FakeHass): HomeAssistant {
  return fake as unknown as HomeAssistant;
}

/** Resolves with the next `energy-insights-rendered` event of the card. */
export function nextRender(card: EnergyInsightsCard, timeoutMs = 10_000): Promise<RenderedDetail> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no chart rendered within ${timeoutMs} ms (status ${card.status})`)), timeoutMs);
    card.addEventListener(
      RENDERED_EVENT,
      (ev) => {
        clearTimeout(timer);
        resolve((ev as CustomEvent<RenderedDetail>).detail);
      },
      { once: true },
    );
  });
}

export async function mount(
  fake: FakeHass,
  config: LovelaceCardConfig,
  options: { now?: number; expectChart?: boolean; prepare?: (card: EnergyInsightsCard) => void; width?: number } = {},
): Promise<EnergyInsightsCard> {
  const card = document.createElement("energy-insights-card");
  options.prepare?.(card);
  card.clock = () => options.now ?? NOW;
  card.setConfig(config);
  card.hass = asHass(fake);
  const rendered = options.expectChart === false ? undefined : nextRender(card);
  const box = document.createElement("div");
  box.style.width = `${options.width ?? 600}px`;
  box.appendChild(card);
  document.body.appendChild(box);
  mounted.push(box);
  if (rendered) await rendered;
  else await waitUntil(() => card.status !== "loading", "card stays loading", { timeout: 10_000 });
  await card.updateComplete;
  return card;
}

export function unmountAll(): void {
  for (const box of mounted.splice(0)) box.remove();
}

export function shadow(card: EnergyInsightsCard): ShadowRoot {
  return card.shadowRoot as ShadowRoot;
}

export function text(card: EnergyInsightsCard, selector: string): string {
  return shadow(card).querySelector(selector)?.textContent?.replace(/\s+/g, " ").trim() ?? "";
}

/** The first number in a text as the card formats it in English ("1,234.5 kWh", "NZ$12.34", "37%"). */
export function numberIn(textValue: string): number {
  const match = /-?\d[\d,]*(?:\.\d+)?/.exec(textValue);
  if (!match) throw new Error(`no number in "${textValue}"`);
  return Number(match[0].replace(/,/g, ""));
}

/** Half a unit of the last digit shown: how far a displayed number may be from the exact one. */
export function shownPrecision(textValue: string): number {
  const match = /-?\d[\d,]*(?:\.(\d+))?/.exec(textValue);
  const decimals = match?.[1]?.length ?? 0;
  return 0.5 * 10 ** -decimals + 1e-9;
}

export function total(card: EnergyInsightsCard, key: string): string {
  return text(card, `[data-total="${key}"] .value`);
}

export function statisticsCalls(fake: FakeHass) {
  return fake.calls.filter((c) => c.type === "recorder/statistics_during_period");
}

export async function click(card: EnergyInsightsCard, selector: string): Promise<void> {
  const button = shadow(card).querySelector<HTMLButtonElement>(selector);
  if (!button) throw new Error(`no ${selector} in the card`);
  button.click();
  await card.updateComplete;
}
