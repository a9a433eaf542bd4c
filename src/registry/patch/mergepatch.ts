// RFC 7386 JSON Merge Patch, as the API server applies `application/merge-patch+json`
// (evanphx/json-patch MergePatch), and a two-way diff that produces one.

export class MergePatchError extends Error {
  override name = 'MergePatchError';
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

// Patch values that land without a counterpart lose their null members (nested, also inside arrays).
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruneNulls(x);
  return out;
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return pruneNulls(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

/**
 * Returns `doc` merged with `patch` (inputs are not modified). Like the API server, a patch that is
 * null or a scalar is 'Invalid JSON Patch', and a null document is 'Invalid JSON Document'.
 */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (patch === null || patch === undefined || (typeof patch !== 'object')) throw new MergePatchError('Invalid JSON Patch');
  if (doc === null || doc === undefined) throw new MergePatchError('Invalid JSON Document');
  return structuredClone(merge(doc, patch));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
}

/**
 * A merge patch turning `original` into `modified`: removed members become null, changed members
 * (arrays as a whole) are set, nested objects are diffed. Non-object inputs yield `modified` itself.
 */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  if (!isObject(original) || !isObject(modified)) return structuredClone(modified);
  const patch: JsonObject = {};
  for (const k of Object.keys(original)) if (!(k in modified)) patch[k] = null;
  for (const [k, v] of Object.entries(modified)) {
    if (!(k in original)) patch[k] = structuredClone(v);
    else if (isObject(original[k]) && isObject(v)) {
      const sub = createMergePatch(original[k], v) as JsonObject;
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (!deepEqual(original[k], v)) patch[k] = structuredClone(v);
  }
  return patch;
}
