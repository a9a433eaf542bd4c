// Field sets as server-side apply sees an object: every field it holds, addressed by a path of elements
// in managedFields' notation ('f:spec', 'k:{"name":"web"}', 'v:"a"'), with the schema deciding which lists
// merge by key, which are sets and which (like scalars) are one value.
import { isDeepStrictEqual } from 'node:util';
import type { PatchMeta, PatchSchema } from '../patch/strategic.ts';

type Obj = Record<string, unknown>;

/** A path's elements joined with SEP: a cheap Set/Map key. */
export type PathKey = string;
export const SEP = '\u0000';

/** The value recorded for a field that holds other fields (a list item or a map entry that is an object). */
export const CONTAINER = Symbol('container');

/** Every field of an object, with its value when it is a leaf. */
export type FieldValues = Map<PathKey, unknown>;

export type ListKind = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] };

export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a list of this field merges: upstream's list-type markers, else its patch strategy, else atomic. */
export function listKind(meta: PatchMeta): ListKind {
  if (meta.listType === 'map' && meta.listMapKeys?.length) return { type: 'map', keys: meta.listMapKeys };
  if (meta.listType === 'set') return { type: 'set' };
  if (meta.listType === 'atomic') return { type: 'atomic' };
  if (meta.strategies.includes('merge')) return meta.mergeKey ? { type: 'map', keys: [meta.mergeKey] } : { type: 'set' };
  return { type: 'atomic' };
}

export interface Child {
  schema: PatchSchema | undefined;
  meta: PatchMeta;
  /** A struct field (rather than a map entry). */
  declared: boolean;
}

const NO_META: PatchMeta = { strategies: [] };

export function childOf(schema: PatchSchema | undefined, key: string): Child {
  if (!schema) return { schema: undefined, meta: NO_META, declared: false };
  try {
    const { schema: child, meta } = schema.field(key);
    return { schema: child, meta, declared: schema.declares(key) };
  } catch {
    // Unknown fields were refused or pruned before; a leftover one is free-form.
    return { schema: undefined, meta: NO_META, declared: false };
  }
}

/** The path element of a list item, or undefined when the item lacks a key field. */
export function itemElement(item: unknown, kind: ListKind): string | undefined {
  if (kind.type === 'set') return `v:${JSON.stringify(item)}`;
  if (kind.type !== 'map' || !isObject(item)) return undefined;
  const key: Obj = {};
  for (const k of [...kind.keys].sort()) {
    if (item[k] === undefined || item[k] === null) return undefined;
    key[k] = item[k];
  }
  return `k:${JSON.stringify(key)}`;
}

/** The items' path elements, or undefined when some item has no key or two items share one (then the list is one value). */
export function itemElements(list: unknown[], kind: ListKind): string[] | undefined {
  if (kind.type === 'atomic') return undefined;
  const elements: string[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const element = itemElement(item, kind);
    if (element === undefined || seen.has(element)) return undefined;
    if (kind.type === 'set' && (typeof item === 'object' && item !== null)) return undefined;
    seen.add(element);
    elements.push(element);
  }
  return elements;
}

/** The fields of `value` (an object) under `schema`, as server-side apply's field sets count them. */
export function fieldValues(value: Obj, schema: PatchSchema | undefined): FieldValues {
  const out: FieldValues = new Map();
  walkObject(value, schema, NO_META, '', out);
  return out;
}

function join(prefix: string, element: string): string {
  return prefix ? `${prefix}${SEP}${element}` : element;
}

function walkObject(value: Obj, schema: PatchSchema | undefined, meta: PatchMeta, path: string, out: FieldValues): void {
  if (meta.mapType === 'atomic') {
    out.set(path, value);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const { schema: childSchema, meta: childMeta, declared } = childOf(schema, key);
    const childPath = join(path, `f:${key}`);
    if (child === null || (isObject(child) && Object.keys(child).length === 0)) out.set(childPath, child);
    else if (isObject(child) && !declared && childMeta.mapType !== 'atomic') out.set(childPath, CONTAINER);
    walkValue(child, childSchema, childMeta, childPath, out);
  }
}

function walkValue(value: unknown, schema: PatchSchema | undefined, meta: PatchMeta, path: string, out: FieldValues): void {
  if (isObject(value)) {
    if (Object.keys(value).length) walkObject(value, schema, meta, path, out);
    return;
  }
  if (Array.isArray(value)) {
    const kind = listKind(meta);
    const elements = itemElements(value, kind);
    if (!elements) {
      out.set(path, value);
      return;
    }
    const items = schema?.items();
    value.forEach((item, i) => {
      const itemPath = join(path, elements[i]!);
      if (kind.type === 'set') {
        out.set(itemPath, item);
        return;
      }
      out.set(itemPath, CONTAINER);
      walkObject(item as Obj, items, NO_META, itemPath, out);
    });
    return;
  }
  if (value !== null) out.set(path, value);
}

/** The paths whose presence or value differ between two objects' fields. */
export function changedPaths(before: FieldValues, after: FieldValues): Set<PathKey> {
  const changed = new Set<PathKey>();
  for (const [path, value] of before) {
    if (!after.has(path)) changed.add(path);
    else if (!sameValue(value, after.get(path))) changed.add(path);
  }
  for (const path of after.keys()) if (!before.has(path)) changed.add(path);
  return changed;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && isDeepStrictEqual(a, b));
}

// ---------------------------------------------------------------- FieldsV1 and messages

/**
 * The FieldsV1 form of a set: nested objects, `{}` for a leaf, `".": {}` (last, as upstream writes it) for a
 * field that holds others too. Elements sort as strings, which puts a path's parent before it.
 */
export function toFieldsV1(paths: Iterable<PathKey>): Obj {
  const root: Obj = {};
  const members: Obj[] = [];
  for (const path of [...paths].sort()) {
    let node = root;
    for (const element of path.split(SEP)) node = (node[element] ??= {}) as Obj;
    members.push(node);
  }
  for (const node of members) if (Object.keys(node).length) node['.'] = {};
  return root;
}

/** The paths of a FieldsV1 value; throws on a malformed one. */
export function fromFieldsV1(fields: unknown): Set<PathKey> {
  const paths = new Set<PathKey>();
  const visit = (node: unknown, prefix: string, depth: number): void => {
    if (!isObject(node) || depth > 100) throw new Error('FieldsV1 must be nested objects');
    const keys = Object.keys(node);
    if (prefix && (keys.length === 0 || keys.includes('.'))) paths.add(prefix);
    for (const key of keys) {
      if (key === '.') continue;
      if (!/^[fkvi]:/.test(key)) throw new Error(`unexpected path element ${JSON.stringify(key)}`);
      visit(node[key], join(prefix, key), depth + 1);
    }
  };
  visit(fields, '', 0);
  return paths;
}

/** A path as upstream prints it: `.spec.containers[name="web"].image`. */
export function pathString(path: PathKey): string {
  return path.split(SEP).map((element) => {
    const body = element.slice(2);
    switch (element[0]) {
      case 'f': return `.${body}`;
      case 'k': return `[${Object.entries(JSON.parse(body) as Obj).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      case 'v': return `[=${body}]`;
      default: return `[${body}]`;
    }
  }).join('');
}
