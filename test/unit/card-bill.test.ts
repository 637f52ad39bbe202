import { test } from "node:test";
import assert from "node:assert/strict";
import { billDate, billForAccount, billHeader, billMoney, type BillStatus } from "../../card/src/common/bill.js";
import { localizer } from "../../card/src/localize/localize.js";

const EN = { language: "en", number_format: "language" as const };
const en = localizer("en");

function bill(period: Partial<NonNullable<BillStatus["period"]>> | null = {}, over: Partial<BillStatus> = {}): BillStatus {
  return {
    provider: "contact",
    account: "501234567",
    nickname: "Main St",
    currency: "NZD",
    contracts: [{ icp: "0000012345ABC", contract_id: "1350000001", plan: "Good Nights" }],
    balance: 0,
    amount_due: 356.06,
    amount_paid: 356.06,
    payment_due: "2026-12-03",
    next_bill: "2026-12-19",
    read_at: "2026-11-20T00:00:00.000Z",
    period:
      period === null
        ? null
        : {
            start: "2026-11-19",
            end: "2026-12-19",
            start_derived: true,
            days: 30,
            days_to_next_bill: 12,
            data_until: "2026-12-01",
            days_with_data: 13,
            usage_so_far: 54.3,
            so_far: 84.2,
            daily_average: 3.1,
            projected: 131.04,
            daily_fixed_charge: 2.3,
            ...period,
          },
    ...over,
  };
}

test("the header of the issue: so far to the cent, projected in whole dollars, days to the next bill", () => {
  const h = billHeader(bill(), EN, en)!;
  assert.deepEqual(h.parts, ["This bill so far NZ$84.20", "projected NZ$131", "next bill in 12 days"]);
  assert.equal(h.text, "This bill so far NZ$84.20 · projected NZ$131 · next bill in 12 days");
  assert.equal(h.hint, "Usage cost of the days in so far (to Dec 1) plus the daily charge of NZ$2.30 a day; projected with the average of NZ$3.10 a day for the 17 days not in yet. Bill period Nov 19 – Dec 18.");
});

test("edge cases: no projection yet, the bill is today or tomorrow, a period with no data in yet, no period at all", () => {
  assert.deepEqual(billHeader(bill({ projected: null, daily_average: null }), EN, en)!.parts, ["This bill so far NZ$84.20", "next bill in 12 days"]);
  assert.equal(billHeader(bill({ days_to_next_bill: 1 }), EN, en)!.parts[2], "next bill tomorrow");
  assert.equal(billHeader(bill({ days_to_next_bill: 0 }), EN, en)!.parts[2], "next bill today");
  const fresh = billHeader(bill({ data_until: null, days_with_data: 0, so_far: 0, usage_so_far: 0 }), EN, en)!;
  assert.equal(fresh.parts[0], "This bill so far NZ$0.00");
  assert.match(fresh.hint, /^No usage of this bill period is in yet; projected with the recent average of NZ\$3\.10 a day plus the daily charge of NZ\$2\.30\. Bill period Nov 19 – Dec 18\.$/);
  assert.equal(billHeader(bill(null), EN, en), null);
});

test("in Polish, with the user's number format", () => {
  const pl = localizer("pl");
  const h = billHeader(bill(), { language: "pl", number_format: "language" }, pl)!;
  assert.equal(h.parts[2], "następny rachunek za 12 dni");
  assert.match(h.parts[0]!, /^Ten rachunek do tej pory 84,20\s?NZD$/);
});

test("money and dates: currency formats, an unknown currency as number and code, local calendar days unmoved by zones", () => {
  assert.equal(billMoney(131.04, "NZD", EN, true), "NZ$131");
  assert.match(billMoney(84.2, "PLN", EN), /^PLN\s84\.20$/);
  assert.equal(billMoney(1.5, "XX1", EN), "1.50 XX1");
  assert.equal(billDate("2026-12-01", EN), "Dec 1");
  assert.equal(billDate("nonsense", EN), "nonsense");
});

test("the card's bill: by ICP in any spelling, by account number, the only one without an account, none when ambiguous", () => {
  const main = bill();
  const bach = bill({}, { account: "501234568", contracts: [{ icp: "0000024680GHJ", contract_id: "1350000003", plan: null }] });
  assert.equal(billForAccount([main, bach], "0000024680ghj"), bach);
  assert.equal(billForAccount([main, bach], "0000012345ABC"), main);
  assert.equal(billForAccount([main, bach], "501234567"), main);
  assert.equal(billForAccount([main, bach], "nope"), null);
  assert.equal(billForAccount([main], undefined), main);
  assert.equal(billForAccount([main, bach], undefined), null);
  assert.equal(billForAccount(undefined, "x"), null);
});
