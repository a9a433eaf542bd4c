// The execution and work-status controllers, as Karmada's (pkg/controllers/execution, pkg/controllers/status
// work_status_controller): the ONE code path by which anything lands on a member. Every Work in an execution
// namespace karmada-es-<cluster> whose Cluster is Push and Ready (in the control plane) or whose Cluster is the
// agent's own (in `canopy agent`, beside a Pull member: the same code over HTTPS) gets the execution finalizer; each manifest
// is created or updated on the member, labelled karmada.io/managed=true and annotated with the Work's name and
// namespace (the Work's permanent id as a label). An existing member object another Work (or nobody) owns is
// left alone unless the manifest carries work.karmada.io/conflict-resolution: overwrite. The Applied
// condition, the Dispatching condition and manifestStatuses (identifier, reflected status, health) are written
// through the status subresource. A deleted Work has its member objects deleted (unless
// spec.preserveResourcesOnDeletion), then loses its finalizer; a Work of a cluster that is gone or being deleted loses
// it at once. Objects whose manifests left the Work (those its last manifestStatuses list) are deleted as well, once
// the rest is applied (unless spec.preserveResourcesOnDeletion). A Work's Namespaces and CRDs are applied first, in order,
// then the other manifests 16 at a time.
// Level-triggered, retried with backoff, resynced periodically; between resyncs, a watch of each member resource the
// Works use (managed objects only) requeues the owning Work on every change, so member statuses come back and drift
// is reverted at once.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { MemberClient, MemberResponse } from '../members/client.ts';
import { ClusterClientError, clusterClientFromSecret, scrubSecrets, type ClusterClient } from '../members/from-secret.ts';
import { interpretHealth, reflectStatus } from '../propagation/interpreter.ts';
import { MANAGED_ANNOTATIONS_ANNOTATION, MANAGED_LABELS_ANNOTATION } from '../propagation/names.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { apiPath, parseApiVersion } from '../registry/registry.ts';
import { setStatusCondition, type Condition } from './cluster.ts';
import { CLUSTERS, type ControlPlaneApi, inProcessApi, whenApiServes, WORKS } from './control-plane-api.ts';
import { clusterOfExecutionSpace, executionSpaceName } from './execution-namespace.ts';
import { WorkQueue } from './queue.ts';
import { type Controller, errorText, forEachLimited, ignoreNotFound, ShutdownWrites, stableJson } from './runtime.ts';

export interface ExecutionOptions {
  /** How often every Work is applied again and its status refreshed. Default 30 s. */
  workResyncPeriodMs?: number;
  /** Works processed at the same time. Default 8. */
  workConcurrency?: number;
}

export const DEFAULT_WORK_RESYNC_PERIOD_MS = 30_000;
const MEMBER_WATCH_RETRY_MS = 2000;
/** Manifests of one Work applied (or pruned) at the same time. */
const MANIFEST_CONCURRENCY = 16;

// Upstream names (pkg/util/constants.go, pkg/apis/work/v1alpha1 and v1alpha2 well-known constants).
export const EXECUTION_CONTROLLER_FINALIZER = 'karmada.io/execution-controller';
export const MANAGED_BY_KARMADA_LABEL = 'karmada.io/managed';
export const WORK_NAME_ANNOTATION = 'work.karmada.io/name';
export const WORK_NAMESPACE_ANNOTATION = 'work.karmada.io/namespace';
export const WORK_PERMANENT_ID_LABEL = 'work.karmada.io/permanent-id';
export const RESOURCE_CONFLICT_RESOLUTION_ANNOTATION = 'work.karmada.io/conflict-resolution';
export const RESOURCE_CONFLICT_RESOLUTION_OVERWRITE = 'overwrite';

/**
 * Canopy's apply modes, for a manifest that must never take a member object over (global namespaces): set on
 * the manifest, they are not applied themselves. Relabel: an existing object gets the manifest's values of the
 * label keys listed in canopy.io/relabel-keys (a key the manifest lacks is removed), nothing else; a missing one
 * is left missing. CreateOrRelabel: the same, and a missing object is created from the manifest. Patch: an
 * existing object gets the manifest as a JSON merge patch. Such objects are never marked, watched or deleted.
 * CreateOnly is the exception, for objects that must never be updated (Config Sync's
 * `client.lifecycle.config.k8s.io/mutation: ignore`): the Work owns the object as any other (marked, watched,
 * deleted with the Work), creates it when missing and leaves an existing one as it is. Abandon: nothing is done and
 * nothing reported, so an object the Work applied before stays on the member as it is when it later leaves the Work
 * (Config Sync's `configmanagement.gke.io/managed: disabled`).
 */
export const APPLY_MODE_ANNOTATION = 'canopy.io/apply-mode';
export const RELABEL_KEYS_ANNOTATION = 'canopy.io/relabel-keys';
export const APPLY_MODES = ['Relabel', 'CreateOrRelabel', 'Patch', 'CreateOnly', 'Abandon'] as const;
type ApplyMode = typeof APPLY_MODES[number];
type UnownedApplyMode = Exclude<ApplyMode, 'CreateOnly' | 'Abandon'>;

export const WORK_APPLIED = 'Applied';
export const WORK_DISPATCHING = 'Dispatching';
export const REASON_APPLIED_SUCCESSFUL = 'AppliedSuccessful';
export const REASON_APPLIED_FAILED = 'AppliedFailed';
export const MESSAGE_APPLIED_SUCCESSFUL = 'Manifest has been successfully applied';

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Where one manifest lives on the member. */
interface Target {
  resource: string;
  collection: string;
  path: string;
  namespaced: boolean;
  namespace?: string;
}

/** Whose Works an execution controller applies, and how it reaches the control plane and the members. */
export interface ExecutionScope {
  api: ControlPlaneApi;
  /** apply: this controller applies the cluster's Works now; wait: later (not ready); other: not this controller's. */
  accepts(cluster: KObject): 'apply' | 'wait' | 'other';
  clientFor(cluster: KObject, cached: ClusterClient | undefined): Promise<ClusterClient>;
  /** Only the Works of this execution namespace and the Cluster of this name (an agent's own). */
  only?: { namespace: string; cluster: string };
}

/** The control plane's execution controller: the Works of every Push cluster, through the stored credentials. */
export function executionController(objects: ObjectService, logger: Logger, settings: object = {}): Controller {
  // The settings are the server's options (ControllerSettings and more); only ExecutionOptions are read.
  return runExecution({
    api: inProcessApi(objects),
    accepts: (cluster) => (!isPush(cluster) ? 'other' : isReady(cluster) ? 'apply' : 'wait'),
    clientFor: (cluster, cached) => clusterClientFromSecret(objects, cluster, cached),
  }, logger, settings as ExecutionOptions);
}

export function runExecution(scope: ExecutionScope, logger: Logger, options: ExecutionOptions): Controller {
  const { api } = scope;
  const resyncMs = options.workResyncPeriodMs !== undefined && options.workResyncPeriodMs > 0
    ? options.workResyncPeriodMs : DEFAULT_WORK_RESYNC_PERIOD_MS;
  const log = logger.child({ controller: 'execution' });
  const clients = new Map<string, ClusterClient>();
  const discovery = new Map<string, Map<string, ApiResource[]>>();
  const seen = new Map<string, string>();
  const writes = new ShutdownWrites();
  const watchers: Array<{ close(): void }> = [];
  /** Watches of managed objects on members, by `<cluster>|<collection path>`: their changes requeue the owning Work. */
  const memberWatches = new Map<string, { close(): void }>();
  /** The resourceVersion of each member object as last applied, by `<cluster>|<uid>`: its own write's watch event
   *  does not need the Work synced again. */
  const applied = new Map<string, string>();
  let serving = false;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;

  /** Member events of a Work's objects that came while the Work was being synced, by Work key: `[<cluster>|<uid>,
   *  resourceVersion]`, undefined for a deletion. Those of the sync's own writes are usually among them (a watch event can
   *  come before the write's response); only the others need the Work synced again. */
  const eventsDuringSync = new Map<string, Array<[string, string | undefined]>>();

  const queue = new WorkQueue(async (key) => {
    const events: Array<[string, string | undefined]> = [];
    eventsDuringSync.set(key, events);
    try {
      await reconcile(key);
    } finally {
      eventsDuringSync.delete(key);
      if (events.some(([id, rv]) => rv === undefined || applied.get(id) !== rv)) queue.add(key);
      schedule(key);
    }
  }, {
    workers: options.workConcurrency ?? 8,
    maxDelayMs: resyncMs,
    onError: (key, err) => log.warn({ work: key, err: errorText(err) }, 'work sync failed; retrying'),
  });

  const schedule = (key: string) => queue.resyncAfter(key, resyncMs);
  /** What of a Work calls for a sync: as upstream's GenerationChangedPredicate (our status writes do not trigger
   *  one), plus deletion, the finalizer and the labels (what this controller itself depends on). */
  const syncState = (meta: KObject) => stableJson([meta.generation, meta.deletionTimestamp, meta.finalizers,
    meta.labels?.[WORK_PERMANENT_ID_LABEL]]);
  const forget = (key: string) => queue.forget(key);

  async function reconcile(key: string): Promise<void> {
    if (stopped || !serving) return;
    const [namespace, name] = splitKey(key);
    let work = await api.get(WORKS, namespace, name);
    if (!work) {
      forget(key);
      seen.delete(key);
      return;
    }
    const clusterName = clusterOfExecutionSpace(namespace);
    if (!clusterName) {
      forget(key);
      return;
    }
    const cluster = await api.get(CLUSTERS, undefined, clusterName);
    const acceptance = cluster ? scope.accepts(cluster) : 'other';
    if (cluster && acceptance === 'other') return;

    if (work.metadata.deletionTimestamp) {
      if (!(work.metadata.finalizers ?? []).includes(EXECUTION_CONTROLLER_FINALIZER)) return;
      if (cluster && acceptance === 'apply') {
        if (!work.spec?.preserveResourcesOnDeletion) await deleteWorkload(cluster, work);
      } else if (cluster && !cluster.metadata.deletionTimestamp) {
        // As upstream: an unready cluster that is not being removed keeps the Work until it can clean up.
        throw new Error(`cluster(${clusterName}) not ready`);
      }
      await writes.run(() => api.modify(WORKS, namespace, name, (current) => {
        const finalizers = (current.metadata.finalizers ?? []).filter((f: string) => f !== EXECUTION_CONTROLLER_FINALIZER);
        return { ...current, metadata: { ...current.metadata, finalizers } };
      })).catch(ignoreNotFound);
      forget(key);
      return;
    }

    if (!cluster || acceptance !== 'apply') return;

    // The finalizer and the permanent id (upstream's webhook assigns it) before anything reaches the member.
    const labels = work.metadata.labels ?? {};
    if (!(work.metadata.finalizers ?? []).includes(EXECUTION_CONTROLLER_FINALIZER) || !labels[WORK_PERMANENT_ID_LABEL]) {
      const updated = await writes.run(() => api.modify(WORKS, namespace, name, (current) => {
        const meta = current.metadata;
        const finalizers: string[] = meta.finalizers ?? [];
        return {
          ...current,
          metadata: {
            ...meta,
            labels: { ...(meta.labels ?? {}), [WORK_PERMANENT_ID_LABEL]: meta.labels?.[WORK_PERMANENT_ID_LABEL] || randomUUID() },
            finalizers: finalizers.includes(EXECUTION_CONTROLLER_FINALIZER) ? finalizers : [...finalizers, EXECUTION_CONTROLLER_FINALIZER],
          },
        };
      }));
      if (!updated) return;
      work = updated;
      seen.set(key, syncState(updated.metadata)); // this write's own event needs no sync
    }

    const conditions: Condition[] = [];
    if (work.spec?.suspendDispatching === true) {
      conditions.push({ type: WORK_DISPATCHING, status: 'False', reason: 'SuspendDispatching', message: 'Work dispatching is in a suspended state.' });
      await updateStatus(work, conditions, undefined);
      return;
    }
    conditions.push({ type: WORK_DISPATCHING, status: 'True', reason: 'Dispatching', message: 'Work is being dispatched to member clusters.' });

    let cc: ClusterClient;
    try {
      cc = await clientFor(cluster);
    } catch (e) {
      if (!(e instanceof ClusterClientError)) throw e;
      conditions.push({ type: WORK_APPLIED, status: 'False', reason: REASON_APPLIED_FAILED, message: `failed to create a ClusterClient: ${e.message}` });
      await updateStatus(work, conditions, undefined);
      throw e;
    }

    const manifests: KObject[] = work.spec?.workload?.manifests ?? [];
    const failures: Array<string | undefined> = [];
    const statuses: Array<KObject | undefined> = [];
    let succeeded = 0;
    const reported = new Set((work.status?.manifestStatuses ?? []).map((m: KObject) => identityOf(m.identifier ?? {})));
    const applyOne = async (ordinal: number) => {
      const manifest = manifests[ordinal]!;
      try {
        const mode = applyModeOf(manifest);
        if (mode === 'Abandon') {
          succeeded++;
          return;
        }
        const owned = mode === undefined || mode === 'CreateOnly';
        const { object, resource } = owned
          ? await applyManifest(clusterName, cc.client, work, manifest, !reported.has(identityOf(manifestIdentifier(manifest))))
          : await applyWithoutOwnership(clusterName, cc.client, manifest, mode);
        succeeded++;
        if (!object) return;
        if (owned) {
          applied.set(`${clusterName}|${object.metadata?.uid}`, object.metadata?.resourceVersion);
          watchMember(clusterName, String(object.apiVersion), resource);
        }
        statuses[ordinal] = manifestStatus(ordinal, object, resource);
      } catch (e) {
        failures[ordinal] = scrubSecrets(errorText(e), cc.secrets);
      }
    };
    // What the other manifests may need (their Namespace, their kind's CRD) is applied first, in order.
    const ordinals = [...manifests.keys()];
    const foundations = ordinals.filter((i) => isFoundation(manifests[i]!));
    for (const ordinal of foundations) await applyOne(ordinal);
    await forEachLimited(ordinals.filter((i) => !isFoundation(manifests[i]!)), MANIFEST_CONCURRENCY, applyOne);
    const errors = failures.filter((f): f is string => f !== undefined);
    const manifestStatuses = statuses.filter((s): s is KObject => s !== undefined);
    const removed = work.spec?.preserveResourcesOnDeletion ? [] : removedManifests(work, manifests, manifestStatuses);
    // Pruned only after a clean pass; until then the removed ones stay listed, or no later pass would know of them.
    if (!errors.length) await pruneRemoved(cc.client, work, removed);
    else manifestStatuses.push(...removed);
    if (errors.length) {
      const aggregate = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
      conditions.push({ type: WORK_APPLIED, status: 'False', reason: REASON_APPLIED_FAILED,
        message: `Failed to apply all manifests (${succeeded}/${manifests.length}): ${aggregate}` });
    } else {
      conditions.push({ type: WORK_APPLIED, status: 'True', reason: REASON_APPLIED_SUCCESSFUL, message: MESSAGE_APPLIED_SUCCESSFUL });
    }
    await updateStatus(work, conditions, manifestStatuses);
    if (errors.length) {
      log.warn({ work: key, cluster: clusterName, failed: errors.length }, 'some manifests of the work were not applied');
      throw new Error(`Failed to sync work(${name}) to cluster(${clusterName})`);
    }
  }

  /**
   * Deletes the member objects the Work applied last time (its manifestStatuses) whose manifests it no longer has,
   * when the Work still owns them: a manifest removed from a Work goes as the whole Work's objects go on its deletion.
   */
  async function pruneRemoved(client: MemberClient, work: KObject, removed: KObject[]): Promise<void> {
    await forEachLimited(removed.map((s) => s.identifier as KObject), MANIFEST_CONCURRENCY, async (i: KObject) => {
      const path = `${apiPath(i.group ? `${i.group}/${i.version}` : i.version)}/${i.namespace ? `namespaces/${encodeURIComponent(i.namespace)}/` : ''}`
        + `${i.resource}/${encodeURIComponent(i.name)}`;
      const observed = await client.request('GET', path);
      if (observed.status === 404 || (observed.status === 200 && !ownedBy(observed.json, work))) return;
      const res = observed.status === 200
        ? await client.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }) : observed;
      if (res.status !== 200 && res.status !== 202 && res.status !== 404) {
        throw new Error(`failed to delete ${i.kind} ${i.name}, no longer in work(${work.metadata.name}): ${memberMessage(res)}`);
      }
    });
  }

  /** Writes the conditions (and manifestStatuses, when given) if anything changes. */
  async function updateStatus(work: KObject, conditions: Condition[], manifestStatuses: KObject[] | undefined): Promise<void> {
    const apply = (status: KObject | undefined): KObject => {
      const next: KObject = { ...(status ?? {}) };
      let list: Condition[] = next.conditions ?? [];
      const now = Date.now();
      for (const c of conditions) list = setStatusCondition(list, c, now);
      next.conditions = list;
      if (manifestStatuses !== undefined) {
        if (manifestStatuses.length) next.manifestStatuses = manifestStatuses; else delete next.manifestStatuses;
      }
      return next;
    };
    if (stableJson(apply(work.status)) === stableJson(work.status ?? {})) return;
    await writes.run(() => api.modify(WORKS, work.metadata.namespace, work.metadata.name,
      (current) => ({ ...current, status: apply(current.status) }), 'status')).catch(ignoreNotFound);
  }

  /** Creates or updates one manifest on the member; returns the member's object and its resource (plural). A manifest the
   *  Work has not applied before (createFirst) is most likely missing: it is created without a GET first. */
  async function applyManifest(clusterName: string, client: MemberClient, work: KObject, manifest: KObject,
    createFirst: boolean): Promise<{ object: KObject; resource: string }> {
    const desired = checkedManifest(manifest);
    const meta = desired.metadata;
    const createOnly = meta.annotations?.[APPLY_MODE_ANNOTATION] === 'CreateOnly';
    if (createOnly) delete meta.annotations[APPLY_MODE_ANNOTATION];
    meta.labels = { ...(meta.labels ?? {}), [MANAGED_BY_KARMADA_LABEL]: 'true' };
    const permanentId = work.metadata.labels?.[WORK_PERMANENT_ID_LABEL];
    if (permanentId) meta.labels[WORK_PERMANENT_ID_LABEL] = permanentId;
    meta.annotations = { ...(meta.annotations ?? {}), [WORK_NAME_ANNOTATION]: work.metadata.name, [WORK_NAMESPACE_ANNOTATION]: work.metadata.namespace };
    for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp']) delete meta[k];
    const target = await targetOf(clusterName, client, desired);
    if (target.namespaced) meta.namespace = target.namespace; else delete meta.namespace;
    const ref = `resource(kind=${desired.kind}, ${target.namespaced ? target.namespace : ''}/${meta.name})`;

    let current = createFirst ? undefined : await client.request('GET', target.path);
    if (!current || current.status === 404) {
      let created = await client.request('POST', target.collection, desired);
      if (created.status === 404 && target.namespace && created.json?.details?.kind === 'namespaces') {
        await ensureMemberNamespace(clusterName, client, target.namespace);
        created = await client.request('POST', target.collection, desired);
      }
      if (created.status === 200 || created.status === 201) return { object: created.json, resource: target.resource };
      if (current || created.status !== 409) throw new Error(`failed to create ${ref} in cluster ${clusterName}: ${memberMessage(created)}`);
      current = await client.request('GET', target.path);
    }
    if (current.status !== 200) throw new Error(`failed to get ${ref} in cluster ${clusterName}: ${memberMessage(current)}`);
    const observed: KObject = current.json;
    if (!ownedBy(observed, work) && meta.annotations[RESOURCE_CONFLICT_RESOLUTION_ANNOTATION] !== RESOURCE_CONFLICT_RESOLUTION_OVERWRITE) {
      throw new Error(`${ref} already exists in the cluster ${clusterName} and the ${RESOURCE_CONFLICT_RESOLUTION_ANNOTATION} strategy value is empty, Karmada will not manage this resource`);
    }
    if (createOnly) return { object: observed, resource: target.resource };
    const next = retainClusterFields(desired, observed);
    const updated = await client.request('PUT', target.path, next);
    if (updated.status === 200 || updated.status === 201) return { object: updated.json, resource: target.resource };
    throw new Error(`failed to update ${ref} in cluster ${clusterName}: ${memberMessage(updated)}`);
  }

  /** Applies a manifest in one of Canopy's apply modes; the object is absent when there is none on the member. */
  async function applyWithoutOwnership(clusterName: string, client: MemberClient, manifest: KObject,
    mode: UnownedApplyMode): Promise<{ object?: KObject; resource: string }> {
    const desired = checkedManifest(manifest);
    const annotations = { ...(desired.metadata.annotations ?? {}) };
    const relabelKeys = String(annotations[RELABEL_KEYS_ANNOTATION] ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    delete annotations[APPLY_MODE_ANNOTATION];
    delete annotations[RELABEL_KEYS_ANNOTATION];
    desired.metadata.annotations = annotations;
    if (!Object.keys(annotations).length) delete desired.metadata.annotations;
    const target = await targetOf(clusterName, client, desired);
    if (target.namespaced) desired.metadata.namespace = target.namespace; else delete desired.metadata.namespace;
    const ref = `resource(kind=${desired.kind}, ${target.namespaced ? target.namespace : ''}/${desired.metadata.name})`;
    const current = await client.request('GET', target.path);
    if (current.status === 404) {
      if (mode !== 'CreateOrRelabel') return { resource: target.resource };
      const created = await client.request('POST', target.collection, desired);
      if (created.status === 200 || created.status === 201) return { object: created.json, resource: target.resource };
      // A 409 too: created meanwhile (or still terminating); the retry relabels it.
      throw new Error(`failed to create ${ref} in cluster ${clusterName}: ${memberMessage(created)}`);
    }
    if (current.status !== 200) throw new Error(`failed to get ${ref} in cluster ${clusterName}: ${memberMessage(current)}`);
    let patch: KObject;
    if (mode === 'Patch') {
      const { apiVersion: _v, kind: _k, metadata: { name: _n, namespace: _ns, ...metadata }, ...rest } = desired;
      patch = { ...rest, ...(Object.keys(metadata).length ? { metadata } : {}) };
    } else {
      const have = current.json.metadata?.labels ?? {};
      const want = desired.metadata.labels ?? {};
      const labels: Record<string, string | null> = {};
      for (const key of relabelKeys) {
        if (want[key] !== undefined && have[key] !== want[key]) labels[key] = want[key];
        else if (want[key] === undefined && have[key] !== undefined) labels[key] = null;
      }
      if (!Object.keys(labels).length) return { object: current.json, resource: target.resource };
      patch = { metadata: { labels } };
    }
    const patched = await client.request('PATCH', target.path, patch, 'application/merge-patch+json');
    if (patched.status === 200) return { object: patched.json, resource: target.resource };
    throw new Error(`failed to patch ${ref} in cluster ${clusterName}: ${memberMessage(patched)}`);
  }

  /** Creates a namespace a manifest needs on the member; it belongs to the member, not to any Work. */
  async function ensureMemberNamespace(clusterName: string, client: MemberClient, namespace: string): Promise<void> {
    const res = await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    if (res.status !== 201 && res.status !== 200 && res.status !== 409) {
      throw new Error(`failed to create namespace ${namespace} in cluster ${clusterName}: ${memberMessage(res)}`);
    }
  }

  /** Deletes the Work's objects on the member (only those this Work owns). */
  async function deleteWorkload(cluster: KObject, work: KObject): Promise<void> {
    const cc = await clientFor(cluster);
    const clusterName: string = cluster.metadata.name;
    for (const manifest of work.spec?.workload?.manifests ?? []) {
      if (typeof manifest?.apiVersion !== 'string' || typeof manifest?.kind !== 'string' || typeof manifest?.metadata?.name !== 'string') continue;
      const mode = manifest.metadata.annotations?.[APPLY_MODE_ANNOTATION];
      if (mode !== undefined && mode !== 'CreateOnly') continue; // never owned
      const target = await targetOf(clusterName, cc.client, manifest);
      const current = await cc.client.request('GET', target.path);
      if (current.status === 404) continue;
      if (current.status !== 200) throw new Error(`failed to get ${manifest.kind} ${manifest.metadata.name} in cluster ${clusterName}: ${memberMessage(current)}`);
      if (!ownedBy(current.json, work)) {
        log.info({ cluster: clusterName, kind: manifest.kind, name: manifest.metadata.name }, 'the member object is not managed by this work; left in place');
        continue;
      }
      const res = await cc.client.request('DELETE', target.path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
      if (res.status !== 200 && res.status !== 202 && res.status !== 404) {
        throw new Error(`failed to delete ${manifest.kind} ${manifest.metadata.name} in cluster ${clusterName}: ${memberMessage(res)}`);
      }
    }
  }

  async function clientFor(cluster: KObject): Promise<ClusterClient> {
    const name: string = cluster.metadata.name;
    const entry = await scope.clientFor(cluster, clients.get(name));
    if (clients.get(name) !== entry) {
      clients.set(name, entry);
      stopMemberWatches(name);
      discovery.delete(name);
    }
    return entry;
  }

  /** The member's path for a manifest, through the member's discovery (cached, refreshed on a miss). */
  async function targetOf(clusterName: string, client: MemberClient, manifest: KObject): Promise<Target> {
    const gv: string = manifest.apiVersion;
    const prefix = apiPath(gv);
    let cache = discovery.get(clusterName);
    if (!cache) discovery.set(clusterName, cache = new Map());
    const fetch = async (): Promise<ApiResource[]> => {
      const res = await client.request('GET', prefix);
      if (res.status === 404) return [];
      if (res.status !== 200) throw new Error(`failed to discover ${gv} in cluster ${clusterName}: ${memberMessage(res)}`);
      const list: ApiResource[] = (res.json?.resources ?? []).filter((r: ApiResource) => !r.name.includes('/'));
      cache!.set(gv, list);
      return list;
    };
    let resources = cache.get(gv) ?? await fetch();
    let resource = resources.find((r) => r.kind === manifest.kind);
    if (!resource && cache.has(gv)) {
      resources = await fetch();
      resource = resources.find((r) => r.kind === manifest.kind);
    }
    if (!resource) throw new Error(`no matches for kind "${manifest.kind}" in version "${gv}" in cluster ${clusterName}`);
    const namespace: string | undefined = resource.namespaced ? (manifest.metadata?.namespace || 'default') : undefined;
    const collection = `${prefix}/${namespace ? `namespaces/${encodeURIComponent(namespace)}/` : ''}${resource.name}`;
    return { resource: resource.name, collection, path: `${collection}/${encodeURIComponent(manifest.metadata.name)}`, namespaced: resource.namespaced, namespace };
  }

  /** Follows a member's managed objects of one resource, so status changes and drift are seen at once. */
  function watchMember(clusterName: string, apiVersion: string, resource: string, resumeFrom?: string): void {
    const collection = `${apiPath(apiVersion)}/${resource}`;
    const id = `${clusterName}|${collection}`;
    const client = clients.get(clusterName)?.client;
    if (stopped || memberWatches.has(id) || !client) return;
    // Resumed where the last watch ended (a watch ends every half hour or so); from scratch after an error (410).
    let lastRv = resumeFrom;
    const query = `labelSelector=${encodeURIComponent(`${MANAGED_BY_KARMADA_LABEL}=true`)}&allowWatchBookmarks=true`
      + (resumeFrom ? `&resourceVersion=${encodeURIComponent(resumeFrom)}` : '');
    const watch = client.watch(`${collection}?${query}`, (event) => {
      if (event.type === 'ERROR') {
        lastRv = undefined;
        return;
      }
      lastRv = event.object?.metadata?.resourceVersion ?? lastRv;
      if (event.type === 'BOOKMARK') return;
      const appliedId = `${clusterName}|${event.object?.metadata?.uid}`;
      if (event.type === 'DELETED') applied.delete(appliedId);
      else if (applied.get(appliedId) === event.object?.metadata?.resourceVersion) return;
      const a = event.object?.metadata?.annotations ?? {};
      if (!a[WORK_NAMESPACE_ANNOTATION] || !a[WORK_NAME_ANNOTATION]) return;
      const workKey = `${a[WORK_NAMESPACE_ANNOTATION]}/${a[WORK_NAME_ANNOTATION]}`;
      const during = eventsDuringSync.get(workKey);
      if (during) during.push([appliedId, event.type === 'DELETED' ? undefined : event.object?.metadata?.resourceVersion]);
      else queue.add(workKey);
    }, () => {
      if (memberWatches.get(id) !== watch) return;
      memberWatches.delete(id);
      setTimeout(() => watchMember(clusterName, apiVersion, resource, lastRv), MEMBER_WATCH_RETRY_MS).unref();
    });
    memberWatches.set(id, watch);
  }

  function stopMemberWatches(clusterName: string): void {
    for (const id of applied.keys()) if (id.startsWith(`${clusterName}|`)) applied.delete(id);
    for (const [id, watch] of [...memberWatches]) {
      if (!id.startsWith(`${clusterName}|`)) continue;
      memberWatches.delete(id);
      watch.close();
    }
  }

  function enqueueWorksOf(clusterName: string): void {
    if (!serving) return;
    api.list(WORKS, executionSpaceName(clusterName)).then((list) => {
      for (const w of list) queue.add(`${w.metadata.namespace}/${w.metadata.name}`);
    }, () => {});
  }

  function start(): void {
    whenApiServes(api, [WORKS, CLUSTERS], () => stopped, () => {
      serving = true;
      watch();
    });
  }

  function watch(): void {
    seen.clear();
    const restart = () => {
      // Both watches end when the control plane goes away: one restart.
      if (stopped || !watchers.length) return;
      for (const w of watchers.splice(0)) w.close();
      retryTimer = setTimeout(start, 1000);
      retryTimer.unref();
    };
    watchers.push(api.watch(WORKS, { namespace: scope.only?.namespace }, (event) => {
      const meta = event.object.metadata;
      const key = `${meta.namespace}/${meta.name}`;
      if (event.type === 'DELETED') {
        seen.delete(key);
        queue.add(key);
        return;
      }
      const state = syncState(meta);
      if (event.type === 'MODIFIED' && seen.get(key) === state) return;
      seen.set(key, state);
      queue.add(key);
    }, restart));
    const readiness = new Map<string, string>();
    watchers.push(api.watch(CLUSTERS, { name: scope.only?.cluster }, (event) => {
      const name: string = event.object.metadata.name;
      if (event.type === 'DELETED') {
        readiness.delete(name);
        clients.delete(name);
        stopMemberWatches(name);
        discovery.delete(name);
        enqueueWorksOf(name);
        return;
      }
      const state = stableJson([isReady(event.object), event.object.spec?.syncMode, event.object.metadata.deletionTimestamp,
        event.object.spec?.apiEndpoint, event.object.spec?.secretRef]);
      if (readiness.get(name) === state) return;
      readiness.set(name, state);
      enqueueWorksOf(name);
    }, restart));
  }
  start();

  return {
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      for (const w of watchers.splice(0)) w.close();
      for (const w of memberWatches.values()) w.close();
      memberWatches.clear();
      queue.stop();
      await writes.close();
    },
  };
}

/** Upstream's retainClusterFields and default Retain interpretation: what the member owns is kept. */
export function retainClusterFields(desired: KObject, observed: KObject): KObject {
  const next = structuredClone(desired);
  const meta = next.metadata;
  const old = observed.metadata ?? {};
  meta.resourceVersion = old.resourceVersion;
  if (old.finalizers) meta.finalizers = old.finalizers; else delete meta.finalizers;
  if (old.ownerReferences) meta.ownerReferences = old.ownerReferences; else delete meta.ownerReferences;
  meta.annotations = { ...withoutDropped(old.annotations, old.annotations?.[MANAGED_ANNOTATIONS_ANNOTATION], meta.annotations), ...(meta.annotations ?? {}) };
  meta.labels = { ...withoutDropped(old.labels, old.annotations?.[MANAGED_LABELS_ANNOTATION], meta.labels), ...(meta.labels ?? {}) };
  if (observed.status !== undefined) next.status = observed.status;
  const { group } = parseApiVersion(next.apiVersion);
  const kind = `${group}/${next.kind}`;
  if (kind === '/Service' && observed.spec) {
    next.spec ??= {};
    for (const f of ['clusterIP', 'clusterIPs', 'healthCheckNodePort']) {
      if (observed.spec[f] !== undefined && next.spec[f] === undefined) next.spec[f] = observed.spec[f];
    }
    if (Array.isArray(next.spec.ports) && Array.isArray(observed.spec.ports)) {
      for (const port of next.spec.ports) {
        const was = observed.spec.ports.find((p: KObject) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
        if (was?.nodePort !== undefined && port.nodePort === undefined) port.nodePort = was.nodePort;
      }
    }
  } else if (kind === '/PersistentVolumeClaim' && observed.spec?.volumeName && !next.spec?.volumeName) {
    next.spec = { ...(next.spec ?? {}), volumeName: observed.spec.volumeName };
  } else if (kind === '/ServiceAccount' && observed.secrets && !next.secrets) {
    next.secrets = observed.secrets;
  } else if (kind === '/Namespace' && observed.spec?.finalizers && !next.spec?.finalizers) {
    next.spec = { ...(next.spec ?? {}), finalizers: observed.spec.finalizers };
  } else if (kind === 'batch/Job' && observed.spec) {
    next.spec ??= {};
    if (observed.spec.selector && !next.spec.selector) next.spec.selector = observed.spec.selector;
    const labels = observed.spec.template?.metadata?.labels;
    if (labels) {
      next.spec.template ??= {};
      next.spec.template.metadata ??= {};
      next.spec.template.metadata.labels = { ...labels, ...(next.spec.template.metadata.labels ?? {}) };
    }
  } else if (kind === '/Pod' && observed.spec?.nodeName && !next.spec?.nodeName) {
    next.spec = { ...(next.spec ?? {}), nodeName: observed.spec.nodeName };
  }
  return next;
}

/**
 * The member's own keys: what the manifest last applied listed as managed (in the observed object's
 * resourcetemplate.karmada.io/managed-labels or -annotations) and no longer declares is dropped, as Karmada's
 * retainLabels/retainAnnotations do.
 */
function withoutDropped(observed: Record<string, string> | undefined, managedList: string | undefined,
  desired: Record<string, string> | undefined): Record<string, string> {
  const managed = new Set((managedList ?? '').split(',').filter(Boolean));
  return Object.fromEntries(Object.entries(observed ?? {}).filter(([key]) => !managed.has(key) || desired?.[key] !== undefined));
}

/** What tells manifests apart: group, kind, namespace and name (a manifest's identifier, without the resource). */
/** The manifest statuses the Work reported last time whose manifests it no longer has. */
function removedManifests(work: KObject, manifests: KObject[], current: KObject[]): KObject[] {
  const kept = new Set([...current.map((s) => identityOf(s.identifier)), ...manifests.map((m) => identityOf(manifestIdentifier(m)))]);
  return (work.status?.manifestStatuses ?? []).filter((s: KObject) => s?.identifier && !kept.has(identityOf(s.identifier)));
}

function identityOf(i: KObject): string {
  return `${i.group}|${i.kind}|${i.namespace ?? ''}|${i.name}`;
}

function manifestIdentifier(manifest: KObject): KObject {
  return { group: parseApiVersion(String(manifest?.apiVersion)).group, kind: manifest?.kind, namespace: manifest?.metadata?.namespace,
    name: manifest?.metadata?.name };
}

/** One entry of Work.status.manifestStatuses from the member's object. */
function manifestStatus(ordinal: number, obj: KObject, resource: string): KObject {
  const { group, version } = parseApiVersion(obj.apiVersion);
  const status = reflectStatus(obj);
  return {
    identifier: {
      ordinal, group, version, kind: obj.kind, resource,
      ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
      name: obj.metadata?.name,
    },
    ...(status !== undefined ? { status } : {}),
    health: interpretHealth(obj),
  };
}

/** A copy of a manifest, checked for what every apply needs. */
function checkedManifest(manifest: KObject): KObject {
  const desired = structuredClone(manifest);
  if (!desired || typeof desired !== 'object' || typeof desired.apiVersion !== 'string' || typeof desired.kind !== 'string'
    || typeof desired.metadata?.name !== 'string') {
    throw new Error('failed to unmarshal workload: a manifest needs apiVersion, kind and metadata.name');
  }
  return desired;
}

/** A Namespace or a CustomResourceDefinition: what other manifests may need to exist first. */
function isFoundation(manifest: KObject): boolean {
  return (manifest?.apiVersion === 'v1' && manifest.kind === 'Namespace')
    || (manifest?.apiVersion === 'apiextensions.k8s.io/v1' && manifest.kind === 'CustomResourceDefinition');
}

function applyModeOf(manifest: KObject): ApplyMode | undefined {
  const mode = manifest?.metadata?.annotations?.[APPLY_MODE_ANNOTATION];
  if (mode === undefined) return undefined;
  if (!(APPLY_MODES as readonly string[]).includes(mode)) {
    throw new Error(`unknown ${APPLY_MODE_ANNOTATION} "${mode}": must be one of ${APPLY_MODES.join(', ')}`);
  }
  return mode;
}

function ownedBy(observed: KObject, work: KObject): boolean {
  const a = observed.metadata?.annotations ?? {};
  const l = observed.metadata?.labels ?? {};
  const name = a[WORK_NAME_ANNOTATION] ?? l[WORK_NAME_ANNOTATION];
  const namespace = a[WORK_NAMESPACE_ANNOTATION] ?? l[WORK_NAMESPACE_ANNOTATION];
  return name === work.metadata.name && namespace === work.metadata.namespace;
}

function isPush(cluster: KObject): boolean {
  return cluster.spec?.syncMode === 'Push';
}

function isReady(cluster: KObject): boolean {
  return (cluster.status?.conditions ?? []).some((c: Condition) => c.type === 'Ready' && c.status === 'True');
}

function memberMessage(res: MemberResponse): string {
  const message = res.json?.message;
  return typeof message === 'string' && message ? message : `HTTP ${res.status}`;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

