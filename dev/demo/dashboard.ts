/**
 * The demo's Lovelace dashboard: one view per thing the card shows, so each has its own URL
 * (`/energy-insights/<path>`) that the console prints and the demo's e2e test opens.
 */
export interface DemoStatistics {
  paid: string;
  free: string;
  cost: string;
  emissions: string;
  /** Electricity Maps' intensity (emissions use it) and WattTime's. */
  electricityMaps: string;
  wattTime: string;
  oneMeterImport: string;
}

export interface DemoView {
  path: string;
  title: string;
  /** What a newcomer should look at on it (printed on the console). */
  what: string;
  cards: Record<string, unknown>[];
}

export const DASHBOARD_PATH = "energy-insights";

export function demoViews(ids: DemoStatistics, backendUrl: string): DemoView[] {
  const home = { type: "custom:energy-insights-card", paid_energy: ids.paid, free_energy: ids.free, paid_cost: ids.cost, emissions: ids.emissions, carbon_intensity: ids.electricityMaps };
  return [
    {
      path: "hourly",
      title: "Hourly",
      what: "nine days of paid and free kWh with cost, the grid's carbon intensity as a line, the cleanest hours ahead, the learned devices and the OneMeter reader",
      cards: [{ ...home, title: "Home, hour by hour", view: "hourly", backend_url: backendUrl, show_cost: true }],
    },
    { path: "daily", title: "Daily", what: "35 days, with the period's emissions in the header", cards: [{ ...home, title: "Home, day by day", view: "daily" }] },
    { path: "monthly", title: "Monthly", what: "18 months (older months as the provider's totals)", cards: [{ ...home, title: "Home, month by month", view: "monthly" }] },
    {
      path: "carbon",
      title: "Carbon",
      what: "Electricity Maps' intensity as green-to-red bands, and WattTime's signal as a line",
      cards: [
        { ...home, title: "Cleanest and dirtiest hours (Electricity Maps)", view: "hourly", carbon_overlay: "bands", backend_url: backendUrl },
        { ...home, title: "WattTime", view: "hourly", carbon_intensity: ids.wattTime, carbon_overlay: "line" },
      ],
    },
    {
      path: "devices",
      title: "By device",
      what: "each hour split into the learned devices and the untracked rest, and the devices panel (select a device to mark its switchings)",
      cards: [{ ...home, title: "Where the energy went", view: "hourly", stack: "device", backend_url: backendUrl }],
    },
    {
      path: "onemeter",
      title: "OneMeter",
      what: "a OneMeter reader (a meter in Warsaw) polled every minute: its hourly import, and its status line with battery and power now",
      cards: [{ type: "custom:energy-insights-card", title: "OneMeter reader: grid import", paid_energy: ids.oneMeterImport, carbon_overlay: "none", backend_url: backendUrl }],
    },
    {
      path: "contracts",
      title: "Contracts",
      what: "a card with nothing configured: every contract the two logins have, with All summing them",
      cards: [{ type: "custom:energy-insights-card", view: "daily" }],
    },
    {
      path: "compare",
      title: "Compare",
      what: "35 days against the 35 before (a faint area, and the change in the header), this bill so far and projected, and Download CSV",
      cards: [{ ...home, title: "Home against the period before", view: "daily", compare: "previous", backend_url: backendUrl }],
    },
    {
      path: "picker",
      title: "Date picker",
      what: "Home Assistant's energy date picker, with the card following the dates it picks (try Week or Month)",
      cards: [{ type: "energy-date-selection" }, { ...home, title: "Following the date picker", period: "energy" }],
    },
  ];
}

export function dashboardConfig(views: readonly DemoView[]): Record<string, unknown> {
  return { title: "Energy Insights demo", views: views.map((v) => ({ title: v.title, path: v.path, cards: v.cards })) };
}
