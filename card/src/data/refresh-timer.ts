/** Calls `tick` every `ms` while the host is in the page (the card's refresh of the shown range). */
import type { ReactiveController, ReactiveControllerHost } from "lit";

export class RefreshTimer implements ReactiveController {
  private _timer?: ReturnType<typeof setInterval>;

  constructor(
    host: ReactiveControllerHost,
    private readonly ms: number,
    private readonly tick: () => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this._timer = setInterval(this.tick, this.ms);
  }

  hostDisconnected(): void {
    if (this._timer) clearInterval(this._timer);
    this._timer = undefined;
  }
}
