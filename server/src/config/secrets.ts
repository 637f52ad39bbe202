/**
 * Secret fields (marked `secret: true` in the schema) may be given as `<name>_file`: the path of a
 * file holding the value (Docker and Kubernetes secrets, systemd credentials). The file is read at
 * load; one trailing newline is ignored. Relative paths are relative to the working directory.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { listElement, objectFields, secretKeys, unwrap, type PathSegment, type SchemaNode } from "./walk.js";

export interface SecretFinding {
  path: PathSegment[];
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function readError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  return code ?? "unreadable";
}

/**
 * Replace every `<name>_file` in `raw` (changed in place) by `<name>` with the file's content.
 * Returns the secret values found (from files or given directly) and the problems met.
 */
export function resolveSecretFiles(raw: Record<string, unknown>, node: SchemaNode, cwd: string): { secrets: string[]; problems: SecretFinding[] } {
  const secrets: string[] = [];
  const problems: SecretFinding[] = [];
  const visit = (value: unknown, at: SchemaNode, path: PathSegment[]): void => {
    const element = listElement(at);
    if (element && Array.isArray(value)) {
      value.forEach((item, i) => visit(item, element, [...path, i]));
      return;
    }
    if (at.kind !== "object" || !isRecord(value)) return;
    for (const key of secretKeys(at)) {
      const fileKey = `${key}_file`;
      if (fileKey in value) {
        const file = value[fileKey];
        delete value[fileKey];
        if (value[key] !== undefined) {
          problems.push({ path: [...path, fileKey], message: `set either ${key} or ${fileKey}, not both` });
        } else if (typeof file !== "string" || file === "") {
          problems.push({ path: [...path, fileKey], message: `expected the path of a file holding the ${key}` });
        } else {
          const abs = resolve(cwd, file);
          try {
            const content = readFileSync(abs, "utf8").replace(/\r?\n$/, "");
            if (content === "") problems.push({ path: [...path, fileKey], message: `${abs} is empty; expected it to hold the ${key}` });
            else value[key] = content;
          } catch (error) {
            problems.push({ path: [...path, fileKey], message: `cannot read ${abs}: ${readError(error)}` });
          }
        }
      }
      if (typeof value[key] === "string" && value[key] !== "") secrets.push(value[key]);
    }
    for (const [key, schema] of Object.entries(objectFields(at))) {
      if (key in value) visit(value[key], unwrap(schema), [...path, key]);
    }
  };
  visit(raw, node, []);
  return { secrets, problems };
}
