import type { Translation } from "./en.js";

type Partial2<T> = { [K in keyof T]?: Partial<T[K]> };

export const pl: Partial2<Translation> = {
  card: {
    name: "Energy Insights",
    description: "Energia płatna i darmowa w podziale na godziny, dni lub miesiące, z kosztem i oszczędnością z darmowych godzin.",
    default_title: "Energia",
  },
  view: { hourly: "Godzinowo", daily: "Dziennie", monthly: "Miesięcznie" },
  series: { free: "Darmowa", paid: "Płatna", total: "Razem", cost: "Koszt" },
  header: {
    energy: "Zużycie",
    free_share: "Udział darmowej",
    cost: "Koszt",
    saved: "Oszczędność z darmowych godzin",
    previous: "Poprzedni okres",
    next: "Następny okres",
  },
  state: {
    loading: "Wczytywanie statystyk…",
    empty_title: "Brak statystyk",
    empty_text: "Uruchom backend Energy Insights: importuje on zużycie od dostawcy do Home Assistanta.",
    empty_link: "Jak uruchomić backend",
    no_data: "Brak danych w tym okresie.",
    error: "Nie udało się wczytać statystyk: {message}",
    retry: "Ponów",
  },
  editor: {
    title: "Tytuł",
    view: "Widok początkowy",
    hourly_days: "Widok godzinowy: dni",
    daily_days: "Widok dzienny: dni",
    monthly_months: "Widok miesięczny: miesiące",
    provider: "Dostawca",
    account: "Konto lub ICP",
    paid_energy: "Statystyka energii płatnej",
    free_energy: "Statystyka energii darmowej",
    paid_cost: "Statystyka kosztu",
    free_color: "Kolor darmowej",
    paid_color: "Kolor płatnej",
    cost_color: "Kolor kosztu",
    show_cost: "Pokaż koszt jako linię",
    statistics_helper: "Zostaw puste, aby automatycznie znaleźć statystyki backendu.",
  },
};
