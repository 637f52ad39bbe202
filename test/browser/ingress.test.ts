/**
 * `backend_url: ingress`: the card finds the add-on through `supervisor/api`, opens an ingress
 * session, and reaches the REAL backend API through a stand-in for the Supervisor's ingress on the
 * page's own origin (helpers/fake-ingress.ts, started by web-test-runner.config.mjs) that refuses
 * upgrades without the `ingress_session` cookie and connects to the backend from the one address
 * the backend allows. The real Supervisor cannot run here (no Supervisor, no Docker).
 */
import { expect, waitUntil } from "@open-wc/testing";
import type { EnergyInsightsCard } from "../../card/src/energy-insights-card.js";
import { resolveConfig, validateConfig } from "../../card/src/energy-insights-card-config.js";
import {
  DEFAULT_ADDON_SLUGS,
  IngressError,
  findIngressAddon,
  ingressCookie,
  ingressSlugs,
  ingressSocketUrl,
  openIngress,
} from "../../card/src/data/ingress.js";
import { makeFakeHass, type FakeHass, type WsMessage } from "./helpers/fake-hass.js";
import { IDS, TZ, contactFixture } from "./helpers/fixture.js";
import { INGRESS_PATH, INGRESS_TEST_HA_TOKEN } from "./helpers/ingress-constants.js";
import { afterEach, describe, it } from "./helpers/mocha.js";
import { mount, shadow, text, unmountAll } from "./helpers/mount.js";

interface ProxyState {
  ingress_path: string;
  backend_port: number;
  proxied: { path: string; session: string }[];
  refused: number;
  sessions: number;
}

const statistics = contactFixture({ from: [2026, 3, 1] });
const SLUG = DEFAULT_ADDON_SLUGS[0];

async function supervisor<T>(path: string): Promise<T> {
  // no-store: the same URL (a new session) must reach the server every time.
  const res = await fetch(`/__supervisor__/${path}`, { cache: "no-store" });
  const body = (await res.json()) as T & { result?: string; message?: string };
  if (!res.ok || body.result === "error") throw { code: "unknown_error", message: body.message ?? `HTTP ${res.status}` };
  return body;
}

const proxyState = () => supervisor<ProxyState>("state");

/** HA's answers to `supervisor/api` for an installed, started add-on with ingress (shape of Supervisor's /addons/<slug>/info). */
function withSupervisor(fake: FakeHass, opts: { installed?: string[]; state?: string } = {}): FakeHass {
  const installed = opts.installed ?? [SLUG];
  const recorder = fake.callWS.bind(fake);
  return Object.assign(fake, {
    auth: { data: { access_token: INGRESS_TEST_HA_TOKEN } },
    states: {},
    async callWS<T>(msg: WsMessage): Promise<T> {
      if (msg.type !== "supervisor/api") return recorder<T>(msg);
      fake.calls.push(structuredClone(msg));
      const addon = /^\/addons\/([^/]+)\/info$/.exec(String(msg.endpoint));
      if (addon && msg.method === "get") {
        if (!installed.includes(addon[1]!)) throw { code: "unknown_error", message: `Addon ${addon[1]} does not exist` };
        return {
          slug: addon[1],
          name: "Energy Insights",
          version: "0.1.0",
          state: opts.state ?? "started",
          ingress: true,
          ingress_entry: INGRESS_PATH.slice(0, -1),
          ingress_url: INGRESS_PATH,
        } as T;
      }
      if (msg.endpoint === "/ingress/session" && msg.method === "post") return supervisor<T>("session");
      if (msg.endpoint === "/ingress/validate_session" && msg.method === "post") {
        await supervisor(`validate_session?session=${encodeURIComponent(String((msg.data as { session: string }).session))}`);
        return null as T;
      }
      throw { code: "unknown_error", message: `no such endpoint ${String(msg.endpoint)}` };
    },
  });
}

function panelState(card: EnergyInsightsCard): string | null {
  return shadow(card).querySelector(".panel")?.getAttribute("data-panel") ?? null;
}

async function panelReady(card: EnergyInsightsCard, state: string): Promise<void> {
  await waitUntil(() => panelState(card) === state, `panel never "${state}" (is ${panelState(card)}: ${text(card, ".panel")})`, { timeout: 10_000 });
  await card.updateComplete;
}

const CONFIG = { type: "custom:energy-insights-card", ...IDS, backend_url: "ingress" };

describe("backend through the add-on's ingress", () => {
  afterEach(() => unmountAll());

  it("connects to the real backend API through ingress with the session cookie, as a non-admin", async () => {
    const before = await proxyState();
    expect(before.ingress_path).to.equal(INGRESS_PATH);
    const fake = withSupervisor(makeFakeHass({ statistics, timeZone: TZ }));
    const card = await mount(fake, CONFIG);
    await panelReady(card, "ready");
    expect(text(card, 'tr.device[data-entity="switch.kettle"]')).to.contain("1,850 W");
    expect(card.backendPanel.url).to.equal(`ws://${location.host}${INGRESS_PATH}`);

    const supervisorCalls = fake.calls.filter((c) => c.type === "supervisor/api");
    expect(supervisorCalls).to.deep.include({ type: "supervisor/api", endpoint: `/addons/${SLUG}/info`, method: "get" });
    expect(supervisorCalls).to.deep.include({ type: "supervisor/api", endpoint: "/ingress/session", method: "post" });
    // The proxy saw the upgrade with a session it minted: the browser sent the cookie the card set.
    const after = await proxyState();
    const fresh = after.proxied.slice(before.proxied.length);
    expect(fresh.length, "one websocket through ingress").to.equal(1);
    expect(fresh[0]!.path).to.equal("/");
    expect(fresh[0]!.session).to.match(/^[0-9a-f]{32}$/);
  });

  it("the backend refuses the browser's direct connection (only the ingress proxy's address may connect)", async () => {
    const { backend_port } = await proxyState();
    const outcome = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${backend_port}/`);
      ws.onopen = () => resolve("open");
      ws.onclose = (ev) => resolve(`closed ${ev.code}`);
    });
    expect(outcome).to.equal("closed 1006");
  });

  it("without a valid session cookie the ingress proxy refuses the socket", async () => {
    await supervisor("expire");
    const before = await proxyState();
    const outcome = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://${location.host}${INGRESS_PATH}`);
      ws.onopen = () => resolve("open");
      ws.onclose = (ev) => resolve(`closed ${ev.code}`);
    });
    expect(outcome).to.equal("closed 1006");
    expect((await proxyState()).refused).to.equal(before.refused + 1);
  });

  it("keeps the session alive: a refused session is replaced by a new one and its cookie", async () => {
    const fake = withSupervisor(makeFakeHass({ statistics, timeZone: TZ }));
    const link = await openIngress(() => fake, DEFAULT_ADDON_SLUGS, { refreshMs: 50 });
    try {
      const first = link.session;
      await waitUntil(() => fake.calls.some((c) => c.endpoint === "/ingress/validate_session"), "validated", { timeout: 15_000 });
      expect(link.session, "a valid session is kept").to.equal(first);
      await supervisor("expire");
      await waitUntil(() => link.session !== first, "a new session after the old one was refused", { timeout: 15_000 });
      const validations = fake.calls.filter((c) => c.endpoint === "/ingress/validate_session");
      expect(validations[0]).to.deep.equal({ type: "supervisor/api", endpoint: "/ingress/validate_session", method: "post", data: { session: first } });
      // The new cookie is the one the browser now sends.
      const outcome = await new Promise<string>((resolve) => {
        const ws = new WebSocket(link.url);
        ws.onmessage = (ev) => {
          resolve(String(JSON.parse(String(ev.data)).type));
          ws.close();
        };
        ws.onclose = (ev) => resolve(`closed ${ev.code}`);
      });
      expect(outcome).to.equal("auth_required");
      expect((await proxyState()).proxied.at(-1)!.session).to.equal(link.session);
    } finally {
      link.close();
    }
  });

  it("on HA Container or Core (no Supervisor) the panel says ingress needs HA OS or Supervised", async () => {
    const fake = Object.assign(makeFakeHass({ statistics, timeZone: TZ }), { auth: { data: { access_token: INGRESS_TEST_HA_TOKEN } } });
    const card = await mount(fake, CONFIG);
    await panelReady(card, "error");
    expect(text(card, ".panel")).to.contain("ingress needs Home Assistant OS or Supervised; set backend_url to the backend's address");
  });

  it("names the add-on problem: not installed under the default slugs, or stopped; backend_addon picks another slug", async () => {
    const missing = withSupervisor(makeFakeHass({ statistics, timeZone: TZ }), { installed: [] });
    const card = await mount(missing, CONFIG);
    await panelReady(card, "error");
    expect(text(card, ".panel")).to.contain("no Energy Insights add-on found").and.contain("backend_addon");
    expect(missing.calls.filter((c) => c.type === "supervisor/api" && String(c.endpoint).startsWith("/addons/")).map((c) => c.endpoint)).to.deep.equal(
      DEFAULT_ADDON_SLUGS.map((s) => `/addons/${s}/info`),
    );

    const stopped = withSupervisor(makeFakeHass({ statistics, timeZone: TZ }), { state: "stopped" });
    await expectRejects(findIngressAddon(stopped, DEFAULT_ADDON_SLUGS), "not_running");

    const custom = withSupervisor(makeFakeHass({ statistics, timeZone: TZ }), { installed: ["abcd1234_energy_insights"] });
    const card2 = await mount(custom, { ...CONFIG, backend_addon: "abcd1234_energy_insights" });
    await panelReady(card2, "ready");
  });

  it("pure parts: cookie, socket URL, config", async () => {
    expect(ingressCookie("abc", false)).to.equal("ingress_session=abc;path=/api/hassio_ingress/;SameSite=Strict");
    expect(ingressCookie("abc", true)).to.equal("ingress_session=abc;path=/api/hassio_ingress/;SameSite=Strict;Secure");
    expect(ingressSocketUrl("/api/hassio_ingress/t0k/", { protocol: "https:", host: "ha.example.org" })).to.equal("wss://ha.example.org/api/hassio_ingress/t0k/");
    expect(ingressSocketUrl("/api/hassio_ingress/t0k", { protocol: "http:", host: "192.168.1.5:8123" })).to.equal("ws://192.168.1.5:8123/api/hassio_ingress/t0k/");
    expect(resolveConfig(validateConfig({ type: CONFIG.type, backend_url: "ingress" })).backendUrl).to.equal("ingress");
    expect(resolveConfig(validateConfig({ type: CONFIG.type, backend_url: " Ingress ", backend_addon: "local_energy_insights" })).backendUrl).to.equal("ingress:local_energy_insights");
    expect(ingressSlugs("ingress:local_energy_insights")).to.deep.equal(["local_energy_insights"]);
    expect(ingressSlugs("ingress")).to.deep.equal(DEFAULT_ADDON_SLUGS);
    expect(ingressSlugs("ws://host:8099")).to.equal(undefined);
    expect(() => validateConfig({ type: CONFIG.type, backend_url: "ingress", backend_addon: "Energy Insights" })).to.throw(/backend_addon/);
    expect(() => validateConfig({ type: CONFIG.type, backend_url: "ingres" })).to.throw(/backend_url/);
  });

  it("the default slug is the Supervisor's name for this repository's add-on (sha1 of repository.yaml's url, first 8 hex, then config.yaml's slug)", async () => {
    const repository = await (await fetch("/repository.yaml")).text();
    const addon = await (await fetch("/addon/config.yaml")).text();
    const url = /^url:\s*(\S+)\s*$/m.exec(repository)![1]!;
    const slug = /^slug:\s*(\S+)\s*$/m.exec(addon)![1]!;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(url.toLowerCase())));
    const hash = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 8);
    expect(DEFAULT_ADDON_SLUGS).to.deep.equal([`${hash}_${slug}`, `local_${slug}`]);
  });
});

async function expectRejects(promise: Promise<unknown>, problem: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(IngressError);
    expect((err as IngressError).problem).to.equal(problem);
    return;
  }
  throw new Error(`expected an IngressError ${problem}`);
}
