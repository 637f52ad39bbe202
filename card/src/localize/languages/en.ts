/** English: the reference language; every other language falls back to these strings. */
export const en = {
  card: {
    name: "Energy Insights",
    description: "Paid and free electricity by hour, day or month, with cost and what the free hours saved.",
    default_title: "Energy",
  },
  view: { hourly: "Hourly", daily: "Daily", monthly: "Monthly" },
  series: { free: "Free", paid: "Paid", total: "Total", cost: "Cost" },
  header: {
    energy: "Used",
    free_share: "Free share",
    cost: "Cost",
    saved: "Free hours saved",
    previous: "Previous period",
    next: "Next period",
  },
  state: {
    loading: "Loading statistics…",
    empty_title: "No statistics yet",
    empty_text: "Set up the Energy Insights backend: it imports your provider's usage into Home Assistant.",
    empty_link: "How to run the backend",
    no_data: "No data for this period.",
    error: "Could not load statistics: {message}",
    retry: "Retry",
  },
  editor: {
    title: "Title",
    view: "Initial view",
    hourly_days: "Hourly view: days",
    daily_days: "Daily view: days",
    monthly_months: "Monthly view: months",
    provider: "Provider",
    account: "Account or ICP",
    paid_energy: "Paid energy statistic",
    free_energy: "Free energy statistic",
    paid_cost: "Cost statistic",
    free_color: "Free colour",
    paid_color: "Paid colour",
    cost_color: "Cost colour",
    show_cost: "Show cost as a line",
    statistics_helper: "Leave empty to find the backend's statistics automatically.",
  },
};

/** The shape every language follows (all strings; a missing one falls back to English). */
export type Translation = typeof en;
