// Server-side apply's object operations: an applied configuration merged into the live object (maps by
// field, keyed lists by key, sets by value, everything else replaced), and fields removed by path.
import type { PatchMeta, PatchSchema } from '../patch/strategic.ts';
import { childOf, isObject, itemElement, itemElements, listKind, SEP, type PathKey } from './fieldset.ts';

type Obj = Record<string, unknown>;

export class ApplyMergeError extends Error {}

/** `config` merged into `live` (neither is changed). */
export function mergeApplied(live: Obj, config: Obj, schema: PatchSchema | undefined): Obj {
  return mergeObject(live, config, schema, { strategies: [] });
}

function mergeObject(live: unknown, config: Obj, schema: PatchSchema | undefined, meta: PatchMeta): Obj {
  if (meta.mapType === 'atomic') return config;
  const out: Obj = isObject(live) ? { ...live } : {};
  for (const [key, value] of Object.entries(config)) {
    if (value === null || value === undefined) {
      delete out[key];
      continue;
    }
    const { schema: child, meta: childMeta } = childOf(schema, key);
    out[key] = mergeValue(out[key], value, child, childMeta);
  }
  return out;
}

function mergeValue(live: unknown, config: unknown, schema: PatchSchema | undefined, meta: PatchMeta): unknown {
  if (isObject(config)) return mergeObject(live, config, schema, meta);
  if (Array.isArray(config)) return mergeList(live, config, schema, meta);
  return config;
}

/**
 * Items of both lists merge, in structured-merge-diff's order: items both lists have come in the applied
 * order, an item only the live list has keeps its place among them, and new applied items follow theirs.
 */
function mergeList(live: unknown, config: unknown[], schema: PatchSchema | undefined, meta: PatchMeta): unknown[] {
  const kind = listKind(meta);
  if (kind.type === 'atomic') return config;
  if (kind.type === 'set' && config.includes(null)) {
    throw new ApplyMergeError('associative list without keys has an element that\'s an explicit null');
  }
  const configElements = itemElements(config, kind);
  if (!configElements) {
    const missing = config.find((item) => itemElement(item, kind) === undefined);
    if (missing !== undefined && kind.type === 'map') {
      throw new ApplyMergeError(`associative list with keys has an element that omits key field ${JSON.stringify(kind.keys.find((k) => !isObject(missing) || missing[k] == null) ?? kind.keys[0])}`);
    }
    throw new ApplyMergeError('duplicate entries in a list that merges by key or value');
  }
  const liveList = Array.isArray(live) ? live : [];
  const liveElements = itemElements(liveList, kind);
  if (!liveElements) return config;
  const items = schema?.items();
  const liveByElement = new Map(liveElements.map((element, i) => [element, liveList[i]]));
  const inConfig = new Set(configElements);
  const shared = configElements.filter((element) => liveByElement.has(element));
  const out: unknown[] = [];
  const done = new Set<string>();
  let nextShared = 0;
  const take = (r: number) => {
    const element = configElements[r]!;
    done.add(element);
    if (shared[nextShared] === element) nextShared++;
    out.push(kind.type === 'set' ? config[r] : mergeObject(liveByElement.get(element), config[r] as Obj, items, { strategies: [] }));
  };
  let l = 0;
  let r = 0;
  while (l < liveElements.length || r < config.length) {
    const element = liveElements[l];
    if (element !== undefined && r < config.length) {
      if (element === configElements[r]) {
        take(r++);
        l++;
        continue;
      }
      // A shared item whose turn in the applied order has not come yet.
      if (inConfig.has(element) && nextShared < shared.length && shared[nextShared] !== element) {
        l++;
        continue;
      }
    }
    if (element !== undefined && (!inConfig.has(element) || done.has(element))) {
      if (!inConfig.has(element)) out.push(liveList[l]);
      l++;
      continue;
    }
    if (r < config.length) take(r++);
    else l++;
  }
  return out;
}

/** Removes the fields at `paths` from `obj` (in place), and the maps and lists that this leaves empty. */
export function removePaths(obj: Obj, paths: Iterable<PathKey>, schema: PatchSchema | undefined): void {
  const sorted = [...paths].map((p) => p.split(SEP)).sort((a, b) => a.length - b.length);
  for (const elements of sorted) removePath(obj, elements, schema);
}

function removePath(root: Obj, elements: string[], schema: PatchSchema | undefined): void {
  const trail: { container: Obj | unknown[]; at: string | number }[] = [];
  let current: unknown = root;
  let currentSchema = schema;
  let meta: PatchMeta = { strategies: [] };
  for (const element of elements) {
    if (element.startsWith('f:')) {
      if (!isObject(current)) return;
      const key = element.slice(2);
      if (!(key in current)) return;
      trail.push({ container: current, at: key });
      const child = childOf(currentSchema, key);
      current = current[key];
      currentSchema = child.schema;
      meta = child.meta;
    } else {
      if (!Array.isArray(current)) return;
      const kind = listKind(meta);
      const index = current.findIndex((item) => itemElement(item, kind) === element);
      if (index < 0) return;
      trail.push({ container: current, at: index });
      current = current[index];
      currentSchema = currentSchema?.items();
      meta = { strategies: [] };
    }
  }
  for (let i = trail.length - 1; i >= 0; i--) {
    const { container, at } = trail[i]!;
    if (Array.isArray(container)) container.splice(at as number, 1);
    else delete container[at as string];
    const emptied = Array.isArray(container) ? container.length === 0 : Object.keys(container).length === 0;
    // Keep the top-level fields and metadata themselves; drop what removal emptied below them.
    if (!emptied || i <= 1) return;
  }
}
