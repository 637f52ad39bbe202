/** `energy-insights demo`: filled in by the demo step; until then it says so and fails. */
export async function runDemo(): Promise<number> {
  console.error("energy-insights demo: not available yet in this build");
  return 1;
}
