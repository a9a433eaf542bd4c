// Custom resources against their version's openAPIV3Schema: pruning, structural defaulting and
// validation, reporting what apiextensions-apiserver reports.

import type { JSONSchemaProps } from '../types.ts';
import { child, fieldErr, goJSON, index, isDNS1035Label, key, validateObjectMetaNames, type FieldError } from './errors.ts';
import { openAPIErrors } from './openapi.ts';

type Obj = Record<string, unknown>;
const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const itemsOf = (s: JSONSchemaProps | undefined) => (s?.items && !Array.isArray(s.items) ? s.items : undefined);
const apOf = (s: JSONSchemaProps | undefined) =>
  s && s.additionalProperties !== undefined && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
/** Keys outside properties are governed by additionalProperties (`true` has no schema: objects below are emptied, as upstream). */
const hasAP = (s: JSONSchemaProps | undefined) => !!s && s.additionalProperties !== undefined && s.additionalProperties !== false;

// ---- pruning ----

/**
 * Drops fields the schema does not specify (pruning.PruneWithOptions, root=true): apiVersion, kind and
 * metadata stay at the root and in x-kubernetes-embedded-resource objects; nothing under
 * x-kubernetes-preserve-unknown-fields is dropped unless a nested schema specifies it. Returns a copy
 * and the dropped paths, sorted, in upstream's form (`spec.foo`, `spec.items[0].bar`).
 */
export function pruneUnknown<T extends object>(obj: T, schema: JSONSchemaProps | undefined): { pruned: T; unknownFields: string[] } {
  const pruned = structuredClone(obj);
  const unknownFields: string[] = [];
  const root: JSONSchemaProps = { ...(schema ?? {}), 'x-kubernetes-embedded-resource': true };
  prune(pruned, root, '', unknownFields);
  unknownFields.sort();
  return { pruned, unknownFields };
}

function prune(x: unknown, s: JSONSchemaProps | undefined, path: string, out: string[]): void {
  if (s?.['x-kubernetes-preserve-unknown-fields']) return skipPrune(x, s, path, out);
  if (isObj(x)) {
    for (const k of Object.keys(x)) {
      if (s?.['x-kubernetes-embedded-resource'] && META_FIELDS.has(k)) continue;
      const p = s?.properties?.[k];
      if (p) prune(x[k], p, child(path, k), out);
      else if (hasAP(s)) prune(x[k], apOf(s), child(path, k), out);
      else {
        delete x[k];
        out.push(child(path, k));
      }
    }
  } else if (Array.isArray(x)) {
    x.forEach((v, i) => prune(v, itemsOf(s), index(path, i), out));
  }
}

function skipPrune(x: unknown, s: JSONSchemaProps, path: string, out: string[]): void {
  if (isObj(x)) {
    for (const k of Object.keys(x)) {
      if (s['x-kubernetes-embedded-resource'] && META_FIELDS.has(k)) continue;
      const p = s.properties?.[k];
      if (p) prune(x[k], p, child(path, k), out);
      else if (apOf(s)) prune(x[k], apOf(s), child(path, k), out);
    }
  } else if (Array.isArray(x)) {
    const items = itemsOf(s);
    if (items) x.forEach((v, i) => skipPrune(v, items, index(path, i), out));
  }
}

// ---- defaulting ----

/**
 * Structural defaulting as the decoder does it: first drops nulls of non-nullable fields that have no
 * default (PruneNonNullableNullsWithoutDefaults), then fills absent fields (and non-nullable nulls)
 * with their schema default, recursively (defaults inside defaults apply too). Mutates `obj` and
 * returns it.
 */
export function applyDefaults<T extends object>(obj: T, schema: JSONSchemaProps | undefined): T {
  const out = obj;
  if (schema) {
    pruneNulls(out, schema);
    fillDefaults(out, schema);
  }
  return out;
}

const nonNullableNull = (v: unknown, s: JSONSchemaProps | undefined) => v === null && !!s && !s.nullable;

function pruneNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isObj(x)) {
    for (const k of Object.keys(x)) {
      const p = s.properties?.[k] ?? apOf(s);
      if (!p) continue;
      if (nonNullableNull(x[k], p) && p.default === undefined) delete x[k];
      else pruneNulls(x[k], p);
    }
  } else if (Array.isArray(x)) {
    for (const v of x) pruneNulls(v, itemsOf(s));
  }
}

function fillDefaults(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isObj(x)) {
    for (const [k, p] of Object.entries(s.properties ?? {})) {
      if (p.default === undefined) continue;
      if (!(k in x) || nonNullableNull(x[k], p)) x[k] = structuredClone(p.default);
    }
    const ap = apOf(s);
    for (const k of Object.keys(x)) {
      const p = s.properties?.[k];
      if (p) fillDefaults(x[k], p);
      else if (ap) {
        if (nonNullableNull(x[k], ap) && ap.default !== undefined) x[k] = structuredClone(ap.default);
        fillDefaults(x[k], ap);
      }
    }
  } else if (Array.isArray(x)) {
    const items = itemsOf(s);
    x.forEach((v, i) => {
      if (nonNullableNull(v, items) && items?.default !== undefined) x[i] = structuredClone(items.default);
      fillDefaults(x[i], items);
    });
  }
}

// ---- validation ----

export interface ValidateOptions {
  /** true: metadata.namespace required; false: forbidden; undefined: not checked. */
  namespaced?: boolean;
}

/**
 * What the custom resource strategy reports on create/update: metadata.name as a DNS subdomain, the
 * OpenAPI v3 schema (kube-openapi's messages), embedded resources' apiVersion/kind, and
 * x-kubernetes-list-type set/map uniqueness.
 */
export function validateCustomResource(obj: object, schema: JSONSchemaProps | undefined, opts: ValidateOptions = {}): FieldError[] {
  const o = obj as Obj;
  const errs = validateObjectMetaNames(isObj(o.metadata) ? (o.metadata as Obj) : undefined, opts.namespaced);
  if (!schema) return errs;
  errs.push(...openAPIErrors(obj, schema));
  errs.push(...validateEmbedded('', obj, schema, true));
  errs.push(...validateListTypes('', obj, schema));
  return dedupe(errs);
}

function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
}

// objectmeta.Validate with isResourceRoot=false: embedded resources need apiVersion and kind.
function validateEmbedded(path: string, x: unknown, s: JSONSchemaProps | undefined, root = false): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  if (isObj(x)) {
    if (s['x-kubernetes-embedded-resource'] && !root) errs.push(...embeddedResourceErrors(path, x));
    for (const [k, v] of Object.entries(x)) {
      const p = s.properties?.[k];
      if (p) errs.push(...validateEmbedded(child(path, k), v, p));
      else if (apOf(s)) errs.push(...validateEmbedded(key(path, k), v, apOf(s)));
    }
  } else if (Array.isArray(x)) {
    x.forEach((v, i) => errs.push(...validateEmbedded(index(path, i), v, itemsOf(s))));
  }
  return errs;
}

function embeddedResourceErrors(path: string, x: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!('apiVersion' in x)) errs.push(fieldErr.required(child(path, 'apiVersion')));
  if (!('kind' in x)) errs.push(fieldErr.required(child(path, 'kind')));
  for (const [k, v] of Object.entries(x)) {
    if (k === 'apiVersion') {
      if (typeof v !== 'string') errs.push(fieldErr.invalid(child(path, k), v, 'must be a string'));
      else if (!v) errs.push(fieldErr.required(child(path, k)));
      else if (v.split('/').length > 2) {
        errs.push(fieldErr.invalid(child(path, k), v, `unexpected GroupVersion string: ${v}`));
      }
    } else if (k === 'kind') {
      if (typeof v !== 'string') errs.push(fieldErr.invalid(child(path, k), v, 'must be a string'));
      else if (!v) errs.push(fieldErr.required(child(path, k)));
      else {
        const e = isDNS1035Label(v.toLowerCase());
        if (e.length) errs.push(fieldErr.invalid(child(path, k), v, `may have mixed case, but should otherwise match: ${e.join(',')}`));
      }
    }
  }
  return errs;
}

// listtype.ValidateListSetsAndMaps
function validateListTypes(path: string, x: unknown, s: JSONSchemaProps | undefined): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [];
  if (isObj(x)) {
    for (const [k, v] of Object.entries(x)) {
      const ap = apOf(s);
      if (ap) errs.push(...validateListTypes(key(path, k), v, ap));
      const p = s.properties?.[k];
      if (p) errs.push(...validateListTypes(child(path, k), v, p));
    }
  } else if (Array.isArray(x)) {
    const listType = s['x-kubernetes-list-type'];
    if (listType === 'set') {
      for (const i of nonUniqueIndices(x)) errs.push(fieldErr.duplicate(index(path, i), x[i]));
    } else if (listType === 'map') {
      errs.push(...validateListMap(path, s['x-kubernetes-list-map-keys'] ?? [], x));
    }
    const items = itemsOf(s);
    if (items) x.forEach((v, i) => errs.push(...validateListTypes(index(path, i), v, items)));
  }
  return errs;
}

/** Indices of the second appearance of each repeated element. */
function nonUniqueIndices(list: unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  list.forEach((x, i) => {
    const k = x === undefined ? '\u0000unspecified' : goJSON(x) + (typeof x === 'object' && x !== null ? '' : `:${typeof x}`);
    const n = seen.get(k) ?? 0;
    if (n === 1) out.push(i);
    seen.set(k, n + 1);
  });
  return out;
}

function validateListMap(path: string, keys: string[], list: unknown[]): FieldError[] {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isObj(x)) return [fieldErr.invalid(index(path, i), x, 'must be an object for an array of list-type map')];
  }
  if (list.length <= 1) return [];
  const keyOf = (x: unknown): Obj => {
    const k: Obj = {};
    if (isObj(x)) for (const f of keys) if (f in x) k[f] = x[f];
    return k;
  };
  if (keys.length === 1) {
    const f = keys[0];
    const vals = list.map((x) => (isObj(x) && f in x ? x[f] : undefined));
    return nonUniqueIndices(vals).map((i) => fieldErr.duplicate(index(path, i), vals[i] === undefined ? {} : { [f]: vals[i] }));
  }
  const ks = list.map(keyOf);
  return nonUniqueIndices(ks).map((i) => fieldErr.duplicate(index(path, i), ks[i]));
}
