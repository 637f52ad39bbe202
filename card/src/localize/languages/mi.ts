import type { Translation } from "./en.js";

type Partial2<T> = { [K in keyof T]?: Partial<T[K]> };

/** Te reo Māori. First draft: to be reviewed by a speaker; anything missing falls back to English. */
export const mi: Partial2<Translation> = {
  card: {
    name: "Energy Insights",
    description: "Te hiko utu me te hiko koreutu, ia hāora, ia rā, ia marama rānei, me te utu.",
    default_title: "Hiko",
  },
  view: { hourly: "Ia hāora", daily: "Ia rā", monthly: "Ia marama" },
  series: { free: "Koreutu", paid: "Utu", total: "Tapeke", cost: "Te utu" },
  header: {
    energy: "Kua whakamahia",
    free_share: "Wāhanga koreutu",
    cost: "Te utu",
    saved: "I penapenatia e ngā hāora koreutu",
    previous: "Wā o mua",
    next: "Wā e whai ake",
  },
  state: {
    loading: "E uta ana i ngā tatauranga…",
    empty_title: "Kāore anō he tatauranga",
    empty_text: "Whakaritea te tuara Energy Insights: ka kawea mai e ia tō whakamahinga hiko ki Home Assistant.",
    empty_link: "Me pēhea te whakahaere i te tuara",
    no_data: "Kāore he raraunga mō tēnei wā.",
    error: "Kāore i taea te uta i ngā tatauranga: {message}",
    retry: "Whakamātau anō",
  },
  editor: {
    title: "Taitara",
    view: "Tirohanga tuatahi",
    show_cost: "Whakaatuhia te utu hei rārangi",
    backend_url: "Te URL o te API o te tuara (papa pūrere)",
    backend_helper: "Te API o te tuara Energy Insights, pērā i te ws://homeassistant.local:8099. Waiho kia wātea kia kore ai he papa pūrere.",
  },
  panel: {
    title: "Ngā pūrere",
    connecting: "E hono ana ki te tuara…",
    unreachable: "Kāore e taea te tae atu ki te tuara i {url}. Ka mahi tonu ngā kauwhata i ngā tatauranga a Home Assistant.",
    auth_refused: "I whakakāhore te tuara i {url} i te takiuru Home Assistant: {message}",
    error: "Kāore i taea e te tuara te whakautu: {message}",
    learning_off: "Kua whakawetohia te ako pūrere i te tuara.",
    no_devices: "Kāore anō kia akona he pūrere.",
    device: "Pūrere",
    power: "Pūngao",
    confidence: "Māia",
    events: "Ngā takahanga",
    energy_day: "kWh/rā",
    cost_day: "Utu/rā",
    energy_total: "Hiko (tapeke)",
    cost_total: "Utu (tapeke)",
    period_unknown: "He tapeke te hiko me te utu mai i te tīmatanga o te ako: kāore te tuara e kī ana e hia ngā rā, nō reira kāore he tatau ia rā.",
    learning: "e ako ana",
    select_hint: "Kōwhiria tētahi pūrere kia tohua ōna takahanga ki te kauwhata ia hāora.",
    marked: "{count} ngā takahanga o {name} kua tohua ki te kauwhata.",
    hourly_only: "Hurihia ki te tirohanga ia hāora kia kitea ōna takahanga ki te kauwhata.",
    recent: "Ngā takahanga tata nei",
    no_events: "Kāore anō he takahanga kia tuhia.",
    not_counted: "kāore i tatauria: {reason}",
  },
};
