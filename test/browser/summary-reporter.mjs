// @web/test-runner reporter: counts every test (not files) and writes {passed, failed, skipped, failures}
// to WTR_SUMMARY_FILE (default test/artifacts/browser-summary.json), then prints "browser: N passed, N failed".
// A file that fails to load, or a browser error outside a test, counts as one failed test.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

function walk(suite, path, out) {
  if (!suite) return;
  for (const test of suite.tests ?? []) out.push({ name: [...path, test.name].join(" › "), passed: test.passed, skipped: test.skipped, error: test.error?.message });
  for (const child of suite.suites ?? []) walk(child, [...path, child.name], out);
}

export function summaryReporter({ file = process.env.WTR_SUMMARY_FILE ?? "test/artifacts/browser-summary.json" } = {}) {
  let last;
  return {
    onTestRunFinished({ sessions }) {
      last = sessions;
    },
    stop({ sessions }) {
      const all = sessions ?? last ?? [];
      const results = [];
      for (const session of all) {
        const tests = [];
        walk(session.testResults, [session.testFile.replace(/^.*test\/browser\//, "")], tests);
        results.push(...tests);
        const ran = tests.length > 0;
        if (session.errors?.length || (!ran && session.passed === false)) {
          results.push({ name: `${session.testFile}: ${session.errors?.[0]?.message ?? "failed to run"}`, passed: false, skipped: false });
        }
      }
      const passed = results.filter((r) => r.passed && !r.skipped).length;
      const skipped = results.filter((r) => r.skipped).length;
      const failed = results.filter((r) => !r.passed && !r.skipped);
      const path = resolve(file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, JSON.stringify({ passed, failed: failed.length, skipped, failures: failed.map((f) => ({ name: f.name, error: f.error })) }, null, 2));
      console.log(`browser: ${passed} passed, ${failed.length} failed${skipped ? `, ${skipped} skipped` : ""}`);
    },
  };
}
