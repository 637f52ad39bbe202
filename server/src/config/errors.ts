/** The one error an invalid configuration produces. */

export interface ConfigProblem {
  /** Dotted path in the file, e.g. `contact.accounts[0].password`; "" for the file as a whole. */
  path: string;
  /** What is wrong and what is expected. Never contains a secret. */
  message: string;
  /** Where in the YAML file (1-based), when the problem is in the file. */
  line?: number;
  column?: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly problems: readonly ConfigProblem[];
  /** The file that was read, if any. */
  readonly file: string | undefined;

  constructor(problems: readonly ConfigProblem[], file?: string) {
    const where = file ? ` in ${file}` : "";
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`Invalid configuration${where} (${count}):\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
    this.problems = problems;
    this.file = file;
  }
}

export function formatProblem(p: ConfigProblem): string {
  const at = p.line === undefined ? "" : ` (line ${p.line}${p.column === undefined ? "" : `, column ${p.column}`})`;
  return p.path === "" ? `${p.message}${at}` : `${p.path}${at}: ${p.message}`;
}

/** ["contact", "accounts", 0, "password"] → "contact.accounts[0].password" */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
