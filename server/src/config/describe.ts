/** The configuration reference, generated from the schema and its documentation. */
import type { z } from "zod";
import { envNameForPattern } from "./env.js";
import { defOf, listElement, objectFields, rootNode, unwrap, type SchemaNode } from "./walk.js";

/** The type of a leaf in words, derived from the schema (or given in its FieldInfo). */
function leafType(node: SchemaNode): string {
  if (node.info?.type) return node.info.type;
  const def = defOf(node.schema) as z.core.$ZodTypeDef & { format?: string };
  switch (def.type) {
    case "string":
      return def.format === "url" ? "URL" : "string";
    case "number": {
      const base = def.format === "safeint" || def.format === "int32" ? "integer" : "number";
      const bound = (check: string) =>
        (def.checks ?? []).map((c) => c._zod.def as { check: string; value?: unknown }).find((c) => c.check === check)?.value;
      const [min, max] = [bound("greater_than"), bound("less_than")];
      return typeof min === "number" && typeof max === "number" ? `${base} ${min}..${max}` : base;
    }
    case "enum":
      return `one of ${Object.values((def as z.core.$ZodEnumDef).entries).join(", ")}`;
    case "array": {
      const element = listElement(node);
      return `list of ${element ? leafType(element) : "values"}`;
    }
    default:
      return def.type;
  }
}

/** One row of the configuration reference. */
export interface ConfigOptionDescription {
  /** Dotted path in the file; list items as `[]`, e.g. `contact.accounts[].password`. */
  path: string;
  /** "section", "list of sections", or the value's type in words ("integer 1..31", "URL", …). */
  type: string;
  /** The default in file form, when there is a fixed one. */
  default: string | number | boolean | undefined;
  /** The default for people: a value, a computed default explained, or "" when none. */
  defaultText: string;
  description: string;
  /** The environment variable that sets it; `<n>` stands for a list index (0, 1, …). */
  env: string;
  /** Must be given whenever its section is present (and has no default). */
  required: boolean;
  /** Never echoed, masked in logs; `<path>_file` rows give the file variant. */
  secret: boolean;
}

function renderDefault(value: unknown): string {
  if (value === undefined) return "";
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

/** Every option of the file, in schema order, generated from the schema and its documentation. */
export function describeConfigSchema(): ConfigOptionDescription[] {
  const rows: ConfigOptionDescription[] = [];
  const visit = (node: SchemaNode, pattern: string[]): void => {
    for (const [key, fieldSchema] of Object.entries(objectFields(node))) {
      const field = unwrap(fieldSchema);
      const path = [...pattern, key];
      const fixedDefault =
        typeof field.defaultValue === "string" || typeof field.defaultValue === "number" || typeof field.defaultValue === "boolean"
          ? field.defaultValue
          : undefined;
      const element = listElement(field);
      const isSection = field.kind === "object" || element?.kind === "object";
      rows.push({
        path: path.join(".").replaceAll(".[]", "[]"),
        type: field.kind === "object" ? "section" : element?.kind === "object" ? "list of sections" : leafType(field),
        default: fixedDefault,
        defaultText: field.info?.defaultNote ?? renderDefault(fixedDefault),
        description: field.info?.description ?? "",
        env: envNameForPattern(path),
        required: !field.optional,
        secret: field.info?.secret === true,
      });
      if (field.info?.secret) {
        rows.push({
          path: `${path.join(".").replaceAll(".[]", "[]")}_file`,
          type: "path",
          default: undefined,
          defaultText: "",
          description: `A file whose content is ${key} (instead of ${key}; one trailing newline is ignored).`,
          env: `${envNameForPattern(path)}_FILE`,
          required: false,
          secret: false,
        });
      }
      if (isSection) visit(element ?? field, element ? [...path, "[]"] : path);
    }
  };
  visit(rootNode, []);
  return rows;
}

