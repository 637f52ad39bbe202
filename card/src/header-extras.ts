/**
 * The header's date row and its optional parts: the comparison's figure ("+12 % vs last week"), the date picker's
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
const PREVIOUS_ICON = "M15.4 16.6 10.8 12l4.6-4.6L14 6l-6 6 6 6z";
const NEXT_ICON = "M8.6 16.6 13.2 12 8.6 7.4 10 6l6 6-6 6z";

/** The date row: previous, the range, next (`steps`), the spinner while loading, then `extras` (the comparison, the CSV button). */
export function renderNav(ctx: {
  rangeText: string;
  steps: boolean;
  /** The present range is shown: nothing after it. */
  atPresent: boolean;
  loading: boolean;
  /** The dates are the Energy dashboard's picker's (the range says so when hovered). */
  following: boolean;
  t: LocalizeFunc;
  move: (by: number) => void;
  extras: TemplateResult;
}): TemplateResult {
  const { t } = ctx;
  const step = (cls: string, label: string, disabled: boolean, by: number, path: string) =>
    ctx.steps
      ? html`<button class=${cls} aria-label=${label} title=${label} ?disabled=${disabled} @click=${() => ctx.move(by)}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d=${path} /></svg>
        </button>`
      : nothing;
  return html`<div class="nav">
    ${step("prev", t("header.previous"), false, 1, PREVIOUS_ICON)}
    <span class="range" data-range title=${ctx.following ? t("energy_date.following") : nothing}>${ctx.rangeText}</span>
    ${step("next", t("header.next"), ctx.atPresent, -1, NEXT_ICON)}
    ${ctx.loading ? html`<span class="spinner" role="progressbar" aria-label=${t("state.loading")}></span>` : nothing}
    ${ctx.extras}
  </div>`;
}

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
