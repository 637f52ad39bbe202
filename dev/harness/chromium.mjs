// How every test and benchmark starts Debian's Chromium (DESIGN.md "Testing"): as root it needs
// --no-sandbox; without the background-networking flags it tries to reach the internet, which is
// closed here. Plain JS so that web-test-runner.config.mjs can import it too.
export const CHROMIUM_PATH = process.env.CHROME_PATH || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-dev-shm-usage",
  "--headless",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
