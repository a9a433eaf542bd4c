// Server-side application of Kubernetes strategic merge patches
// (k8s.io/apimachinery/pkg/util/strategicpatch StrategicMergeMapPatch), driven by OpenAPI v3 schemas.
//
// Deliberate difference: patch content that lands in the result without being merged (new fields, new
// list items, replaced lists and maps) is cleaned the way decoding into Go types would: members with
// null values and leftover directive keys are dropped, maps carrying `$patch` are removed.

export type PatchErrorStatus = 400 | 422 | 500;

/** `status` is what the API server answers for this error (BadRequest, Invalid, InternalError). */
export class StrategicMergePatchError extends Error {
  override name = 'StrategicMergePatchError';
  constructor(
    message: string,
    readonly status: PatchErrorStatus = 500,
  ) {
    super(message);
  }
}

export interface PatchMeta {
  /** x-kubernetes-patch-strategy split on ','; e.g. ['merge', 'retainKeys']. */
  strategies: string[];
  /** x-kubernetes-patch-merge-key. */
  mergeKey?: string;
  /** x-kubernetes-list-type and -list-map-keys: informational, patching follows the strategy only (as upstream). */
  listType?: string;
  listMapKeys?: string[];
  /** x-kubernetes-map-type: 'atomic' makes an object one value for server-side apply. */
  mapType?: string;
}

export interface PatchField {
  /** The field's own schema; undefined when free-form (then nested lists are replaced, maps merged). */
  schema: PatchSchema | undefined;
  meta: PatchMeta;
}

export interface PatchSchema {
  /** For messages, e.g. 'io.k8s.api.core.v1.PodSpec'. */
  readonly name: string;
  /** Field `key` of the object this schema describes; throws StrategicMergePatchError if it has no such field. */
  field(key: string): PatchField;
  /** The item schema, when this schema describes a list. */
  items(): PatchSchema | undefined;
  /** Whether `key` is a declared property (a struct field) rather than an entry of a map or of a free-form object. */
  declares(key: string): boolean;
}

// ---------------------------------------------------------------- OpenAPI v3 schemas

type SchemaNode = Record<string, unknown>;
const NO_META: PatchMeta = Object.freeze({ strategies: [] }) as PatchMeta;

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

// Follows $ref and single-element allOf wrappers (as kube-openapi emits) to the describing schema.
function resolve(node: SchemaNode, components: Record<string, object>): { node: SchemaNode; name?: string } {
  let name: string | undefined;
  for (let hops = 0; hops < 32; hops++) {
    if (typeof node.$ref === 'string') {
      name = node.$ref.slice(node.$ref.lastIndexOf('/') + 1);
      node = (components[name] ?? {}) as SchemaNode;
    } else if (Array.isArray(node.allOf) && node.allOf.length === 1 && !node.properties && !node.items) {
      node = node.allOf[0] as SchemaNode;
    } else {
      break;
    }
  }
  return { node, name };
}

function readMeta(node: SchemaNode, resolved: SchemaNode): PatchMeta {
  const ext = (k: string) => (has(node, k) ? node[k] : resolved[k]);
  const strategy = ext('x-kubernetes-patch-strategy');
  const mergeKey = ext('x-kubernetes-patch-merge-key');
  const listType = ext('x-kubernetes-list-type');
  const listMapKeys = ext('x-kubernetes-list-map-keys');
  const mapType = ext('x-kubernetes-map-type');
  if (strategy !== undefined && typeof strategy !== 'string') throw badArgType('string', strategy);
  if (mergeKey !== undefined && typeof mergeKey !== 'string') throw badArgType('string', mergeKey);
  const meta: PatchMeta = { strategies: strategy ? strategy.split(',') : [] };
  if (mergeKey) meta.mergeKey = mergeKey;
  if (typeof listType === 'string') meta.listType = listType;
  if (Array.isArray(listMapKeys)) meta.listMapKeys = listMapKeys as string[];
  if (typeof mapType === 'string') meta.mapType = mapType;
  return meta;
}

class OpenAPIPatchSchema implements PatchSchema {
  readonly name: string;
  private readonly resolved: SchemaNode;
  // Children are made once: patches and server-side apply walk the same schemas for every write.
  private readonly declared = new Map<string, PatchField>();
  private entries?: PatchField;
  private itemSchema?: PatchSchema | null;

  constructor(
    node: SchemaNode,
    private readonly components: Record<string, object>,
    fallbackName: string,
  ) {
    const { node: resolved, name } = resolve(node, components);
    this.resolved = resolved;
    this.name = name ?? fallbackName;
  }

  private child(node: unknown, suffix: string): PatchSchema {
    return new OpenAPIPatchSchema(isMap(node) ? node : {}, this.components, `${this.name}${suffix}`);
  }

  field(key: string): PatchField {
    const node = this.resolved;
    const props = isMap(node.properties) ? node.properties : undefined;
    if (props && has(props, key)) {
      let field = this.declared.get(key);
      if (!field) {
        const prop = isMap(props[key]) ? (props[key] as SchemaNode) : {};
        field = { schema: this.child(prop, `.${key}`), meta: readMeta(prop, resolve(prop, this.components).node) };
        this.declared.set(key, field);
      }
      return field;
    }
    if (isMap(node.additionalProperties)) {
      return this.entries ??= { schema: this.child(node.additionalProperties, '.additionalProperties'), meta: NO_META };
    }
    if (props && node.additionalProperties !== true && node['x-kubernetes-preserve-unknown-fields'] !== true) {
      throw new StrategicMergePatchError(`unable to find api field ${JSON.stringify(key)} in ${this.name}`);
    }
    return { schema: undefined, meta: NO_META };
  }

  items(): PatchSchema | undefined {
    if (this.itemSchema === undefined) {
      const items = this.resolved.items;
      this.itemSchema = isMap(items) ? this.child(items, '.items') : null;
    }
    return this.itemSchema ?? undefined;
  }

  declares(key: string): boolean {
    return isMap(this.resolved.properties) && has(this.resolved.properties, key);
  }
}

/** A PatchSchema over an OpenAPI v3 schema whose `$ref`s point into `components` (by definition name). */
export function schemaPatchMeta(root: object, components: Record<string, object>): PatchSchema {
  return new OpenAPIPatchSchema(root as SchemaNode, components, 'root');
}

// ---------------------------------------------------------------- Go-flavoured messages

type Obj = Record<string, unknown>;

// The reflect type the value would have after k8s JSON decoding.
function goType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

// fmt's %v.
function goString(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Obj;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goString(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

const fail = (message: string, status: PatchErrorStatus = 500) => new StrategicMergePatchError(message, status);
const badArgType = (expected: string, actual: unknown) => fail(`expected a ${expected}, but received a ${goType(actual)}`);
const noMergeKey = (m: unknown, key: string) => fail(`map: ${goString(m)} does not contain declared merge key: ${key}`);
const badPatchType = (t: unknown, m: unknown) => fail(`unknown patch type: ${goString(t)} in map: ${goString(m)}`);
const BAD_JSON_DOC = 'invalid JSON document';
const BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
const BAD_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';

// ---------------------------------------------------------------- merging

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

interface FieldInfo {
  schema: PatchSchema | undefined;
  strategy: string;
  mergeKey: string;
}

// The strategy other than retainKeys (which only matters to clients computing patches).
function strategyOf(strategies: string[]): string {
  const rest = strategies.filter((s) => s !== 'retainKeys');
  if (strategies.length > 2 || rest.length > 1) throw fail(`unexpected patch strategy: ${goString(strategies)}`);
  return rest[0] ?? '';
}

function lookup(schema: PatchSchema | undefined, key: string): FieldInfo {
  if (!schema) return { schema: undefined, strategy: '', mergeKey: '' };
  const { schema: sub, meta } = schema.field(key);
  return { schema: sub, strategy: strategyOf(meta.strategies), mergeKey: meta.mergeKey ?? '' };
}

function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw fail(prefix === SET_ELEMENT_ORDER ? BAD_SET_ELEMENT_ORDER : BAD_PRIMITIVE_LIST, 400);
  }
  return key.slice(slash + 1);
}

const isDirectiveKey = (k: string) =>
  k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(`${SET_ELEMENT_ORDER}/`) || k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`);

// Patch content stored as is: drop maps carrying $patch, null members and directive keys.
function clean(v: unknown): { keep: boolean; value: unknown } {
  if (Array.isArray(v)) {
    return { keep: true, value: v.map(clean).filter((c) => c.keep).map((c) => c.value) };
  }
  if (!isMap(v)) return { keep: true, value: v };
  if (has(v, DIRECTIVE)) return { keep: false, value: undefined };
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null || isDirectiveKey(k)) continue;
    const c = clean(x);
    if (c.keep) out[k] = c.value;
  }
  return { keep: true, value: out };
}

function cleanMap(m: Obj): Obj {
  return clean(m).value as Obj;
}

function elementKind(...lists: unknown[][]): string {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = goType(v);
      if (kind === undefined) {
        if (t === '[]interface {}') throw fail('lists of lists are not supported', 422);
        kind = t;
      } else if (t !== kind) {
        throw fail(`list element types are not identical: ${goString(lists)}`);
      }
    }
  }
  if (kind === undefined) throw fail('no elements in any of the given slices');
  return kind;
}

const MAP = 'map[string]interface {}';

function keyOf(item: unknown, mergeKey: string, kind: string): unknown {
  if (kind !== MAP) return item;
  return isMap(item) ? item[mergeKey] : undefined;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: string): number {
  const key = keyOf(item, mergeKey, kind);
  return list.findIndex((x) => keyOf(x, mergeKey, kind) === key);
}

function findByMergeKey(list: unknown[], mergeKey: string, value: unknown): number {
  return list.findIndex((x, i) => {
    if (!isMap(x)) throw fail(`value for key ${i} is not a map`);
    return has(x, mergeKey) && x[mergeKey] === value;
  });
}

function requireMergeKeys(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw badArgType(MAP, item);
      if (!has(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

// Sorts `items` by their position in `order`; $patch:delete items go last.
function sortByOrder(items: unknown[], order: unknown[], mergeKey: string, kind: string): unknown[] {
  let toDelete: unknown[] = [];
  if (kind === MAP) {
    requireMergeKeys(mergeKey, items, order);
    toDelete = items.filter((v) => (v as Obj)[DIRECTIVE] === 'delete');
    items = items.filter((v) => (v as Obj)[DIRECTIVE] !== 'delete');
  }
  const positioned = items.map((item) => ({ item, at: indexIn(order, item, mergeKey, kind) }));
  if (positioned.every((p) => p.at >= 0)) {
    positioned.sort((a, b) => a.at - b.at);
  } else {
    // Go's sort.SliceStable (insertion sort) with upstream's "unknown sorts first" comparison.
    const less = (a: { at: number }, b: { at: number }) => (a.at >= 0 && b.at >= 0 ? a.at < b.at : true);
    for (let i = 1; i < positioned.length; i++) {
      for (let j = i; j > 0 && less(positioned[j], positioned[j - 1]); j--) {
        [positioned[j], positioned[j - 1]] = [positioned[j - 1], positioned[j]];
      }
    }
  }
  return [...positioned.map((p) => p.item), ...toDelete];
}

/**
 * Orders a merged list: items named in the patch keep the patch's relative order, server-only items
 * keep the live order, and each server-only item is placed before the first patch item it preceded
 * in the live list. Patch items the live list lacks therefore come first.
 */
function normalizeOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: string,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = indexIn(serverOrder, left[i], mergeKey, kind);
    const ri = indexIn(serverOrder, right[j], mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return [...out, ...left.slice(i), ...right.slice(j)];
}

// Splits `merged` into the items present in `by` (by merge key, or by value for primitives) and the rest.
function partition(merged: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  if (!mergeKey) {
    const set = new Set(by);
    for (const v of merged) (set.has(v) ? inPatch : serverOnly).push(v);
    return [inPatch, serverOnly];
  }
  for (const v of merged) {
    if (!isMap(v)) throw badArgType(MAP, v);
    if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (findByMergeKey(by, mergeKey, v[mergeKey]) >= 0 ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  itemSchema: PatchSchema | undefined,
  mergeKey: string,
  isDeleteList: boolean,
  fieldName: string,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let merged: unknown[];
  if (kind !== MAP) {
    if (isDeleteList) {
      const remove = new Set(patch);
      return original.filter((v) => !remove.has(v));
    }
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!mergeKey) throw fail(`cannot merge lists without merge key for ${itemSchema?.name ?? fieldName}`);
    [original, patch] = applyListDirectives(original, patch, mergeKey);
    merged = [...original];
    for (const item of patch as Obj[]) {
      if (!has(item, mergeKey)) throw noMergeKey(item, mergeKey);
      const at = findByMergeKey(merged, mergeKey, item[mergeKey]);
      if (at >= 0) merged[at] = mergeMap(merged[at] as Obj, item, itemSchema);
      else merged.push(cleanMap(item));
    }
  }
  const [patchItems, serverOnly] = partition(merged, patch, mergeKey);
  return normalizeOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

// Handles `$patch` items of a merging list; returns the (possibly reduced) original and the plain patch items.
function applyListDirectives(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  for (const item of patch as Obj[]) {
    if (!has(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!has(item, mergeKey)) throw noMergeKey(item, mergeKey);
      original = original.filter((x) => !(has(x as Obj, mergeKey) && (x as Obj)[mergeKey] === item[mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw fail('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, item);
    }
  }
  return replace ? [clean(plain).value as unknown[], []] : [original, plain];
}

function mergeField(original: unknown, patch: unknown, field: FieldInfo, key: string, isDeleteList: boolean): unknown {
  if (isMap(patch)) {
    if (field.strategy === 'replace' && !has(patch, DIRECTIVE)) return cleanMap(patch);
    return mergeMap(original as Obj, patch, field.schema);
  }
  if (Array.isArray(patch)) {
    if (field.strategy !== 'merge' && !isDeleteList) return clean(patch).value;
    return mergeList(original as unknown[], patch, field.schema?.items(), field.mergeKey, isDeleteList, key);
  }
  return patch;
}

function applyRetainKeys(original: Obj, patch: Obj): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw fail(BAD_RETAIN_KEYS, 400);
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw fail(BAD_RETAIN_KEYS, 400);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

// Checks that the patch list's items (deletions and directives aside) appear in $setElementOrder, in order.
function checkSetElementOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    for (const v of patchList) if (!isMap(v)) throw badArgType(MAP, v);
    items = patchList.filter((v) => (v as Obj)[DIRECTIVE] !== 'delete');
  }
  const sameKey = (a: unknown, b: unknown) => {
    if (!mergeKey) return a === b;
    if (!isMap(a)) throw badArgType(MAP, a);
    if (!isMap(b)) throw badArgType(MAP, b);
    if (!has(a, mergeKey)) throw noMergeKey(a, mergeKey);
    if (!has(b, mergeKey)) throw noMergeKey(b, mergeKey);
    return a[mergeKey] === b[mergeKey];
  };
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isMap(items[p]) && has(items[p] as Obj, DIRECTIVE)) {
      p++;
      continue;
    }
    if (sameKey(items[p], order[o])) p++;
    o++;
  }
  if (p < items.length) {
    throw fail(`the order in patch list:\n${goString(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goString(order)}`);
  }
}

// Merges each list named by a $setElementOrder/<field> directive and orders it as the directive says.
function applySetElementOrder(original: Obj, patch: Obj, schema: PatchSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType('[]interface {}', order);
    const field = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = has(original, field);
    const foundPatch = has(patch, field);
    const originalList = original[field];
    const patchList = patch[field];
    if (foundOriginal && !Array.isArray(originalList)) throw badArgType('[]interface {}', originalList);
    if (foundPatch && !Array.isArray(patchList)) throw badArgType('[]interface {}', patchList);
    if (!foundOriginal && !foundPatch) continue;
    const info = lookup(schema, field);
    checkSetElementOrder((patchList as unknown[]) ?? [], order, info.mergeKey);

    let merged: unknown[];
    if (!foundPatch) merged = originalList as unknown[];
    else if (!foundOriginal) merged = clean(patchList).value as unknown[];
    else merged = mergeField(originalList, patchList, info, field, false) as unknown[];

    const [inOrder, serverOnly] = partition(merged, order, info.mergeKey);
    const kind = elementKind((originalList as unknown[]) ?? [], (patchList as unknown[]) ?? []);
    original[field] = normalizeOrder(inOrder, serverOnly, order, (originalList as unknown[]) ?? [], info.mergeKey, kind);
    delete patch[field];
  }
}

function mergeMap(original: Obj | undefined, patch: Obj, schema: PatchSchema | undefined): Obj {
  if (has(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return cleanMap(patch);
    }
    if (directive === 'delete') return {};
    throw badPatchType(directive, patch);
  }
  original ??= {};
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, schema);

  for (let [key, patchValue] of Object.entries(patch)) {
    const isDeleteList = key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    if (isDeleteList) key = extractKey(key, DELETE_FROM_PRIMITIVE_LIST);
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    if (!has(original, key) || goType(original[key]) !== goType(patchValue)) {
      if (isDeleteList) continue;
      const c = clean(patchValue);
      if (c.keep) original[key] = c.value;
      else delete original[key];
      continue;
    }
    if (isMap(patchValue) || Array.isArray(patchValue)) {
      original[key] = mergeField(original[key], patchValue, lookup(schema, key), key, isDeleteList);
    } else {
      original[key] = patchValue;
    }
  }
  return original;
}

/**
 * Applies a strategic merge patch to `original` (neither input is modified) and returns the result.
 * Both must be JSON objects (a null/undefined original counts as {}, a null patch as no change).
 * Throws StrategicMergePatchError.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: PatchSchema): unknown {
  if (patch === null || patch === undefined) patch = {};
  if (original === null || original === undefined) original = {};
  if (!isMap(patch) || !isMap(original)) throw fail(BAD_JSON_DOC, 400);
  return mergeMap(structuredClone(original), structuredClone(patch), schema);
}
