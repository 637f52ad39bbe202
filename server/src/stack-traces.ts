/**
 * Stack traces of the compiled backend name the TypeScript line, without keeping source maps in
 * memory (issue 19). Node's own support (`--enable-source-maps`, `process.setSourceMapsEnabled`)
 * reads and keeps every loaded chunk's map from start-up on: ~1.5 MB of the service's idle memory for
 * something only an error's stack needs. Here a stack is translated when it is formatted (the first
 * time an error's `.stack` is read, e.g. when it is logged): the maps of the chunks in it are read
 * then, kept a few seconds for the errors logged with it, and dropped.
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/** How long read maps are kept after their last use (a burst of logged errors parses each map once). */
const KEEP_MS = 5000;

interface Loaded {
  map: SourceMap;
  /** The map file's URL: the sources it names are relative to it. */
  url: URL;
}

let cache = new Map<string, Loaded | null>();
let dropTimer: NodeJS.Timeout | undefined;

function mapOf(file: string): Loaded | null {
  let loaded = cache.get(file);
  if (loaded !== undefined) return loaded;
  loaded = null;
  try {
    const path = file.startsWith("file:") ? fileURLToPath(file) : file;
    const url = pathToFileURL(`${path}.map`);
    loaded = { map: new SourceMap(JSON.parse(readFileSync(url, "utf8")) as ConstructorParameters<typeof SourceMap>[0]), url };
  } catch {
    // No map beside it (Node's own modules, better-sqlite3, a map that cannot be read): as V8 says.
  }
  cache.set(file, loaded);
  clearTimeout(dropTimer);
  dropTimer = setTimeout(() => (cache = new Map()), KEEP_MS);
  dropTimer.unref();
  return loaded;
}

/** "file:line:column" of a frame in the sources, or undefined where the map does not say. */
export function originalLocation(file: string, line: number, column: number): string | undefined {
  const loaded = mapOf(file);
  if (!loaded) return undefined;
  // SourceMap counts lines and columns from 0, V8 from 1.
  const entry = loaded.map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return undefined;
  const source = new URL(entry.originalSource, loaded.url);
  return `${source.protocol === "file:" ? fileURLToPath(source) : source.href}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

function frame(site: NodeJS.CallSite): string {
  const text = String(site);
  const file = site.getFileName() ?? site.getScriptNameOrSourceURL();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!file || line === null || column === null || !/\.m?js$/.test(file)) return text;
  const where = `${file}:${line}:${column}`;
  const original = originalLocation(file, line, column);
  return original && text.includes(where) ? text.replace(where, original) : text;
}

/**
 * Installs the translation for the process. Only for the compiled backend: run through tsx, the
 * sources need none (and setting Error.prepareStackTrace would replace tsx's own).
 */
export function translateStackTraces(): void {
  Error.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]) => {
    let head: string;
    try {
      head = Error.prototype.toString.call(error);
    } catch {
      head = "Error";
    }
    return [head, ...sites.map((s) => {
      try {
        return `    at ${frame(s)}`;
      } catch {
        return `    at ${String(s)}`;
      }
    })].join("\n");
  };
}
