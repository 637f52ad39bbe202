/**
 * The header's optional parts: the comparison's figure ("+12 % vs last week"), the date picker's
 * note, the "Download CSV" button and the bill ("This bill so far NZ$84.20 · projected NZ$131 ·
 * next bill in 12 days"). Templates only; the figures come from common/compare.ts and common/bill.ts.
 */
import { html, nothing, type TemplateResult } from "lit";
import { billForAccount, billHeader, type BillStatus } from "./common/bill.js";
import { compareFigure } from "./common/compare.js";
import type { EnergyDateState } from "./data/energy-date.js";
import type { ShownCompare } from "./data/statistics-controller.js";
import type { FrontendLocaleData } from "./ha-types.js";
import type { LocalizeFunc } from "./localize/localize.js";

const DOWNLOAD_ICON = "M5 20h14v-2H5m14-9h-4V3H9v6H5l7 7 7-7z";

/** "+12 % vs last week" once the compared period is in; nothing when there is nothing to compare. */
export function renderCompareFigure(compare: ShownCompare | undefined, locale: FrontendLocaleData, t: LocalizeFunc): TemplateResult | typeof nothing {
  if (!compare) return nothing;
  const figure = compareFigure(compare.energy, compare.range, locale, t);
  if (figure === null) return nothing;
  const rising = (compare.energy.change ?? 0) > 0;
  return html`<span class="compare-figure" data-compare=${compare.range.mode} data-trend=${rising ? "up" : "down"}>${figure}</span>`;
}

/** With `period: energy`: where the dates come from, or why they do not. */
export function renderDateNote(state: EnergyDateState | undefined, t: LocalizeFunc): TemplateResult | typeof nothing {
  if (!state) return nothing;
  if (state.status === "missing") return html`<div class="pending-note" data-energy-date="missing">${t("energy_date.missing", { key: state.keys.join(", ") })}</div>`;
  if (state.status === "waiting") return html`<div class="pending-note" data-energy-date="waiting">${t("energy_date.waiting")}</div>`;
  return nothing;
}

/** The small icon button that saves the shown columns as CSV. */
export function renderCsvButton(t: LocalizeFunc, hint: string, download: () => void): TemplateResult {
  return html`<button class="csv" data-csv aria-label=${t("csv.download")} title=${`${t("csv.download")}: ${hint}`} @click=${download}>
    <svg viewBox="0 0 24 24" aria-hidden="true"><path d=${DOWNLOAD_ICON} /></svg>
  </button>`;
}

/** The bill of the card's account, each figure an item that wraps on a narrow card; the hint says what they are made of. */
export function renderBill(bills: readonly BillStatus[] | undefined, account: string | undefined, locale: FrontendLocaleData, t: LocalizeFunc): TemplateResult | typeof nothing {
  const bill = billForAccount(bills, account);
  const header = bill && billHeader(bill, locale, t);
  if (!header) return nothing;
  return html`<div class="bill" data-bill title=${header.hint} aria-label=${`${header.text}. ${header.hint}`}>
    ${header.parts.map((part, i) => html`<span class="bill-part" data-bill-part=${i}>${part}</span>`)}
  </div>`;
}
