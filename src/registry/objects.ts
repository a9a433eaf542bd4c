// The object service: Kubernetes verbs over the store, with upstream's semantics for metadata,
// optimistic concurrency, generation, status subresources, finalizers and deletion. The HTTP layer and
// the in-process controllers both use it.
import { randomUUID } from 'node:crypto';
import type { UserInfo } from '../apiserver/authz/user.ts';
import type { KeyValue, Store, WatchEvent, Watcher } from '../storage/store.ts';
import { ConflictError, KeyExistsError, KeyNotFoundError } from '../storage/store.ts';
import {
  ApiError, alreadyExists, badRequest, conflict, forbidden, gone, invalid, MODIFIED, notFound, type FieldError,
} from '../apiserver/errors.ts';
import type { Registry } from './registry.ts';
import { groupVersion, parseApiVersion } from './registry.ts';
import type { ResourceInfo } from './types.ts';
import { strategyFor, type Strategy } from './strategies.ts';
import { fieldDuplicate, fieldImmutable, fieldInvalid, fieldRequired, validateAnnotations, validateLabels } from './validation.ts';
import { applyListSelectors, type ListSelectors } from './filters.ts';
import { rfc3339 } from '../gofmt.ts';
import { recordManagers, type ApplyRequest } from './apply/managed.ts';
import { NamespaceStates } from './namespace-states.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KObject = Record<string, any>;

export interface WriteContext {
  dryRun?: boolean;
  /** Who asks (absent for the server's own writes). */
  user?: UserInfo;
  /** Filled with warnings for the client (Warning headers). */
  warnings?: string[];
  /**
   * Who writes, for metadata.managedFields. Requests through the API always name one; without it (the
   * server's own writes) the managed fields stay as they are.
   */
  fieldManager?: string;
  /** A server-side apply. */
  apply?: ApplyRequest;
}

export interface ListOptions extends ListSelectors {
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ObjectList<T = KObject> {
  items: T[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  gracePeriodSeconds?: number;
  dryRun?: string[];
}

export interface WatchOptions extends ListSelectors {
  resourceVersion?: string;
  /** Send ADDED events for the current state first (watch without a resourceVersion, or resourceVersion=0). */
  sendInitialState: boolean;
  /** Called after the initial state was sent, with the revision it was read at. */
  onInitialStateSent?(revision: number): void;
  /** Called with the revision of every change seen, matching or not (for bookmarks). */
  onProgress?(revision: number): void;
}

export interface ObjectEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KObject;
}

// The start of a stored object as encode writes it: apiVersion, kind, then a non-empty metadata.
const STORED_HEAD = /^\{"apiVersion":"([^"\\]*)","kind":"([^"\\]*)","metadata":\{(?!\})/;

const MAX_CONFLICT_RETRIES = 8;
const GENERATE_NAME_ATTEMPTS = 8;

export function storagePrefix(res: { group: string; plural: string }, namespace?: string): string {
  const base = `/registry/${res.group || 'core'}/${res.plural}/`;
  return namespace ? `${base}${namespace}/` : base;
}

export function objectKey(res: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${storagePrefix(res, res.namespaced ? namespace : undefined)}${name}`;
}

function now(): string {
  return rfc3339(Date.now());
}

export class ObjectService {
  private readonly nameSuffix: () => string;
  /** Store events decoded for watches (decodeEvent). */
  private readonly decodedEvents = new WeakMap<WatchEvent, { res: ResourceInfo; object: KObject }>();
  private namespaceStates?: NamespaceStates;

  constructor(readonly store: Store, readonly registry: Registry, options: { nameSuffix?: () => string } = {}) {
    this.nameSuffix = options.nameSuffix ?? randomSuffix;
  }

  decode(res: ResourceInfo, kv: KeyValue): KObject {
    const obj = JSON.parse(kv.value) as KObject;
    obj.apiVersion = groupVersion(res);
    obj.kind = res.kind;
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }

  /** The stored form: no resourceVersion (the store's revision is it), and type and object metadata first (see jsonOf). */
  private encode(obj: KObject): string {
    const { resourceVersion: _rv, ...metadata } = obj.metadata;
    const { apiVersion, kind, metadata: _meta, ...rest } = obj;
    return JSON.stringify({ apiVersion, kind, metadata, ...rest });
  }

  /** An object's JSON for a client: the stored bytes with the resourceVersion spliced in, when they start as encode writes them. */
  private jsonOf(res: ResourceInfo, kv: KeyValue): string {
    const head = STORED_HEAD.exec(kv.value);
    if (head && head[1] === groupVersion(res) && head[2] === res.kind) {
      const at = head[0].length;
      return `${kv.value.slice(0, at)}"resourceVersion":"${kv.modRevision}",${kv.value.slice(at)}`;
    }
    return JSON.stringify(this.decode(res, kv));
  }

  async get(res: ResourceInfo, namespace: string | undefined, name: string): Promise<KObject> {
    const kv = await this.store.get(objectKey(res, namespace, name));
    if (!kv) throw notFound(res, name);
    return this.decode(res, kv);
  }

  async tryGet(res: ResourceInfo, namespace: string | undefined, name: string): Promise<KObject | undefined> {
    const kv = await this.store.get(objectKey(res, namespace, name));
    return kv ? this.decode(res, kv) : undefined;
  }

  async list(res: ResourceInfo, namespace: string | undefined, options: ListOptions = {}): Promise<ObjectList> {
    return this.scan(res, namespace, options, (kv) => {
      const obj = this.decode(res, kv);
      return applyListSelectors(res, obj, options) ? obj : undefined;
    });
  }

  /** A list with each item as its JSON text; without selectors, the items are not decoded at all. */
  async listJson(res: ResourceInfo, namespace: string | undefined, options: ListOptions = {}): Promise<ObjectList<string>> {
    if (options.labelSelector || options.fieldSelector) {
      const list = await this.list(res, namespace, options);
      return { ...list, items: list.items.map((item) => JSON.stringify(item)) };
    }
    return this.scan(res, namespace, options, (kv) => this.jsonOf(res, kv));
  }

  /** Pages through a resource's keys as a list request asks; `take` maps a key-value to an item, or undefined to skip it. */
  private async scan<T>(res: ResourceInfo, namespace: string | undefined, options: ListOptions,
    take: (kv: KeyValue) => T | undefined): Promise<ObjectList<T>> {
    const prefix = storagePrefix(res, res.namespaced ? namespace : undefined);
    const limit = options.limit && options.limit > 0 ? options.limit : undefined;
    let revision = 0;
    let startAfter: string | undefined;
    if (options.continue) {
      const token = decodeContinue(options.continue, prefix);
      revision = token.rv;
      startAfter = prefix + token.start;
    } else if (options.resourceVersion && options.resourceVersion !== '0') {
      const rv = parseResourceVersion(options.resourceVersion);
      const exact = options.resourceVersionMatch === 'Exact' || (limit !== undefined && !options.resourceVersionMatch);
      if (exact) revision = rv;
      else {
        const current = await this.store.currentRevision();
        if (rv > current) {
          throw new ApiError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`,
            { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
        }
      }
    }
    const items: T[] = [];
    let more = false;
    let lastKey: string | undefined;
    for (;;) {
      const page = await this.store.list(prefix, { limit: limit ? Math.max(limit - items.length, 100) : undefined, startAfter, revision });
      revision = page.revision;
      let stoppedEarly = false;
      for (let i = 0; i < page.kvs.length; i++) {
        const kv = page.kvs[i]!;
        lastKey = kv.key;
        const item = take(kv);
        if (item !== undefined) items.push(item);
        if (limit && items.length >= limit) {
          stoppedEarly = i < page.kvs.length - 1 || page.more;
          break;
        }
      }
      if (stoppedEarly) { more = true; break; }
      if (!page.more || page.kvs.length === 0) break;
      startAfter = page.kvs[page.kvs.length - 1]!.key;
    }
    const result: ObjectList<T> = { items, resourceVersion: String(revision) };
    if (more && lastKey) result.continue = encodeContinue(revision, lastKey.slice(prefix.length));
    return result;
  }

  async create(res: ResourceInfo, namespace: string | undefined, input: KObject, ctx: WriteContext = {}): Promise<KObject> {
    const strategy = strategyFor(res);
    this.checkTypeMeta(res, input);
    const obj: KObject = { apiVersion: groupVersion(res), kind: res.kind, ...structuredClone(input) };
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (res.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    } else {
      delete meta.namespace;
    }
    const generated = !meta.name && typeof meta.generateName === 'string' && meta.generateName.length > 0;
    if (generated) meta.name = `${meta.generateName}${this.nameSuffix()}`;
    if (typeof meta.name === 'string' && meta.name.length === 0 && !meta.generateName) delete meta.name;
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (res.subresources.includes('status') || !res.definition) meta.generation = 1;
    else delete meta.generation;
    strategy.prepareForCreate(obj, res, ctx);
    strategy.defaults(obj);
    const errors = [...this.validateMetadata(res, obj), ...strategy.validate(obj, res)];
    if (!errors.length && strategy.admit) errors.push(...await strategy.admit(this, obj, undefined, ctx));
    if (errors.length) throw invalid(res.kind, res.group, meta.name ?? '', errors);
    this.recordManagers(res, undefined, obj, ctx);
    if (res.namespaced) await this.checkNamespaceAccepts(meta.namespace);
    if (ctx.dryRun) return { ...obj, apiVersion: groupVersion(res) };
    // As upstream (RetryGenerateName), a generated name that is taken is replaced by a fresh one a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        const kv = await this.store.create(objectKey(res, meta.namespace, meta.name), this.encode(obj));
        const created = this.decode(res, kv);
        await strategy.afterWrite?.(this, res, created);
        return created;
      } catch (e) {
        if (!(e instanceof KeyExistsError)) throw e;
        if (!generated || attempt >= GENERATE_NAME_ATTEMPTS) throw alreadyExists(res, meta.name);
        meta.name = `${meta.generateName}${this.nameSuffix()}`;
      }
    }
  }

  /**
   * Replaces an object (PUT). With subresource 'status' only the status changes; otherwise the status
   * of a kind with a status subresource is kept. Returns whether the object was created.
   */
  async update(res: ResourceInfo, namespace: string | undefined, name: string, input: KObject,
    ctx: WriteContext = {}, subresource?: string): Promise<{ object: KObject; created: boolean }> {
    this.checkTypeMeta(res, input);
    const meta = input.metadata ?? {};
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (res.namespaced && meta.namespace && namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const wantedRv = meta.resourceVersion ? parseResourceVersion(meta.resourceVersion) : undefined;
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(objectKey(res, namespace, name));
      if (!kv) {
        if (subresource || !strategyFor(res).allowCreateOnUpdate || wantedRv !== undefined) throw notFound(res, name);
        return { object: await this.create(res, namespace, { ...input, metadata: { ...meta, name } }, ctx), created: true };
      }
      if (wantedRv !== undefined && wantedRv !== kv.modRevision) throw conflict(res, name, MODIFIED);
      const old = this.decode(res, kv);
      if (meta.uid && meta.uid !== old.metadata.uid) {
        throw conflict(res, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata.uid}`);
      }
      try {
        const object = await this.replace(res, old, kv.modRevision, structuredClone(input), ctx, subresource);
        return { object, created: false };
      } catch (e) {
        if (e instanceof ConflictError && wantedRv === undefined && attempt < MAX_CONFLICT_RETRIES) continue;
        if (e instanceof ConflictError) throw conflict(res, name, MODIFIED);
        throw e;
      }
    }
  }

  /**
   * Reads, transforms and writes an object, retrying on concurrent modification (used by PATCH and by
   * controllers). transform gets a copy of the current object and returns the desired one.
   */
  async modify(res: ResourceInfo, namespace: string | undefined, name: string,
    transform: (current: KObject) => KObject | Promise<KObject>, ctx: WriteContext = {}, subresource?: string): Promise<KObject> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(objectKey(res, namespace, name));
      if (!kv) throw notFound(res, name);
      const old = this.decode(res, kv);
      const desired = await transform(structuredClone(old));
      const wantedRv = desired?.metadata?.resourceVersion;
      if (wantedRv && wantedRv !== old.metadata.resourceVersion) throw conflict(res, name, MODIFIED);
      if (desired?.metadata?.name !== undefined && desired.metadata.name !== name) {
        throw badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
      }
      this.checkTypeMeta(res, desired);
      try {
        return await this.replace(res, old, kv.modRevision, desired, ctx, subresource);
      } catch (e) {
        // Safe with a resourceVersion precondition too: the next attempt checks it against the newer object.
        if (e instanceof ConflictError && attempt < MAX_CONFLICT_RETRIES) continue;
        if (e instanceof ConflictError) throw conflict(res, name, MODIFIED);
        throw e;
      }
    }
  }

  private async replace(res: ResourceInfo, old: KObject, modRevision: number, obj: KObject, ctx: WriteContext,
    subresource?: string): Promise<KObject> {
    const strategy = strategyFor(res);
    let next: KObject;
    if (subresource === 'status') {
      next = { ...structuredClone(old), status: obj.status };
      if (obj.status === undefined) delete next.status;
      strategy.prepareForStatusUpdate?.(next, old);
    } else if (subresource === 'approval') {
      next = { ...structuredClone(old), status: { ...old.status, conditions: obj.status?.conditions } };
      if (next.status.conditions === undefined) delete next.status.conditions;
      strategy.prepareForStatusUpdate?.(next, old);
    } else if (subresource === 'finalize') {
      next = structuredClone(old);
      next.spec = { ...old.spec, finalizers: obj.spec?.finalizers ?? [] };
    } else {
      next = obj;
      next.metadata ??= {};
      const meta = next.metadata;
      const oldMeta = old.metadata;
      meta.name = oldMeta.name;
      if (res.namespaced) meta.namespace = oldMeta.namespace; else delete meta.namespace;
      if (meta.uid && meta.uid !== oldMeta.uid) throw invalid(res.kind, res.group, oldMeta.name, [fieldImmutable('metadata.uid', meta.uid)]);
      meta.uid = oldMeta.uid;
      meta.creationTimestamp = oldMeta.creationTimestamp;
      meta.generation = oldMeta.generation;
      if (oldMeta.deletionTimestamp) {
        meta.deletionTimestamp = oldMeta.deletionTimestamp;
        meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      } else {
        delete meta.deletionTimestamp;
        delete meta.deletionGracePeriodSeconds;
      }
      delete meta.selfLink;
      if (res.subresources.includes('status')) {
        if (old.status === undefined) delete next.status; else next.status = old.status;
      }
      strategy.prepareForUpdate(next, old, res);
      strategy.defaults(next);
      if (meta.generation !== undefined && specOf(next) !== specOf(old)) meta.generation = (oldMeta.generation ?? 0) + 1;
    }
    next.apiVersion = groupVersion(res);
    next.kind = res.kind;
    const errors = [
      ...this.validateMetadata(res, next),
      ...this.validateMetadataUpdate(next, old),
      ...strategy.validate(next, res),
      ...strategy.validateUpdate(next, old, res),
    ];
    if (!errors.length && strategy.admit && subresource === undefined) errors.push(...await strategy.admit(this, next, old, ctx));
    if (errors.length) throw invalid(res.kind, res.group, old.metadata.name, errors);
    this.recordManagers(res, old, next, ctx, subresource);
    if (ctx.dryRun) return { ...next, metadata: { ...next.metadata, resourceVersion: old.metadata.resourceVersion } };
    delete next.metadata.resourceVersion;
    if (this.encode(next) === this.encode(old)) return old;
    const key = objectKey(res, old.metadata.namespace, old.metadata.name);
    if (next.metadata.deletionTimestamp && isFinalized(strategy, next)) {
      const { kv } = await this.store.delete(key, modRevision);
      const deleted = this.decode(res, kv);
      await strategy.afterDelete?.(this, res, deleted);
      return { ...next, metadata: { ...next.metadata, resourceVersion: deleted.metadata.resourceVersion } };
    }
    const kv = await this.store.update(key, this.encode(next), modRevision);
    const updated = this.decode(res, kv);
    await strategy.afterWrite?.(this, res, updated);
    return updated;
  }

  /**
   * Deletes an object. Objects with finalizers (or a Foreground/Orphan propagation, which add one) are
   * only marked with a deletionTimestamp; the others are removed at once.
   */
  async delete(res: ResourceInfo, namespace: string | undefined, name: string, options: DeleteOptions = {},
    ctx: WriteContext = {}): Promise<{ object: KObject; deleted: boolean }> {
    const strategy = strategyFor(res);
    if (res.group === '' && res.plural === 'namespaces' && !ctx.dryRun) this.namespaceStates?.deleting(name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(objectKey(res, namespace, name));
      if (!kv) throw notFound(res, name);
      const obj = this.decode(res, kv);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        throw conflict(res, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
        throw conflict(res, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
      }
      const finalizers: string[] = [...(obj.metadata.finalizers ?? [])];
      const policy = options.propagationPolicy
        ?? (options.orphanDependents === true ? 'Orphan' : options.orphanDependents === false ? 'Background' : undefined);
      const extra = policy === 'Foreground' ? 'foregroundDeletion' : policy === 'Orphan' ? 'orphan' : undefined;
      if (extra && !finalizers.includes(extra)) {
        finalizers.push(extra);
        const other = extra === 'orphan' ? 'foregroundDeletion' : 'orphan';
        if (finalizers.includes(other)) finalizers.splice(finalizers.indexOf(other), 1);
      }
      const marked = strategy.prepareForDelete?.(obj, finalizers) ?? finalizers.length > 0;
      if (ctx.dryRun) return { object: obj, deleted: !marked };
      try {
        if (marked) {
          if (obj.metadata.deletionTimestamp && sameList(finalizers, obj.metadata.finalizers)) return { object: obj, deleted: false };
          obj.metadata.deletionTimestamp ??= now();
          obj.metadata.deletionGracePeriodSeconds ??= 0;
          if (finalizers.length) obj.metadata.finalizers = finalizers;
          delete obj.metadata.resourceVersion;
          const updated = this.decode(res, await this.store.update(kv.key, this.encode(obj), kv.modRevision));
          await strategy.afterWrite?.(this, res, updated);
          return { object: updated, deleted: false };
        }
        const { kv: last } = await this.store.delete(kv.key, kv.modRevision);
        const deleted = this.decode(res, last);
        await strategy.afterDelete?.(this, res, deleted);
        return { object: deleted, deleted: true };
      } catch (e) {
        if (e instanceof ConflictError && attempt < MAX_CONFLICT_RETRIES) continue;
        if (e instanceof KeyNotFoundError) throw notFound(res, name);
        throw e;
      }
    }
  }

  /** Streams changes; the returned watcher must be closed. Errors (410 included) go to onError. */
  watch(res: ResourceInfo, namespace: string | undefined, options: WatchOptions,
    onEvent: (event: ObjectEvent) => void, onError: (error: Error) => void): Watcher {
    const prefix = storagePrefix(res, res.namespaced ? namespace : undefined);
    const match = options.labelSelector || options.fieldSelector ? (obj: KObject) => applyListSelectors(res, obj, options) : undefined;
    let watcher: Watcher | undefined;
    let closed = false;
    const start = (afterRevision: number) => {
      if (closed) return;
      watcher = this.store.watch(prefix, afterRevision, {
        onEvent: (event: WatchEvent) => {
          options.onProgress?.(event.revision);
          const converted = this.convertEvent(res, event, match);
          if (converted) onEvent(converted);
        },
        onError,
      });
    };
    if (options.sendInitialState) {
      this.listAll(res, prefix).then(({ objects, revision }) => {
        if (closed) return;
        for (const obj of objects) if (!match || match(obj)) onEvent({ type: 'ADDED', object: obj });
        options.onInitialStateSent?.(revision);
        start(revision);
      }, onError);
    } else {
      let rv: number;
      try {
        rv = parseResourceVersion(options.resourceVersion ?? '0');
      } catch (e) {
        queueMicrotask(() => onError(e as Error));
        return { close() { closed = true; } };
      }
      start(rv);
    }
    return { close() { closed = true; watcher?.close(); } };
  }

  private async listAll(res: ResourceInfo, prefix: string): Promise<{ objects: KObject[]; revision: number }> {
    const objects: KObject[] = [];
    let startAfter: string | undefined;
    let revision = 0;
    for (;;) {
      const page = await this.store.list(prefix, { limit: 1000, startAfter, revision });
      revision = page.revision;
      for (const kv of page.kvs) objects.push(this.decode(res, kv));
      if (!page.more || page.kvs.length === 0) return { objects, revision };
      startAfter = page.kvs[page.kvs.length - 1]!.key;
    }
  }

  /** match: undefined when the watch has no selectors (every object matches, and the previous one need not be decoded). */
  private convertEvent(res: ResourceInfo, event: WatchEvent, match: ((o: KObject) => boolean) | undefined): ObjectEvent | undefined {
    if (event.type === 'delete') {
      const obj = this.decodeEvent(res, event);
      return !match || match(obj) ? { type: 'DELETED', object: obj } : undefined;
    }
    const obj = this.decodeEvent(res, event);
    const now = !match || match(obj);
    const before = event.prevKv ? !match || match(this.decode(res, event.prevKv)) : false;
    if (now && before) return { type: 'MODIFIED', object: obj };
    if (now) return { type: 'ADDED', object: obj };
    if (before) return { type: 'DELETED', object: obj };
    return undefined;
  }

  /**
   * The object of a store event, decoded once for every watch of the same resource the store hands the event to (a
   * Work of hundreds of manifests is watched by half a dozen controllers): watchers share it and must not change it,
   * as informers' objects are shared in client-go. A deletion's object carries the deletion's revision.
   */
  private decodeEvent(res: ResourceInfo, event: WatchEvent): KObject {
    const cached = this.decodedEvents.get(event);
    if (cached?.res === res) return cached.object;
    const object = this.decode(res, event.kv);
    if (event.type === 'delete') object.metadata.resourceVersion = String(event.revision);
    this.decodedEvents.set(event, { res, object });
    return object;
  }

  private recordManagers(res: ResourceInfo, old: KObject | undefined, next: KObject, ctx: WriteContext, subresource?: string): void {
    if (!ctx.fieldManager) {
      if (old?.metadata.managedFields !== undefined) next.metadata.managedFields = old.metadata.managedFields;
      else delete next.metadata.managedFields;
      return;
    }
    recordManagers(res, old, next as KObject & { metadata: KObject },
      { manager: ctx.fieldManager, apiVersion: groupVersion(res), ...(subresource ? { subresource } : {}) }, ctx.apply);
  }

  private checkTypeMeta(res: ResourceInfo, obj: KObject): void {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('the request body must be a JSON object');
    if (obj.kind !== undefined && obj.kind !== res.kind) {
      throw badRequest(`the kind of the object (${obj.kind}) does not match the kind on the URL (${res.kind})`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== groupVersion(res)) {
      // Another served version of the same group and kind is accepted (custom resources with several versions).
      const { group, version } = parseApiVersion(obj.apiVersion);
      if (group !== res.group || !this.registry.byKind(group, version, res.kind)) {
        throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${groupVersion(res)})`);
      }
    }
    if (obj.metadata !== undefined && (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))) {
      throw badRequest('metadata must be an object');
    }
  }

  private validateMetadata(res: ResourceInfo, obj: KObject): FieldError[] {
    const meta = obj.metadata;
    const errors: FieldError[] = [];
    const strategy = strategyFor(res);
    if (!meta.name) errors.push(fieldRequired('metadata.name', 'name or generateName is required'));
    else if (typeof meta.name !== 'string') errors.push(fieldInvalid('metadata.name', meta.name, 'must be a string'));
    else for (const m of strategy.nameRule(meta.name)) errors.push(fieldInvalid('metadata.name', meta.name, m));
    if (meta.generateName !== undefined && typeof meta.generateName === 'string' && meta.generateName) {
      const probe = meta.generateName.replace(/-$/, '') || 'a';
      for (const m of strategy.nameRule(`${probe}a`)) errors.push(fieldInvalid('metadata.generateName', meta.generateName, m));
    }
    if (res.namespaced && meta.namespace) {
      if (typeof meta.namespace !== 'string' || meta.namespace.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(meta.namespace)) {
        errors.push(fieldInvalid('metadata.namespace', meta.namespace, 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character'));
      }
    }
    errors.push(...validateLabels(meta.labels, 'metadata.labels'));
    errors.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
    if (meta.finalizers !== undefined) {
      if (!Array.isArray(meta.finalizers)) errors.push(fieldInvalid('metadata.finalizers', meta.finalizers, 'must be a list'));
      else {
        const seen = new Set<string>();
        meta.finalizers.forEach((f: unknown, i: number) => {
          if (typeof f !== 'string' || !f) errors.push(fieldInvalid(`metadata.finalizers[${i}]`, f, 'must be a non-empty string'));
          else if (seen.has(f)) errors.push(fieldDuplicate(`metadata.finalizers[${i}]`, f));
          seen.add(String(f));
        });
        if (meta.finalizers.includes('orphan') && meta.finalizers.includes('foregroundDeletion')) {
          errors.push(fieldInvalid('metadata.finalizers', meta.finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
        }
      }
    }
    if (meta.ownerReferences !== undefined) {
      if (!Array.isArray(meta.ownerReferences)) errors.push(fieldInvalid('metadata.ownerReferences', meta.ownerReferences, 'must be a list'));
      else meta.ownerReferences.forEach((ref: KObject, i: number) => {
        const f = `metadata.ownerReferences[${i}]`;
        if (!ref || typeof ref !== 'object') { errors.push(fieldInvalid(f, ref, 'must be an object')); return; }
        if (!ref.apiVersion) errors.push(fieldInvalid(`${f}.apiVersion`, ref.apiVersion ?? '', 'version must not be empty'));
        if (!ref.kind) errors.push(fieldInvalid(`${f}.kind`, ref.kind ?? '', 'kind must not be empty'));
        if (!ref.name) errors.push(fieldInvalid(`${f}.name`, ref.name ?? '', 'name must not be empty'));
        if (!ref.uid) errors.push(fieldInvalid(`${f}.uid`, ref.uid ?? '', 'uid must not be empty'));
      });
    }
    return errors;
  }

  private validateMetadataUpdate(next: KObject, old: KObject): FieldError[] {
    const errors: FieldError[] = [];
    if (old.metadata.deletionTimestamp) {
      const added = (next.metadata.finalizers ?? []).filter((f: string) => !(old.metadata.finalizers ?? []).includes(f));
      if (added.length) {
        errors.push({ type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` });
      }
    }
    if (next.metadata.namespace !== old.metadata.namespace) errors.push(fieldImmutable('metadata.namespace', next.metadata.namespace));
    return errors;
  }

  /** Keeps namespaces' states in memory from now on, so that namespaced creates need not read them; returns its stop. */
  followNamespaces(): () => void {
    const states = new NamespaceStates(this);
    this.namespaceStates = states;
    return () => {
      states.stop();
      if (this.namespaceStates === states) this.namespaceStates = undefined;
    };
  }

  private async checkNamespaceAccepts(namespace: string): Promise<void> {
    if (this.namespaceStates?.isActive(namespace)) return;
    const nsResource = this.registry.lookup('', 'v1', 'namespaces')!;
    const ns = await this.tryGet(nsResource, undefined, namespace);
    if (!ns) throw notFound(nsResource, namespace);
    if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
      const error = forbidden(nsResource, '', `unable to create new content in namespace ${namespace} because it is being terminated`);
      throw new ApiError(error.code, error.reason, error.message, {
        ...error.details, name: namespace,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }
}

function isFinalized(strategy: Strategy, obj: KObject): boolean {
  return strategy.isFinalized ? strategy.isFinalized(obj) : !obj.metadata.finalizers?.length;
}

function specOf(obj: KObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

function sameList(a: string[], b: string[] | undefined): boolean {
  return a.length === (b?.length ?? 0) && a.every((x, i) => b?.[i] === x);
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return s;
}

export function parseResourceVersion(text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new ApiError(400, 'BadRequest', `invalid resource version "${text}"`); // client-go's wording
  }
  return Number(text);
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string, _prefix: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string'
      || parsed.start.includes('..')) throw new Error('bad token');
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export { gone };
