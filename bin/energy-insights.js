#!/usr/bin/env node
// Entry point of the `energy-insights` command: runs the TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../server/src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
