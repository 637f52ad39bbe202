import { existsSync, readFileSync } from "node:fs";

/**
 * The folder of Energy Insights' package.json, found by walking up from this module: the same answer
 * from the TypeScript sources (server/src/…) and from the compiled bundle (dist/server/…), whose
 * depths differ.
 */
export function packageRoot(from: string | URL = import.meta.url): URL {
  let dir = new URL("./", from);
  for (;;) {
    const manifest = new URL("package.json", dir);
    if (existsSync(manifest) && packageName(manifest) === "energy-insights") return dir;
    const parent = new URL("../", dir);
    if (parent.href === dir.href) throw new Error("energy-insights: cannot find the package's package.json above its code");
    dir = parent;
  }
}

function packageName(manifest: URL): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}

/** The package's version, as package.json says. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("package.json", packageRoot()), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}
