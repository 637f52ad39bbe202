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
  },
};
