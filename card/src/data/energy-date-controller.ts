/**
 * The card's link to the Energy dashboard's date picker (`period: energy`): a Lit ReactiveController
 * that follows the picker's collection (energy-date.ts) once the card has `hass`, stops when the card
 * leaves the page or the option is turned off, and tells the card when the dates change.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { CompareMode } from "../common/compare.js";
import { serverTimeZone } from "../common/format.js";
import type { HomeAssistant } from "../ha-types.js";
import { energyRange, subscribeEnergyDate, type EnergyCardOptions, type EnergyDateState, type EnergyView } from "./energy-date.js";

export interface EnergyDateHost extends ReactiveControllerHost {
  hass?: HomeAssistant;
  /** The picker's state changed (dates picked, or no picker found): load what it says. */
  energyDateChanged(): void;
}

/** The range the picker asks for, as the card draws it. */
export interface PickedRange {
  view: EnergyView;
  start: number;
  end: number;
  timeZone: string;
}

export class EnergyDateController implements ReactiveController {
  /** Undefined while not following (no `period: energy`, or no `hass` yet). */
  state?: EnergyDateState;

  private _key = "";
  private _subscribedKey?: string;
  private _unsubscribe?: () => void;
  private _attached = false;
  private _options?: EnergyCardOptions;

  constructor(private readonly host: EnergyDateHost) {
    host.addController(this);
  }

  /** The card's options: follows the picker with `period: energy` (subscribes once the card has `hass` and is on the page). */
  configure(options: EnergyCardOptions): void {
    this._options = options;
    this._key = options.followEnergy ? `energy|${options.collectionKey ?? ""}` : "";
    this._sync();
  }

  hostConnected(): void {
    this._attached = true;
    this._sync();
  }

  hostDisconnected(): void {
    this._attached = false;
    this._stop();
  }

  /** True with `period: energy` while the picker has not been found yet (nor given up on): nothing to load. */
  get waiting(): boolean {
    return Boolean(this._key) && (this.state === undefined || this.state.status === "waiting");
  }

  /** The picked dates as the card draws them (undefined unless following a picker). */
  pickedRange(now: number): PickedRange | undefined {
    const hass = this.host.hass;
    if (!this._key || !hass || this.state?.status !== "following") return undefined;
    return energyRange(this.state.selection, now, serverTimeZone(hass));
  }

  /** The comparison shown: the card's `compare` when set, else the picker's (none without one). */
  compareMode(): CompareMode | null {
    const configured = this._options?.compare;
    if (configured !== undefined) return configured;
    return this._key && this.state?.status === "following" ? this.state.selection.compare : null;
  }

  private _sync(): void {
    const hass = this.host.hass;
    const wanted = this._key && this._attached && hass ? this._key : undefined;
    if (wanted === this._subscribedKey) return;
    this._stop();
    if (!wanted || !hass) return;
    this._subscribedKey = wanted;
    this._unsubscribe = subscribeEnergyDate(hass, {
      collectionKey: this._options?.collectionKey,
      onChange: (state) => {
        this.state = state;
        this.host.energyDateChanged();
        this.host.requestUpdate();
      },
    });
  }

  private _stop(): void {
    this._unsubscribe?.();
    this._unsubscribe = undefined;
    this._subscribedKey = undefined;
    this.state = undefined;
  }
}
