// metadata.managedFields: which manager owns which fields, kept as upstream's field manager keeps it.
// Update operations take over the fields they change; Apply operations own exactly the fields they apply,
// and fail with a conflict when they would change a field another manager owns (unless forced).
import { ApiError } from '../../apiserver/errors.ts';
import { goJson, rfc3339 } from '../../gofmt.ts';
import { builtinSchemas } from '../openapi/schemas.ts';
import { patchSchemaFor } from '../openapi/patch-schema.ts';
import { schemaPatchMeta, type PatchSchema } from '../patch/strategic.ts';
import type { ResourceInfo } from '../types.ts';
import { annotationsSize, TOTAL_ANNOTATION_SIZE_LIMIT } from '../validation.ts';
import {
  changedPaths, fieldValues, fromFieldsV1, isObject, pathString, SEP, toFieldsV1, type FieldValues, type PathKey,
} from './fieldset.ts';
import { mergeApplied, removePaths } from './merge.ts';

type Obj = Record<string, unknown>;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Obj;
  subresource?: string;
}

/** An entry with its fields as a set of paths. */
export interface Manager {
  entry: Omit<ManagedFieldsEntry, 'fieldsV1'>;
  fields: Set<PathKey>;
}

/** Who writes, as a write names itself. */
export interface Writer {
  manager: string;
  apiVersion: string;
  subresource?: string;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const customSchemas = new WeakMap<object, PatchSchema>();

/** The schema server-side apply walks for a resource: its OpenAPI schema, with ObjectMeta for custom resources. */
export function applySchemaFor(res: ResourceInfo): PatchSchema | undefined {
  if (res.definition) return patchSchemaFor(res.definition);
  const schema = res.crdSchema;
  if (!schema) return undefined;
  let cached = customSchemas.get(schema);
  if (!cached) {
    const root = { ...schema, properties: { ...schema.properties, metadata: { $ref: `#/components/schemas/${OBJECT_META}` } } };
    cached = schemaPatchMeta(root, builtinSchemas() as Record<string, object>);
    customSchemas.set(schema, cached);
  }
  return cached;
}

// Fields no manager owns (as upstream's StripMeta): only these exact paths, not what is below them.
const STRIPPED = ['f:apiVersion', 'f:kind', 'f:metadata', ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid',
  'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((k) => `f:metadata${SEP}f:${k}`)];

// Subresources that write the status only (a CertificateSigningRequest's approval is its status conditions).
const STATUS_WRITERS = ['status', 'approval'];

/**
 * The fields of an object that a write through `subresource` can own: the status subresources own the status
 * only, the object itself everything but the status of a kind that has a status subresource.
 */
export function ownedFields(res: ResourceInfo, obj: Obj, subresource?: string): FieldValues {
  const { managedFields: _mf, ...metadata } = isObject(obj.metadata) ? obj.metadata : {};
  const values = fieldValues({ ...obj, metadata }, applySchemaFor(res));
  for (const path of STRIPPED) values.delete(path);
  const status = `f:status`;
  const underStatus = (path: string) => path === status || path.startsWith(`${status}${SEP}`);
  if (subresource && STATUS_WRITERS.includes(subresource)) {
    for (const path of values.keys()) if (!underStatus(path)) values.delete(path);
  } else if (res.subresources.includes('status')) {
    for (const path of values.keys()) if (underStatus(path)) values.delete(path);
  }
  return values;
}

/** Reads managedFields; throws a message on a malformed entry. */
export function decodeManagers(raw: unknown): Manager[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new Error('managedFields must be a list');
  return raw.map((item, i) => {
    if (!isObject(item)) throw new Error(`managed fields entry ${i} must be an object`);
    const { fieldsV1, ...entry } = item as unknown as ManagedFieldsEntry;
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!entry.apiVersion) throw new Error('apiVersion must not be empty');
    if (entry.fieldsType === undefined) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (entry.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(entry.fieldsType)} in managed fields entry ${i}`);
    return { entry, fields: fromFieldsV1(fieldsV1 ?? {}) };
  });
}

/** The managedFields value of a list of managers, in upstream's order; undefined when there is none. */
export function encodeManagers(managers: Manager[]): ManagedFieldsEntry[] | undefined {
  if (!managers.length) return undefined;
  const seconds = (m: Manager) => (m.entry.time ? Date.parse(m.entry.time) : 0);
  const sorted = [...managers].sort((a, b) => cmp(a.entry.operation, b.entry.operation) || seconds(a) - seconds(b)
    || cmp(a.entry.manager, b.entry.manager) || cmp(a.entry.apiVersion, b.entry.apiVersion)
    || cmp(a.entry.subresource ?? '', b.entry.subresource ?? ''));
  return sorted.map(({ entry, fields }) => ({ ...entry, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(fields) }));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function isWriter(m: Manager, writer: Writer, operation: 'Apply' | 'Update'): boolean {
  return m.entry.operation === operation && m.entry.manager === writer.manager
    && (m.entry.subresource ?? '') === (writer.subresource ?? '')
    && (operation === 'Apply' || m.entry.apiVersion === writer.apiVersion);
}

function entryFor(writer: Writer, operation: 'Apply' | 'Update', fields: Set<PathKey>): Manager {
  return {
    entry: {
      manager: writer.manager, operation, apiVersion: writer.apiVersion, time: rfc3339(Date.now()), fieldsType: 'FieldsV1',
      ...(writer.subresource ? { subresource: writer.subresource } : {}),
    },
    fields,
  };
}

/** Managers after an update: the writer takes over what it changed; the others lose it. */
export function recordUpdate(managers: Manager[], before: FieldValues, after: FieldValues, writer: Writer): Manager[] {
  const changed = changedPaths(before, after);
  if (!changed.size) return managers;
  const out = withoutPaths(managers.filter((m) => !isWriter(m, writer, 'Update')), changed);
  const own = new Set(managers.find((m) => isWriter(m, writer, 'Update'))?.fields);
  for (const path of changed) {
    if (after.has(path)) own.add(path); else own.delete(path);
  }
  if (own.size) out.push(entryFor(writer, 'Update', own));
  return out;
}

/**
 * Managers after an apply of `applied` fields: conflicts with every other manager that owns a field the
 * apply changes are an error, or with `force`, ownership moves to the writer.
 */
export function recordApply(managers: Manager[], before: FieldValues, after: FieldValues, applied: Set<PathKey>,
  writer: Writer, force: boolean): Manager[] {
  const changed = changedPaths(before, after);
  const own = managers.find((m) => isWriter(m, writer, 'Apply'));
  // As upstream, an apply that changes nothing leaves the managers (and their times) as they were.
  if (!changed.size && own && own.fields.size === applied.size && [...applied].every((p) => own.fields.has(p))) return managers;
  const others = managers.filter((m) => m !== own);
  if (!force) {
    // A field the apply sets to null is gone from the object, but changed by the apply all the same.
    const conflicts = others.flatMap((m) => [...m.fields].filter((p) => changed.has(p) && (after.has(p) || applied.has(p))).sort()
      .map((path) => ({ manager: m, path })));
    if (conflicts.length) throw applyConflict(conflicts);
  }
  const out = withoutPaths(others, changed);
  if (applied.size) out.push(entryFor(writer, 'Apply', applied));
  return out;
}

const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/**
 * As upstream, at most ten Update managers: the oldest are folded, per API version, into one
 * `ancient-changes` manager (which takes the time of the last one folded in).
 */
function capUpdateManagers(managers: Manager[]): Manager[] {
  const updaters = managers.filter((m) => m.entry.operation === 'Update');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return managers;
  const seconds = (m: Manager) => (m.entry.time ? Math.floor(Date.parse(m.entry.time) / 1000) : 0);
  const id = (m: Manager) => `${m.entry.manager}\u0000${m.entry.apiVersion}\u0000${m.entry.subresource ?? ''}`;
  updaters.sort((a, b) => seconds(a) - seconds(b) || cmp(id(a), id(b)));
  const out = [...managers];
  const firstOfVersion = new Map<string, Manager>();
  let count = updaters.length;
  for (const m of updaters) {
    if (count <= MAX_UPDATE_MANAGERS) break;
    const version = m.entry.apiVersion;
    const first = firstOfVersion.get(version);
    if (!first) {
      firstOfVersion.set(version, m);
      continue;
    }
    let bucket = out.find((x) => x.entry.operation === 'Update' && x.entry.manager === ANCIENT_CHANGES
      && x.entry.apiVersion === version && !x.entry.subresource);
    if (!bucket) {
      const { subresource: _sub, ...entry } = first.entry;
      bucket = { entry: { ...entry, manager: ANCIENT_CHANGES }, fields: first.fields };
      out.splice(out.indexOf(first), 1, bucket);
    }
    bucket.fields = new Set([...bucket.fields, ...m.fields]);
    bucket.entry = { ...bucket.entry, ...(m.entry.time ? { time: m.entry.time } : {}) };
    out.splice(out.indexOf(m), 1);
    count--;
  }
  return out;
}

function withoutPaths(managers: Manager[], paths: Set<PathKey>): Manager[] {
  const out: Manager[] = [];
  for (const m of managers) {
    if (![...m.fields].some((p) => paths.has(p))) {
      out.push(m);
      continue;
    }
    const fields = new Set([...m.fields].filter((p) => !paths.has(p)));
    if (fields.size) out.push({ entry: m.entry, fields });
  }
  return out;
}

function describe(m: Manager): string {
  let text = JSON.stringify(m.entry.manager);
  if (m.entry.subresource) text += ` with subresource ${JSON.stringify(m.entry.subresource)}`;
  // Upstream names a manager by its identity, which leaves the time out.
  if (m.entry.operation === 'Update') text += ` using ${m.entry.apiVersion}`;
  return text;
}

function applyConflict(conflicts: { manager: Manager; path: PathKey }[]): ApiError {
  const causes = conflicts.map(({ manager, path }) => ({
    reason: 'FieldManagerConflict', message: `conflict with ${describe(manager)}`, field: pathString(path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describe(conflicts[0]!.manager)}: ${pathString(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const { manager, path } of conflicts) {
      const name = describe(manager);
      byManager.set(name, [...byManager.get(name) ?? [], pathString(path)]);
    }
    const lines = [...byManager.keys()].sort().flatMap((name) => [`conflicts with ${name}:`, ...byManager.get(name)!.map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

/** What an apply asks, besides its configuration. */
export interface ApplyRequest {
  /** The fields the applied configuration sets. */
  fields: Set<PathKey>;
  /** Take conflicting fields over from other managers. */
  force: boolean;
  /** For kubectl's applies: the configuration as client-side apply's annotation holds it. */
  lastApplied?: string;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * As upstream, `kubectl apply --server-side` keeps client-side apply's annotation, where the object has one, equal
 * to what it applied, so that a later client-side apply computes the right changes. Nobody comes to own the change.
 */
export function lastAppliedOf(config: Obj, manager: string): string | undefined {
  if (manager !== 'kubectl') return undefined;
  const meta = isObject(config.metadata) ? config.metadata : {};
  const { [LAST_APPLIED]: _previous, ...annotations } = isObject(meta.annotations) ? meta.annotations : {};
  const { annotations: _all, ...rest } = meta;
  return goJson({ ...config, metadata: { ...rest, ...(Object.keys(annotations).length ? { annotations } : {}) } });
}

function syncLastApplied(next: Obj & { metadata: Obj }, apply?: ApplyRequest): void {
  const annotations = next.metadata.annotations;
  if (apply?.lastApplied === undefined || !isObject(annotations) || typeof annotations[LAST_APPLIED] !== 'string') return;
  annotations[LAST_APPLIED] = apply.lastApplied;
  // Upstream drops the annotation rather than fail the apply when it would be too large.
  if (annotationsSize(annotations) > TOTAL_ANNOTATION_SIZE_LIMIT) delete annotations[LAST_APPLIED];
}

/** Decoded managers of a stored object; a malformed list counts as none, as upstream does. */
function storedManagers(obj: Obj | undefined): Manager[] {
  try {
    return decodeManagers(isObject(obj?.metadata) ? obj.metadata.managedFields : undefined);
  } catch {
    return [];
  }
}

/**
 * The managers a write starts from: those the request sends, when it sends a valid non-empty list (`[]` or
 * `[{}]` clears them), else the stored ones. A subresource write cannot set them.
 */
export function baseManagers(old: Obj | undefined, next: Obj, subresource?: string): Manager[] | 'stored' {
  const sent = isObject(next.metadata) ? next.metadata.managedFields : undefined;
  const stored = isObject(old?.metadata) ? old.metadata.managedFields : undefined;
  if (subresource || sent === undefined || sent === null || JSON.stringify(sent) === JSON.stringify(stored)) return 'stored';
  if (Array.isArray(sent) && (sent.length === 0 || (sent.length === 1 && isObject(sent[0]) && !Object.keys(sent[0]).length))) return [];
  try {
    const managers = decodeManagers(sent);
    return managers.length ? managers : 'stored';
  } catch {
    return 'stored';
  }
}

/** The applied configuration merged into the current object, less the fields this manager applied before and no longer does. */
export function applyConfiguration(res: ResourceInfo, current: Obj, config: Obj, applied: Set<PathKey>, writer: Writer): Obj {
  const schema = applySchemaFor(res);
  const merged = mergeApplied(current, config, schema);
  const managers = storedManagers(current);
  const previous = managers.find((m) => isWriter(m, writer, 'Apply'))?.fields;
  if (previous) {
    const kept = new Set(managers.filter((m) => !isWriter(m, writer, 'Apply')).flatMap((m) => [...m.fields]));
    removePaths(merged, [...previous].filter((p) => !applied.has(p) && !kept.has(p)), schema);
  }
  return merged;
}

/** Sets next.metadata.managedFields for a write by `writer` (old is absent for a create). */
export function recordManagers(res: ResourceInfo, old: Obj | undefined, next: Obj & { metadata: Obj }, writer: Writer,
  apply?: ApplyRequest): void {
  const base = baseManagers(old, next, writer.subresource);
  const managers = base === 'stored' ? storedManagers(old) : base;
  const before = old ? ownedFields(res, old, writer.subresource) : new Map();
  const after = ownedFields(res, next, writer.subresource);
  const result = apply
    ? recordApply(managers, before, after, apply.fields, writer, apply.force)
    : recordUpdate(managers, before, after, writer);
  syncLastApplied(next, apply);
  if (result === managers && base === 'stored' && isObject(old?.metadata) && old.metadata.managedFields !== undefined) {
    next.metadata.managedFields = old.metadata.managedFields;
    return;
  }
  const encoded = encodeManagers(capUpdateManagers(result));
  if (encoded) next.metadata.managedFields = encoded; else delete next.metadata.managedFields;
}
