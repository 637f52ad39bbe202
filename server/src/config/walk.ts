/**
 * Walking the schema: where a path leads, with wrappers (optional, defaults, transforms) peeled off.
 * Used to map environment variables and `_file` secrets onto the schema, to suggest keys for typos,
 * and to build the configuration reference.
 */
import type { z } from "zod";
import { configSchema, fieldInfo, type FieldInfo } from "./schema.js";

export type Schema = z.core.$ZodType;
export type PathSegment = string | number;

/** A schema position with its wrappers (optional, defaults, transforms) peeled off. */
export interface SchemaNode {
  schema: Schema;
  kind: "object" | "list" | "leaf";
  info: FieldInfo | undefined;
  /** May be left out (optional or defaulted). */
  optional: boolean;
  /** The default in file form (e.g. "6h"), if any. */
  defaultValue: unknown;
}

export function defOf(schema: Schema): z.core.$ZodTypeDef {
  return schema._zod.def;
}

export function unwrap(schema: Schema): SchemaNode {
  let current = schema;
  let info: FieldInfo | undefined;
  let optional = false;
  let defaultValue: unknown;
  for (;;) {
    info ??= fieldInfo.get(current as z.ZodType);
    const def = defOf(current);
    if (def.type === "optional") {
      optional = true;
      current = (def as z.core.$ZodOptionalDef).innerType;
    } else if (def.type === "prefault" || def.type === "default") {
      optional = true;
      defaultValue ??= (def as z.core.$ZodPrefaultDef).defaultValue;
      current = (def as z.core.$ZodPrefaultDef).innerType;
    } else if (def.type === "pipe") {
      current = (def as z.core.$ZodPipeDef).in;
    } else break;
  }
  const type = defOf(current).type;
  const kind = type === "object" ? "object" : type === "array" ? "list" : "leaf";
  return { schema: current, kind, info, optional, defaultValue };
}

export function objectFields(node: SchemaNode): Record<string, Schema> {
  return node.kind === "object" ? (defOf(node.schema) as z.core.$ZodObjectDef).shape : {};
}

export function listElement(node: SchemaNode): SchemaNode | undefined {
  return node.kind === "list" ? unwrap((defOf(node.schema) as z.core.$ZodArrayDef).element) : undefined;
}

/** The node one step down: a key of an object, or an index of a list. */
export function child(node: SchemaNode, segment: PathSegment): SchemaNode | undefined {
  if (node.kind === "object" && typeof segment === "string") {
    const field = objectFields(node)[segment];
    return field ? unwrap(field) : undefined;
  }
  if (node.kind === "list" && typeof segment === "number") return listElement(node);
  return undefined;
}

export const rootNode: SchemaNode = unwrap(configSchema);

export function nodeAt(path: readonly PathSegment[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = rootNode;
  for (const segment of path) {
    if (!node) return undefined;
    node = child(node, segment);
  }
  return node;
}

/** The secret fields of an object node (each also accepts `<name>_file`). */
export function secretKeys(node: SchemaNode): string[] {
  return Object.entries(objectFields(node))
    .filter(([, s]) => unwrap(s).info?.secret === true)
    .map(([k]) => k);
}
