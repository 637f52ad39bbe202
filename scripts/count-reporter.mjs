// node:test reporter that writes one JSON line per finished test (not per suite) so that
// scripts/test.mjs can print a single "N passed, N failed" line for the whole suite.
export default async function* countReporter(source) {
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    if (event.data.details?.type === "suite") continue;
    const passed = event.type === "test:pass" && !event.data.skip && !event.data.todo;
    yield JSON.stringify({ name: event.data.name, file: event.data.file, passed, skipped: Boolean(event.data.skip || event.data.todo) }) + "\n";
  }
}
