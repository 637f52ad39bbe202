import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { parseConfig } from "../../server/src/config/index.js";
import { collectSecrets, createLogger, isSecretKey, MASK, type LoggerOptions } from "../../server/src/log.js";
import { describeConfigSchema } from "../../server/src/config/index.js";

/** A logger writing into memory; `lines()` gives the records written so far. */
function memoryLogger(options: Partial<LoggerOptions> = {}) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const log = createLogger({ level: "trace", destination, ...options });
  return {
    log,
    text: () => chunks.join(""),
    lines: () => chunks.join("").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const PASSWORD = "Hunter2 &secret/pw";
const TOKEN = "eyJhbGciOiJIUzI1NiJ9.session-token";

test("known secret keys are redacted at any depth, whatever their case or spelling", () => {
  const { log, lines } = memoryLogger();
  log.info(
    {
      password: "p1-password",
      apiKey: "k1-api-key",
      nested: { deeper: { access_token: "t1-token", list: [{ Authorization: "Bearer t2-token" }] } },
      req: { headers: { "x-api-key": "k2-api-key", session: "s1-session", "content-type": "application/json" } },
      user: "me@example.com",
    },
    "login",
  );
  const [record] = lines();
  assert.deepEqual(
    { password: record!.password, apiKey: record!.apiKey, nested: record!.nested, req: record!.req, user: record!.user, msg: record!.msg },
    {
      password: MASK,
      apiKey: MASK,
      nested: { deeper: { access_token: MASK, list: [{ Authorization: MASK }] } },
      req: { headers: { "x-api-key": MASK, session: MASK, "content-type": "application/json" } },
      user: "me@example.com",
      msg: "login",
    },
  );
});

test("secret values are masked inside messages, error messages and stacks, URLs (also URL-encoded), and bindings", () => {
  const { log, text, lines } = memoryLogger({ secrets: [PASSWORD, TOKEN] });
  const error = new Error(`login failed for password ${PASSWORD}`);
  log.error({ err: error, url: `https://api.example/usage?token=${TOKEN}&pw=${encodeURIComponent(PASSWORD)}` }, `request with ${TOKEN} failed`);
  log.child({ context: `session ${TOKEN}` }).warn({ deep: { list: [`x${PASSWORD}y`] } }, "retrying");
  log.error(new Error(`token ${TOKEN} rejected`));

  assert.ok(!text().includes(PASSWORD), text());
  assert.ok(!text().includes(encodeURIComponent(PASSWORD)), text());
  assert.ok(!text().includes(TOKEN), text());
  const [first, second, third] = lines();
  assert.equal(first!.msg, `request with ${MASK} failed`);
  assert.equal(first!.url, `https://api.example/usage?token=${MASK}&pw=${MASK}`);
  const err = first!.err as { message: string; stack: string; type: string };
  assert.equal(err.message, `login failed for password ${MASK}`);
  assert.match(err.stack, /^Error: login failed for password \*\*\*\n/);
  assert.equal(second!.context, `session ${MASK}`);
  assert.deepEqual(second!.deep, { list: [`x${MASK}y`] });
  assert.equal(third!.msg, `token ${MASK} rejected`);
});

test("secrets added to the set later are masked from then on; very short ones are not searched for", () => {
  const secrets = new Set<string>(["abc"]);
  const { log, lines } = memoryLogger({ secrets });
  log.info("before late-session-token");
  secrets.add("late-session-token");
  log.info("after late-session-token, abc");
  assert.deepEqual(
    lines().map((l) => l.msg),
    ["before late-session-token", `after ${MASK}, abc`],
  );
});

test("levels filter, and pretty output is one readable line, masked too", () => {
  const quiet = memoryLogger({ level: "warn" });
  quiet.log.info("hidden");
  quiet.log.warn("shown");
  assert.deepEqual(quiet.lines().map((l) => l.msg), ["shown"]);

  const pretty = memoryLogger({ pretty: true, secrets: [TOKEN] });
  pretty.log.info({ series: 3, token: "x" }, `synced with ${TOKEN}`);
  assert.match(pretty.text(), /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}synced with \*\*\* \{"series":3,"token":"\*\*\*"\}\n$/);
});

test("collectSecrets finds every secret of a config, and every secret field of the schema has a redacted key", () => {
  const config = parseConfig(
    {
      home_assistant: { token: "ha-token-123" },
      contact: {
        api_key: "contact-key-456",
        accounts: [
          { username: "a@example.com", password: "pw-one" },
          { username: "b@example.com", password: "pw-two" },
        ],
      },
    },
    {},
  );
  assert.deepEqual(collectSecrets(config).sort(), ["contact-key-456", "ha-token-123", "pw-one", "pw-two"]);
  for (const row of describeConfigSchema().filter((r) => r.secret)) {
    const key = row.path.split(".").pop()!;
    assert.ok(isSecretKey(key), `${row.path} is secret in the schema but its key is not redacted in logs`);
  }
});
