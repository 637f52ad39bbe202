// Debian's Chromium driven by puppeteer-core, logged in to a real Home Assistant by the tokens the
// frontend keeps in localStorage (ha-api.md §5.3), with the page's console errors collected.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type ConsoleMessage, type Page } from "puppeteer-core";
import { connectWebSocket, type RunningHa } from "./ha.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.mjs";


export interface PageProblem {
  kind: "console" | "pageerror";
  text: string;
  /** Script URL the message came from, when Chromium knows it. */
  url: string | undefined;
}

export interface HaBrowser {
  browser: Browser;
  /** A new tab that is logged in to `ha` and records its console errors in `problems`. */
  newPage(): Promise<Page>;
  /** Console errors and uncaught exceptions of every page opened so far. */
  problems: PageProblem[];
  close(): Promise<void>;
}

/** `hassTokens` as home-assistant-js-websocket's AuthData: the long-lived token, never expiring, nothing to refresh. */
function hassTokens(ha: Pick<RunningHa, "url" | "token">): string {
  return JSON.stringify({
    hassUrl: ha.url,
    clientId: `${ha.url}/`,
    access_token: ha.token,
    refresh_token: "",
    expires_in: 365 * 24 * 3600,
    expires: Date.now() + 365 * 24 * 3600_000,
    token_type: "Bearer",
  });
}

export interface BrowserOptions {
  viewport?: { width: number; height: number };
  /** The browser's time zone (HA's default profile setting shows times in the browser's zone). */
  timeZone?: string;
}

export async function launchBrowser(ha: Pick<RunningHa, "url" | "token">, opts: BrowserOptions = {}): Promise<HaBrowser> {
  const viewport = opts.viewport ?? { width: 1200, height: 900 };
  const userDataDir = mkdtempSync(join(tmpdir(), "ei-e2e-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    userDataDir,
    args: CHROMIUM_ARGS,
    defaultViewport: viewport,
  });
  const problems: PageProblem[] = [];
  const tokens = hassTokens(ha);
  return {
    browser,
    problems,
    async newPage() {
      const page = await browser.newPage();
      if (opts.timeZone) await page.emulateTimezone(opts.timeZone);
      page.on("console", (message: ConsoleMessage) => {
        if (message.type() === "error") problems.push({ kind: "console", text: message.text(), url: message.location().url });
      });
      page.on("pageerror", (error: unknown) => {
        const text = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
        problems.push({ kind: "pageerror", text, url: undefined });
      });
      // Before any script of the page runs, on every navigation of this tab.
      await page.evaluateOnNewDocument((origin: string, value: string) => {
        if (location.origin === origin) localStorage.setItem("hassTokens", value);
      }, ha.url, tokens);
      await page.evaluateOnNewDocument(DEEP_QUERY);
      return page;
    },
    async close() {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * In every page: `window.__deepQuery(selector)`, `__deepQueryAll(selector)` and `__deepText(node)`,
 * which look through every open shadow root (HA's frontend nests each panel, view and card in its
 * own). Plain script text, so that no bundler helper (esbuild's `__name`) reaches the page.
 */
const DEEP_QUERY = `
window.__deepQueryAll = function deepQueryAll(selector, root = document, out = []) {
  out.push(...root.querySelectorAll(selector));
  for (const el of root.querySelectorAll("*")) if (el.shadowRoot) deepQueryAll(selector, el.shadowRoot, out);
  return out;
};
window.__deepQuery = (selector) => window.__deepQueryAll(selector)[0] ?? null;
window.__deepText = function deepText(node) {
  let text = "";
  for (const child of node.childNodes) text += child.nodeType === Node.TEXT_NODE ? child.textContent + " " : deepText(child);
  if (node.shadowRoot) text += deepText(node.shadowRoot);
  return text;
};
`;

/** What DEEP_QUERY adds to `window`, for page.evaluate callbacks. */
export interface DeepQueryWindow {
  __deepQuery(selector: string): HTMLElement | null;
  __deepQueryAll(selector: string): HTMLElement[];
  /** The text of a node including everything in the shadow roots below it. */
  __deepText(node: Node): string;
}

/**
 * HA 2026.8+ imports the harness's `http:` YAML as a pending config on the first start, shows every
 * browser a "Confirm new HTTP server configuration" dialog and reverts it after five minutes unless
 * it is promoted. Promote it, as a user would by pressing Confirm; older versions have no such command.
 */
export async function confirmHttpConfig(ha: RunningHa): Promise<void> {
  const socket = await connectWebSocket(ha.wsUrl, ha.token);
  try {
    const config = (await socket.call({ type: "http/config" }).catch(() => undefined)) as { pending?: unknown } | undefined;
    if (config?.pending) await socket.call({ type: "http/config/promote" });
  } finally {
    socket.close();
  }
}

