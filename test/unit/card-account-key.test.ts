import { test } from "node:test";
import assert from "node:assert/strict";
import { splitAccountKey } from "../../card/src/data/discovery.js";
import { PROVIDER } from "../../server/src/statistics/ids.js";

test("an account key splits after its provider's slug, also when the slug holds '_'", () => {
  assert.deepEqual(splitAccountKey("contact_0000012345abc"), { provider: "contact", account: "0000012345abc" });
  assert.deepEqual(splitAccountKey("onemeter_4a1_b2"), { provider: "onemeter", account: "4a1_b2" });
  assert.deepEqual(splitAccountKey(`${PROVIDER.electricityMaps}_nz`), { provider: "electricity_maps", account: "nz" });
  assert.deepEqual(splitAccountKey("acme_account_7"), { provider: "acme", account: "account_7" }, "an unknown provider ends at the first '_'");
  assert.deepEqual(splitAccountKey("contact"), { provider: "contact", account: "" });
});
