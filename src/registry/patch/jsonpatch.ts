// RFC 6902 JSON Patch, behaving (quirks and error texts included) like the evanphx/json-patch v4
// library the Kubernetes API server applies `application/json-patch+json` with:
//  - `replace` of a missing object member adds it (only missing array indices fail);
//  - negative array indices count from the end;
//  - `copy` from a missing object member copies null;
//  - an `add` without `value` adds null.

export class PatchError extends Error {
  override name = 'PatchError';
}

export interface JsonPatchOperation {
  op: string;
  path?: string;
  from?: string;
  value?: unknown;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Container = Json[] | { [k: string]: Json };

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';

function goJsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // object, string, number
}

/** jsonpatch.DecodePatch: a JSON array of operation objects (null decodes as no operations). */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (patch === null || patch === undefined) return [];
  if (!Array.isArray(patch)) {
    throw new PatchError(`json: cannot unmarshal ${goJsonType(patch)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of patch) {
    if (op !== null && (typeof op !== 'object' || Array.isArray(op))) {
      throw new PatchError(`json: cannot unmarshal ${goJsonType(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  return patch.map((op) => (op ?? {}) as JsonPatchOperation);
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

// RFC 6901: "~1" is "/", then "~0" is "~" (one pass, so "~01" is "~1").
const decodeToken = (t: string) => t.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));

// strconv.Atoi, with Go's error text.
function atoi(key: string): number {
  if (!/^[+-]?[0-9]+$/.test(key) || !Number.isSafeInteger(Number(key))) {
    throw new PatchError(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  }
  return Number(key);
}

function invalidIndex(idx: number): PatchError {
  return new PatchError(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
}

function arrayIndex(arr: Json[], key: string): number {
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -arr.length) throw invalidIndex(idx);
    idx += arr.length;
  }
  if (idx >= arr.length) throw invalidIndex(idx);
  return idx;
}

function get(con: Container, key: string): Json | undefined {
  if (Array.isArray(con)) return con[arrayIndex(con, key)];
  return has(con, key) ? con[key] : undefined;
}

function add(con: Container, key: string, val: Json): void {
  if (!Array.isArray(con)) {
    con[key] = val;
    return;
  }
  if (key === '-') {
    con.push(val);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (e) {
    throw new PatchError(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  const size = con.length + 1;
  if (idx >= size) throw invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) throw invalidIndex(idx);
    idx += size;
  }
  con.splice(idx, 0, val);
}

function remove(con: Container, key: string): void {
  if (Array.isArray(con)) {
    con.splice(arrayIndex(con, key), 1);
    return;
  }
  if (!has(con, key)) throw new PatchError(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
  delete con[key];
}

function set(con: Container, key: string, val: Json): void {
  if (Array.isArray(con)) con[arrayIndex(con, key)] = val;
  else con[key] = val;
}

// The container holding the last token of `path`, and that token; undefined when any parent is missing.
function findObject(doc: Json, path: string): [Container, string] | undefined {
  if (!path.startsWith('/')) return undefined;
  const tokens = path.slice(1).split('/').map(decodeToken);
  let con: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    if (typeof con !== 'object' || con === null) return undefined;
    let next: Json | undefined;
    try {
      next = get(con, token);
    } catch {
      return undefined;
    }
    if (next === undefined) return undefined;
    con = next;
  }
  if (typeof con !== 'object' || con === null) return undefined;
  return [con, tokens[tokens.length - 1]];
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((v, i) => deepEqual(v, bs[i]));
  }
  const ak = Object.keys(a);
  const bo = b as Record<string, unknown>;
  return ak.length === Object.keys(bo).length && ak.every((k) => has(bo, k) && deepEqual((a as Record<string, unknown>)[k], bo[k]));
}

const describe = (err: unknown) => (err instanceof PatchError ? err.message : String(err));

function pathOf(op: JsonPatchOperation, name: 'path' | 'from'): string | PatchError {
  const v: unknown = op[name];
  if (v === undefined || v === null) {
    return new PatchError(name === 'path' ? `operation missing path field: ${MISSING}` : `operation, missing from field: ${MISSING}`);
  }
  if (typeof v !== 'string') return new PatchError(`json: cannot unmarshal ${goJsonType(v)} into Go value of type string`);
  return v;
}

function valueOf(op: JsonPatchOperation): Json {
  return has(op, 'value') ? (clone(op.value) as Json) ?? null : null;
}

/** Applies `patch` (see decodeJsonPatch) to a copy of `doc` and returns it; throws PatchError. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  let root = clone(doc) as Json;
  for (const op of decodeJsonPatch(patch)) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    const path = pathOf(op, 'path');
    switch (kind) {
      case 'add': {
        if (path instanceof PatchError) throw new PatchError(`add operation failed to decode path: ${MISSING}`);
        const found = findObject(root, path);
        if (!found) throw new PatchError(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
        try {
          add(found[0], found[1], valueOf(op));
        } catch (e) {
          throw new PatchError(`error in add for path: '${path}': ${describe(e)}`);
        }
        break;
      }
      case 'remove': {
        if (path instanceof PatchError) throw new PatchError(`remove operation failed to decode path: ${MISSING}`);
        const found = findObject(root, path);
        if (!found) throw new PatchError(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
        try {
          remove(found[0], found[1]);
        } catch (e) {
          throw new PatchError(`error in remove for path: '${path}': ${describe(e)}`);
        }
        break;
      }
      case 'replace': {
        if (path instanceof PatchError) throw new PatchError(`replace operation failed to decode path: ${path.message}`);
        if (path === '') {
          const value = valueOf(op);
          if (typeof value !== 'object' || value === null) {
            throw new PatchError('replace operation value must be object or array');
          }
          root = value;
          break;
        }
        const found = findObject(root, path);
        if (!found) throw new PatchError(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
        try {
          get(found[0], found[1]);
        } catch {
          throw new PatchError(`replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
        }
        set(found[0], found[1], valueOf(op));
        break;
      }
      case 'move': {
        const from = pathOf(op, 'from');
        if (from instanceof PatchError) throw new PatchError(`move operation failed to decode from: ${from.message}`);
        const source = findObject(root, from);
        if (!source) throw new PatchError(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
        let val: Json | undefined;
        try {
          val = get(source[0], source[1]);
          remove(source[0], source[1]);
        } catch (e) {
          throw new PatchError(`error in move for path: '${source[1]}': ${describe(e)}`);
        }
        if (path instanceof PatchError) throw new PatchError(`move operation failed to decode path: ${path.message}`);
        const target = findObject(root, path);
        if (!target) throw new PatchError(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
        try {
          add(target[0], target[1], val ?? null);
        } catch (e) {
          throw new PatchError(`error in move for path: '${path}': ${describe(e)}`);
        }
        break;
      }
      case 'test': {
        if (path instanceof PatchError) throw new PatchError(`test operation failed to decode path: ${path.message}`);
        const failed = new PatchError(`testing value ${path} failed: test failed`);
        if (path === '') {
          if (!deepEqual(root, valueOf(op))) throw failed;
          break;
        }
        const found = findObject(root, path);
        if (!found) throw new PatchError(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
        let val: Json | undefined;
        try {
          val = get(found[0], found[1]);
        } catch (e) {
          throw new PatchError(`error in test for path: '${path}': ${describe(e)}`);
        }
        if (val === undefined) {
          if (valueOf(op) !== null) throw failed;
        } else if (!has(op, 'value') || !deepEqual(val, valueOf(op))) {
          throw failed;
        }
        break;
      }
      case 'copy': {
        const from = pathOf(op, 'from');
        if (from instanceof PatchError) throw new PatchError(`copy operation failed to decode from: ${from.message}`);
        const source = findObject(root, from);
        if (!source) throw new PatchError(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
        let val: Json | undefined;
        try {
          val = get(source[0], source[1]);
        } catch (e) {
          throw new PatchError(`error in copy for from: '${from}': ${describe(e)}`);
        }
        if (path instanceof PatchError) throw new PatchError(`copy operation failed to decode path: ${MISSING}`);
        const target = findObject(root, path);
        if (!target) throw new PatchError(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
        try {
          add(target[0], target[1], clone(val) ?? null);
        } catch (e) {
          throw new PatchError(`error while adding value during copy: ${describe(e)}`);
        }
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${kind}`);
    }
  }
  return root;
}
