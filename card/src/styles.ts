/** The card's styles (the chart's tooltip classes included: ApexCharts draws them inside the card's shadow root). */
import { css } from "lit";

/** The chart's height in px (the placeholder keeps it while loading, so nothing jumps). */
export const CHART_HEIGHT = 240;

export const cardStyles = css`
  :host {
    display: block;
  }
  ha-card {
    display: block;
    height: 100%;
    box-sizing: border-box;
    padding: 12px 12px 8px;
    color: var(--primary-text-color);
    background: var(--ha-card-background, var(--card-background-color));
    border-radius: var(--ha-card-border-radius, 12px);
    overflow: hidden;
  }
  .header,
  .nav,
  .totals,
  .legend {
    display: flex;
    align-items: center;
    flex-wrap: wrap;
    gap: 8px;
  }
  .header {
    justify-content: space-between;
  }
  .title {
    font-size: 1.2em;
    font-weight: 500;
  }
  button {
    font: inherit;
    color: inherit;
    background: none;
    border: 1px solid var(--divider-color, rgba(127, 127, 127, 0.3));
    border-radius: 16px;
    cursor: pointer;
    padding: 2px 10px;
  }
  button:disabled {
    opacity: 0.35;
    cursor: default;
  }
  .accounts {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin-top: 6px;
    font-size: 0.85em;
  }
  .account {
    max-width: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .view.active,
  .account.active {
    background: var(--primary-color, #03a9f4);
    border-color: var(--primary-color, #03a9f4);
    color: var(--text-primary-color, #fff);
  }
  .nav {
    margin-top: 6px;
    color: var(--secondary-text-color);
  }
  .nav button {
    display: inline-flex;
    padding: 2px;
    border: none;
  }
  .nav svg {
    width: 22px;
    height: 22px;
    fill: currentColor;
  }
  /* The comparison's figure and the CSV button sit at the nav's end. */
  .compare-figure {
    margin-left: auto;
    font-size: 0.9em;
    font-weight: 500;
    color: var(--primary-text-color);
  }
  .nav .csv {
    margin-left: auto;
  }
  .compare-figure + .csv {
    margin-left: 0;
  }
  .nav .csv svg {
    width: 20px;
    height: 20px;
  }
  /* The bill: each figure an item that wraps as a whole on a narrow card. */
  .bill {
    display: flex;
    flex-wrap: wrap;
    gap: 2px 12px;
    margin-top: 4px;
    font-size: 0.9em;
    cursor: help;
  }
  .bill-part {
    white-space: nowrap;
  }
  .bill-part:not(:last-child)::after {
    content: "·";
    margin-left: 12px;
    color: var(--secondary-text-color);
  }
  .spinner {
    width: 14px;
    height: 14px;
    border: 2px solid var(--divider-color, rgba(127, 127, 127, 0.3));
    border-top-color: var(--primary-color, #03a9f4);
    border-radius: 50%;
    animation: spin 1s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  .totals {
    margin: 8px 0 4px;
    gap: 4px 16px;
  }
  .total {
    display: flex;
    flex-direction: column;
    min-width: 80px;
  }
  .total .label,
  .total .sub {
    font-size: 0.8em;
    color: var(--secondary-text-color);
  }
  .total .info {
    cursor: help;
    margin-left: 2px;
    display: inline-flex;
    vertical-align: middle;
  }
  .total .info svg {
    width: 14px;
    height: 14px;
    fill: currentColor;
  }
  .total .value {
    font-size: 1.1em;
    font-weight: 500;
  }
  .chart-box {
    position: relative;
  }
  .chart-box[hidden] {
    display: none;
  }
  /* Not in yet: hatched over the slots the provider has not published; the pointer goes through to the chart. */
  .pending-area {
    position: absolute;
    pointer-events: none;
    box-sizing: border-box;
    border-left: 1px dashed var(--secondary-text-color, #727272);
    background: repeating-linear-gradient(
      135deg,
      rgba(127, 127, 127, 0.22) 0 2px,
      transparent 2px 8px
    );
  }
  .pending-note {
    margin: 0 0 4px;
    font-size: 0.8em;
    color: var(--secondary-text-color);
  }
  .chart {
    display: block;
    min-height: ${CHART_HEIGHT}px;
  }
  .placeholder,
  .state {
    display: flex;
    flex-direction: column;
    gap: 6px;
    padding: 16px 4px;
    color: var(--secondary-text-color);
  }
  .placeholder {
    min-height: ${CHART_HEIGHT - 32}px;
    align-items: center;
    justify-content: center;
  }
  .state-title {
    font-weight: 500;
    color: var(--primary-text-color);
  }
  .state .links {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 16px;
  }
  .state .ids {
    margin: 0;
    padding-left: 18px;
    word-break: break-all;
  }
  .state a {
    color: var(--primary-color, #03a9f4);
  }
  .error {
    color: var(--error-color, #db4437);
    align-items: flex-start;
  }
  .xlabels {
    position: relative;
    height: 16px;
    margin-top: -6px;
    font-size: 11px;
    color: var(--secondary-text-color);
  }
  .xlabel {
    position: absolute;
    top: 0;
    box-sizing: border-box;
    border-left: 1px solid var(--divider-color, rgba(127, 127, 127, 0.3));
    padding-left: 3px;
    white-space: nowrap;
    overflow: hidden;
  }
  /* Daily and monthly: a column's name centred under it, as ApexCharts drew it. */
  .xlabel.column {
    border-left: none;
    padding-left: 0;
    text-align: center;
  }
  .cleanest {
    margin-top: 4px;
    font-size: 0.85em;
    text-align: center;
    color: var(--secondary-text-color);
  }
  .legend {
    justify-content: center;
    font-size: 0.85em;
    color: var(--secondary-text-color);
  }
  .key {
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
  .dot,
  .ei-tt-dot {
    display: inline-block;
    width: 10px;
    height: 10px;
    border-radius: 2px;
  }
  .ei-tt {
    padding: 6px 8px;
    font-size: 12px;
    min-width: 160px;
  }
  .ei-tt-title {
    font-weight: 500;
    margin-bottom: 4px;
  }
  .ei-tt-row {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .ei-tt-value {
    margin-left: auto;
    font-variant-numeric: tabular-nums;
  }
  .ei-tt-note {
    margin-top: 4px;
    max-width: 240px;
    white-space: normal;
    opacity: 0.8;
  }
  .ei-tt-warn {
    color: var(--warning-color, #ffa600);
    opacity: 1;
  }
  .chart-note {
    margin-top: 4px;
    text-align: center;
    font-size: 0.8em;
    color: var(--secondary-text-color);
  }
`;
