/**
 * The card's data: a Lit ReactiveController that loads what the shown view needs and keeps it.
 *
 * One websocket round trip before the first paint when the ids are known: the energy, the learned
 * devices (by-device view only) and the carbon statistics of the range go in one
 * `recorder/statistics_during_period` call (`types` change and, with an intensity statistic, mean;
 * `units` kWh; `period` hour/day/month, so HA aggregates and cuts days and months in its zone).
 * What would need a second call (accounts, devices, the intensity statistic, the cost's currency) comes
 * from the page's statistics catalog (statistics-catalog.ts), which a second card or a reload already
 * has; HA is asked for it once per page, after the chart is painted, and the view is loaded again
 * only when that answer changes what it shows. Without ids and without a stored catalog: two calls.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { accountOwner, parseStatisticId } from "../../../server/src/statistics/ids.js";
import { shownCarbon, type CarbonShown } from "../carbon-view.js";
import { sumBuckets, toBuckets, totalsOf, type Bucket, type Totals } from "../chart/buckets.js";
import type { CarbonIds } from "../chart/carbon.js";
import { stackByDevice, type DeviceStack, type DeviceStatistic } from "../chart/devices.js";
import { withPendingSlots, type LastDataBefore, type PendingSlots } from "../chart/pending.js";
import { spreadTotals } from "../chart/totals.js";
import { displayTimeZone, serverTimeZone } from "../common/format.js";
import type { CompareMode } from "../common/compare.js";
import { PERIOD_OF, viewRange, type ViewRange } from "../common/range.js";
import { zonedInstant } from "../common/time.js";
import { KINDS, MARK_DATA_READY, MAX_DEVICE_SERIES, type Kind, type Stack, type View } from "../const.js";
import type { ResolvedCardConfig } from "../energy-insights-card-config.js";
import type { HomeAssistant } from "../ha-types.js";
import type { BackendPanelController } from "../panel/controller.js";
import { fetchCompared, shownCompare, type ComparedFetch, type ShownCompare } from "./compared.js";
import { carbonFrom, emissionsIdFor, pickIntensity, type CarbonStatistics } from "./carbon.js";
import { findDeviceStatistics } from "./devices.js";
import { accountKeyOf, groupAccounts, type DiscoveredAccount } from "./discovery.js";
import { fetchStatistics, getStatisticsMetadata, type Statistics, type StatisticsMetaData } from "./recorder.js";
import { catalogChecked, forgetCatalogCheck, freshCatalog, knownCatalog, pendingCatalog } from "./statistics-catalog.js";

export type CardStatus = "loading" | "ready" | "empty" | "error";

/** How far back a range without data looks for the provider's last hour. */
const WEEK = 7 * 24 * 3_600_000;
/** The accounts chip that sums every account. */
export const ALL_ACCOUNTS = "all";
/** The one account of a card configured with statistic ids or `account`. */
export const CONFIGURED_ACCOUNT = "configured";

/** What one load produced: the range, HA's buckets and their totals. */
export interface LoadedRange {
  range: ViewRange;
  buckets: Bucket[];
  totals: Totals;
  currency: string | undefined;
  /** The shown account's ids; empty when several accounts are summed. */
  ids: Partial<Record<Kind, string>>;
  /** The carbon statistics of the range, as loaded (the shown buckets add them and the forecast). */
  carbon?: CarbonStatistics;
  energyBuckets?: Bucket[];
  carbonShown?: CarbonShown;
  /** The backend status' start of the finer series the totals were found with ("" without one). */
  finerKey?: string;
  /** The by-device view's columns (its buckets are `buckets`); absent when split by tariff. */
  stack?: DeviceStack;
  /** The slots after the last data up to now: the provider has not published them yet (`buckets` run on to the range's end). */
  pending?: PendingSlots;
  /** The comparison (`compare`, or the date picker's), once its statistics are in: drawn after the current period. */
  compare?: ShownCompare;
}

/** A range given from outside (the Energy dashboard's date picker) instead of the view's own. */
export interface FixedRange {
  view: View;
  start: number;
  end: number;
  timeZone: string;
}

/** What the card shows: a load is for exactly this. */
export interface ViewRequest {
  config: ResolvedCardConfig;
  view: View;
  offset: number;
  stack: Stack;
  account: string;
  /** Opening the card (or a view): when the present range has no data yet, show the one before if it has. */
  openOnData?: boolean;
  /** These dates instead of the view's range at `offset` (`period: energy`). */
  range?: FixedRange;
  /** Compare with this period (ghost columns and a header figure); none when absent or null. */
  compare?: CompareMode | null;
}

/**
 * The request for what the card shows: its own view at `offset`, or the date picker's dates when it
 * gives some. `opening`: the card or a view is opened, so a present range without data yet gives way
 * to the one before.
 */
export function viewRequest(
  config: ResolvedCardConfig,
  nav: { view: View; offset: number; stack: Stack; account: string },
  picker: { picked: FixedRange | undefined; compare: CompareMode | null },
  opening: boolean,
): ViewRequest {
  const { picked } = picker;
  return {
    config,
    view: nav.view,
    offset: picked ? 0 : nav.offset,
    stack: nav.stack,
    account: nav.account,
    openOnData: !picked && opening && nav.offset === 0,
    compare: picker.compare,
    ...(picked ? { range: picked } : {}),
  };
}

export interface StatisticsHost extends ReactiveControllerHost {
  hass?: HomeAssistant;
  clock: () => number;
  readonly backendPanel: BackendPanelController;
  /** The load moved to an older range (`openOnData`): the host's navigation follows. */
  openedOn?(offset: number): void;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === "object" && "message" in err && typeof err.message === "string") return err.message;
  return String(err);
}

export type { ShownCompare };

export class StatisticsController implements ReactiveController {
  status: CardStatus = "loading";
  error?: string;
  data?: LoadedRange;
  /** Every account found (no `account` or ids configured) when there are several; chips switch between them and "All". */
  accounts: DiscoveredAccount[] = [];
  /** The learned devices' energy statistics found in HA (the "By device" button shows once there are any). */
  deviceStats: DeviceStatistic[] = [];
  /** Configured statistic ids HA does not have (the empty state names them). */
  missingIds: string[] = [];
  /** performance.now() when the last statistics answer was in hand. */
  dataReadyAt = 0;

  private _request?: ViewRequest;
  private _seq = 0;
  private _carbonKey = "";
  /** What the catalog decided in the last load (accounts, devices, intensity): a new catalog that changes it loads again. */
  private _catalogKey = "";

  constructor(private readonly host: StatisticsHost) {
    host.addController(this);
  }

  /** Before each render: a forecast that arrived after the statistics, or a backend status that moves the finer series. */
  hostUpdate(): void {
    const data = this.data;
    if (!data) return;
    if (data.carbon && this._carbonInputsKey() !== this._carbonKey) this.data = this._withCarbonShown(data);
    if (this.status === "ready" && this._request && String(this._finerFrom(data.range.view, data.ids) ?? "") !== (data.finerKey ?? "")) void this.load(this._request);
  }

  /** Loads `request` (the latest request wins; an earlier one still in flight is dropped). */
  load(request: ViewRequest): Promise<void> {
    this._request = request;
    return this._run(request);
  }

  /** A config change that needs no new data (colours, cleanest hours, title): later figures use it. */
  reconfigure(config: ResolvedCardConfig): void {
    if (this._request) this._request = { ...this._request, config };
    this.host.requestUpdate();
  }

  /** Forgets what is shown (another view or account: the loading placeholder until it is in). */
  clear(): void {
    this._set({ data: undefined });
  }

  /** The chart could not be drawn: the card shows the error (and its retry button). */
  fail(message: string): void {
    this._set({ status: "error", error: message });
  }

  /** Loads the shown view again, and asks HA for its statistics catalog again after the next paint (the 30-minute timer, the retry button). */
  refresh(): void {
    const hass = this.host.hass;
    if (hass) forgetCatalogCheck(hass);
    if (this._request) void this.load(this._request);
  }

  /** The chart is on screen: now check the catalog with HA, if this page has not yet. */
  painted(): void {
    const hass = this.host.hass;
    const request = this._request;
    if (!hass || !request) return;
    if (catalogChecked(hass)) {
      // Another card checked the catalog while this one loaded without it (two cards on a page
      // opened for the first time): load again when its answer changes what this card fetches.
      const known = knownCatalog(hass);
      if (known && this._decisions(known.rows, request) !== this._catalogKey) void this.load(request);
      return;
    }
    freshCatalog(hass).then(
      (catalog) => {
        if (request !== this._request) return;
        if (this._decisions(catalog.rows, request) !== this._catalogKey) void this.load(request);
        else if (this.data) this._applyCatalog(catalog.rows, request);
      },
      () => undefined, // kept as it was: the next refresh asks again
    );
  }

  /** The catalog's answers that change what is fetched: accounts (discovered), devices (by-device view), intensity (overlay). */
  private _decisions(rows: StatisticsMetaData[], request: ViewRequest): string {
    const configured = Boolean(request.config.ids.paid_energy || request.config.ids.free_energy);
    return JSON.stringify([
      configured ? "" : this._accountsOf(rows, request.config).map((a) => a.key),
      request.stack === "device" ? findDeviceStatistics(rows).map((d) => d.statisticId) : "",
      request.config.carbon.intensity ? "" : (pickIntensity(rows) ?? ""),
      request.config.carbon.emissions ? "" : rows.filter((r) => parseStatisticId(r.statistic_id)?.kind === "emissions").map((r) => r.statistic_id),
    ]);
  }

  private _accountsOf(rows: StatisticsMetaData[], config: ResolvedCardConfig): DiscoveredAccount[] {
    if (config.ids.paid_energy || config.ids.free_energy) return [{ key: CONFIGURED_ACCOUNT, ids: config.ids }];
    const provider = config.provider;
    return groupAccounts(rows).filter((a) => !provider || a.key.startsWith(`${provider}_`));
  }

  /** Updates the device list (the "By device" button) and the cost's currency from a catalog that changes nothing fetched. */
  private _applyCatalog(rows: StatisticsMetaData[], request: ViewRequest): void {
    const hass = this.host.hass;
    const devices = findDeviceStatistics(rows, hass?.states);
    if (devices.map((d) => d.statisticId).join() !== this.deviceStats.map((d) => d.statisticId).join()) this.deviceStats = devices;
    const costId = this.data?.ids.paid_cost;
    const unit = costId ? rows.find((r) => r.statistic_id === costId)?.statistics_unit_of_measurement : undefined;
    if (this.data && unit && unit !== this.data.currency && request === this._request) this.data = { ...this.data, currency: unit };
    this.host.requestUpdate();
  }

  /**
   * Where the backend's status (with `backend_url`) says the shown account's hourly (hourly view) or
   * daily (daily view) series starts: its first local day fetched. Undefined without a status, for
   * several accounts summed, and in the monthly view; the totals are then found from the rows' shape.
   */
  private _finerFrom(view: View, ids: Partial<Record<Kind, string>>): number | undefined {
    const status = this.host.backendPanel.status;
    const hass = this.host.hass;
    const key = accountKeyOf(ids);
    if (!status || !hass || !key || view === "monthly") return undefined;
    const resolution = view === "hourly" ? "hour" : "day";
    for (const provider of status.providers) {
      for (const series of provider.series) {
        if (series.resolution !== resolution || !series.covered_from || accountOwner(provider.provider, series.account) !== key) continue;
        const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(series.covered_from);
        if (day) return zonedInstant({ year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) }, serverTimeZone(hass));
      }
    }
    return undefined;
  }

  private _carbonInputsKey(): string {
    const forecast = this.host.backendPanel.forecast;
    return `${this._request?.offset}|${this._request?.config.cleanestHours}|${forecast ? JSON.stringify(forecast.map((f) => [f.statistic_id, f.fetched_at])) : ""}`;
  }

  private _withCarbonShown(data: LoadedRange): LoadedRange {
    this._carbonKey = this._carbonInputsKey();
    const energy = data.energyBuckets ?? data.buckets;
    const carbonShown = shownCarbon({
      buckets: energy,
      carbon: data.carbon,
      view: data.range.view,
      offset: this._request?.offset ?? 0,
      now: this.host.clock(),
      forecasts: this.host.backendPanel.forecast,
      cleanestCount: this._request?.config.cleanestHours ?? 0,
    });
    return { ...data, energyBuckets: energy, buckets: carbonShown?.buckets ?? energy, carbonShown };
  }

  private _set(changes: Partial<Pick<StatisticsController, "status" | "error" | "data" | "missingIds">>): void {
    Object.assign(this, changes);
    this.host.requestUpdate();
  }

  private async _run(request: ViewRequest): Promise<void> {
    const hass = this.host.hass;
    if (!hass) return;
    const seq = ++this._seq;
    const { config, view, offset } = request;
    this._set({ status: "loading", error: undefined });
    try {
      const configured = Boolean(config.ids.paid_energy || config.ids.free_energy);
      // A catalog on its way (asked after another paint, or by another card) is waited for: no second call, and nothing drawn without it.
      const asked = pendingCatalog(hass);
      let catalog = asked ? await asked.catch(() => knownCatalog(hass)) : knownCatalog(hass);
      if (seq !== this._seq) return;
      // Without ids the accounts come from the catalog; a stored one without any is asked again (the backend may have imported since).
      const needed = (!configured && !groupAccounts(catalog?.rows ?? []).length) || (request.stack === "device" && !catalog);
      if (needed && !catalogChecked(hass)) catalog = await freshCatalog(hass);
      if (seq !== this._seq) return;
      const rows = catalog?.rows ?? [];
      this._catalogKey = this._decisions(rows, request);
      const accounts = this._accountsOf(rows, config);
      if (accounts.map((a) => a.key).join() !== this.accounts.map((a) => a.key).join()) this.accounts = accounts.length > 1 ? accounts : [];
      const devicesFound = findDeviceStatistics(rows, hass.states);
      if (devicesFound.map((d) => d.statisticId).join() !== this.deviceStats.map((d) => d.statisticId).join()) this.deviceStats = devicesFound;
      const chosen = accounts.filter((a) => a.key === request.account);
      // One account, or the chosen one; else all of them, summed.
      const shown = accounts.length === 1 ? accounts : chosen.length ? chosen : accounts;
      if (!shown.length) {
        this._set({ data: undefined, missingIds: [], status: "empty" });
        this.painted(); // nothing to paint: check the catalog now
        return;
      }
      const ids: Partial<Record<Kind, string>> = shown.length === 1 ? (shown[0] as DiscoveredAccount).ids : {};
      const rangeAt = (at: number) => viewRange(view, config.spans[view], at, this.host.clock(), displayTimeZone(hass), serverTimeZone(hass));
      let range: ViewRange = request.range ? { ...request.range, period: PERIOD_OF[request.range.view] } : rangeAt(offset);
      const list = shown.flatMap((a) => KINDS.map((k) => a.ids[k]).filter((id): id is string => Boolean(id)));
      const devices = request.stack === "device" ? devicesFound : [];
      // The by-device view has no carbon overlay: its statistics are not fetched.
      const carbonIds: CarbonIds = devices.length ? {} : this._carbonIds(config, ids, rows);
      const carbonList = [carbonIds.intensity, carbonIds.emissions].filter((id): id is string => Boolean(id));
      // HA also returns a bucket that starts exactly at end_time (the next range's first): end 1 ms before, as HA's frontend does.
      const fetchRange = (r: ViewRange) =>
        fetchStatistics(
          hass,
          new Date(r.start),
          new Date(r.end - 1),
          [...new Set([...list, ...devices.map((d) => d.statisticId), ...carbonList])],
          r.period,
          { energy: "kWh" },
          carbonIds.intensity ? ["change", "mean"] : ["change"],
        );
      // The compared period is asked for beside the shown one (never before it): the chart is drawn first, the ghosts join it.
      const comparing = (r: ViewRange) => (request.compare && request.stack !== "device" ? fetchCompared(hass, r, request.compare, list, serverTimeZone(hass)) : undefined);
      const asking = fetchRange(range);
      let compared = comparing(range);
      let stats = await asking;
      if (seq !== this._seq) return;
      const energyIn = (answer: Statistics) => shown.some((a) => [a.ids.paid_energy, a.ids.free_energy].some((id) => id && answer[id]?.length));
      if (request.openOnData && offset === 0 && !energyIn(stats)) {
        // The provider has published nothing for the present range yet: open on the one before, when it has data.
        const older = rangeAt(1);
        const olderStats = await fetchRange(older);
        if (seq !== this._seq) return;
        if (energyIn(olderStats)) {
          range = older;
          stats = olderStats;
          compared = comparing(range);
          this._request = { ...request, offset: 1, openOnData: false };
          this.host.openedOn?.(1);
        }
      }
      this.dataReadyAt = performance.now();
      performance.mark(MARK_DATA_READY);
      const metadata = new Map(rows.map((r) => [r.statistic_id, r]));
      const has = (id: string | undefined) => Boolean(id && (stats[id]?.length || metadata.has(id)));
      const presentIn = () => shown.filter((a) => has(a.ids.paid_energy) || has(a.ids.free_energy));
      let present = presentIn();
      if (!present.length) {
        // No rows to draw: ask HA which ids it has (an unknown id is named; a known one shows "no data").
        for (const row of await getStatisticsMetadata(hass, list)) metadata.set(row.statistic_id, row);
        if (seq !== this._seq) return;
        present = presentIn();
      }
      if (!present.length) {
        // Ids from the config (or `account`) that HA does not know: name them.
        const missingIds = shown.some((a) => a.key === CONFIGURED_ACCOUNT)
          ? shown.flatMap((a) => [a.ids.paid_energy, a.ids.free_energy]).filter((id): id is string => Boolean(id) && !metadata.has(id as string))
          : [];
        this._set({ data: undefined, missingIds, status: "empty" });
        this.painted();
        return;
      }
      const unitOf = (id: string | undefined) => (id ? (metadata.get(id)?.statistics_unit_of_measurement ?? undefined) : undefined);
      // Costs in different currencies are not added up: the sum of several accounts then has no cost.
      const currencies = new Set(present.map((a) => unitOf(a.ids.paid_cost)).filter(Boolean));
      const buckets = sumBuckets(present.map((a) => toBuckets(stats, currencies.size > 1 ? { ...a.ids, paid_cost: undefined } : a.ids)));
      const stack = devices.length
        ? stackByDevice(buckets, devices.map((d) => ({ ...d, rows: stats[d.statisticId] ?? [] })), { maxDevices: MAX_DEVICE_SERIES })
        : undefined;
      const carbon = stack ? undefined : carbonFrom(stats, carbonIds, metadata);
      // A day (month) HA only holds as a total is spread over its hours (days) and drawn as a band; the totals above keep it.
      const finerFrom = this._finerFrom(view, ids);
      const spread = stack?.buckets ?? spreadTotals(buckets, view, serverTimeZone(hass), { now: this.host.clock(), rangeEnd: range.end, finerFrom });
      // The axis spans the whole range: after the last data, empty slots; those up to now are "not in yet".
      // A recent range without any data yet (a picked day, today): "not in yet" from its start when HA has the provider's last hour from the week before.
      const before = !spread.length && !stack ? await this._lastDataBefore(range, present) : undefined;
      if (seq !== this._seq) return;
      const { buckets: drawn, pending } = !stack ? withPendingSlots(spread, range, this.host.clock(), before) : { buckets: spread, pending: undefined };
      const data = this._withCarbonShown({
        range,
        buckets: drawn,
        totals: totalsOf(buckets),
        finerKey: String(finerFrom ?? ""),
        currency: currencies.size === 1 ? [...currencies][0] : (hass.config?.currency ?? undefined),
        ids,
        ...(stack ? { stack } : carbon ? { carbon } : {}),
        ...(pending ? { pending } : {}),
      });
      this.host.backendPanel.rangeChanged(range.start);
      this._set({ data, missingIds: [], status: "ready" });
      if (!drawn.length) this.painted(); // no chart to wait for
      if (compared) void this._addCompared(seq, compared, { present, withoutCost: currencies.size > 1, buckets, drawn });
    } catch (err) {
      if (seq !== this._seq) return;
      this._set({ status: "error", error: errorMessage(err) });
    }
  }

  /** The compared period's statistics are in: line them up with the shown columns (a failed fetch shows no comparison). */
  private async _addCompared(seq: number, compared: ComparedFetch, shown: { present: DiscoveredAccount[]; withoutCost: boolean; buckets: Bucket[]; drawn: Bucket[] }): Promise<void> {
    const stats = await compared.stats;
    const hass = this.host.hass;
    const data = this.data;
    if (seq !== this._seq || !stats || !hass || !data) return;
    const compare = shownCompare(stats, compared, {
      range: data.range,
      accounts: shown.present.map((a) => a.ids),
      withoutCost: shown.withoutCost,
      buckets: shown.buckets,
      slots: shown.drawn.map((b) => b.start),
      now: this.host.clock(),
      serverZone: serverTimeZone(hass),
    });
    this._set({ data: { ...data, compare } });
  }

  /** The last hour with energy in the week before a range that has none and is recent (ends within a week of now). */
  private async _lastDataBefore(range: ViewRange, accounts: DiscoveredAccount[]): Promise<LastDataBefore | undefined> {
    const hass = this.host.hass;
    const ids = accounts.flatMap((a) => [a.ids.paid_energy, a.ids.free_energy]).filter((id): id is string => Boolean(id));
    if (!hass || !ids.length || range.end < this.host.clock() - WEEK || range.start > this.host.clock()) return undefined;
    const rows = await fetchStatistics(hass, new Date(range.start - WEEK), new Date(range.start - 1), ids, "hour", { energy: "kWh" }, ["change"]);
    return Object.values(rows).flat().reduce<LastDataBefore | undefined>((a, row) => (!a || row.start > a.start ? { start: row.start, end: row.end } : a), undefined);
  }

  /** Configured carbon ids; else the emissions beside the energy ids and the backend's intensity statistic, where the catalog has them. */
  private _carbonIds(config: ResolvedCardConfig, ids: Partial<Record<Kind, string>>, rows: StatisticsMetaData[]): CarbonIds {
    const intensity = config.carbon.intensity ?? pickIntensity(rows);
    const sibling = emissionsIdFor(ids);
    const emissions = config.carbon.emissions ?? (sibling && rows.some((r) => r.statistic_id === sibling) ? sibling : undefined);
    return { ...(intensity ? { intensity } : {}), ...(emissions ? { emissions } : {}) };
  }
}
