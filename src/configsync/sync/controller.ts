// The RootSync controller: Config Sync's root reconciler, run by the control plane for every member cluster at once.
// Every `period` (and whenever the spec, the Clusters or the RootSync's Works change) it fetches the Git source,
// hydrates the commit for each member Cluster (its name and labels, for ClusterSelectors) and, when no cluster has
// an error, writes the objects into Works in the cluster's execution namespace (works.ts); objects gone from the repo
// leave their Works (a Work left empty is deleted), which takes them off the members. A commit with errors changes nothing: the last
// good commit stays applied and the errors show in status. Namespaces of the repo are global namespaces in the
// control plane too. All state is in the store (the Works) and in the state directory's Git mirrors, so a restart
// carries on where it stopped.
import { rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Logger } from 'pino';
import { ApiError } from '../../apiserver/errors.ts';
import { clusterOfExecutionSpace, executionSpaceName } from '../../controllers/execution-namespace.ts';
import { REASON_APPLIED_SUCCESSFUL, WORK_APPLIED } from '../../controllers/execution.ts';
import type { ControllerSettings } from '../../controllers/index.ts';
import { Informer, whenServed } from '../../controllers/informer.ts';
import { WorkQueue } from '../../controllers/queue.ts';
import { type Controller, errorText, forEachLimited, ignoreNotFound, stableJson } from '../../controllers/runtime.ts';
import type { KObject, ObjectService } from '../../registry/objects.ts';
import type { ResourceInfo } from '../../registry/types.ts';
import { emptySource } from '../knv.ts';
import { CONTROLLER_NAMESPACE as CONFIG_SYNC_NAMESPACE } from '../objects.ts';
import { loadHierarchicalRepo } from '../repo.ts';
import { GitMirror } from './git.ts';
import { syncNamespaces } from './namespaces.ts';
import { readRootSyncSpec, type RootSyncSpec } from './spec.ts';
import {
  type Condition, configSyncError, type ConfigSyncError, errorFields, plainConfigSyncError, setConditions, uniqueErrors,
  withoutTimes,
} from './status.ts';
import {
  type DesiredWork, desiredWorks, isUnmanaged, namespacesIn, resourceId, ROOT_SYNC_NAME_LABEL, SYNC_METADATA, workObject,
} from './works.ts';
import { rfc3339 } from '../../gofmt.ts';

/** Works written or deleted at the same time. */
const WRITE_CONCURRENCY = 16;
/** At most one pass per RootSync in this time for changes of its Works. */
const WORK_EVENT_DEBOUNCE_MS = 250;
/** How soon a sync in progress is looked at again (Work status changes requeue it sooner). */
const IN_PROGRESS_RECHECK_MS = 2000;

/** What one commit gives: per cluster, its Works or its errors. */
interface Rendering {
  key: string;
  commit: string;
  works: DesiredWork[];
  /** `<execution namespace>|<resource id>` of the objects declared `configmanagement.gke.io/managed: disabled`. */
  unmanaged: Set<string>;
  errors: Map<string, ConfigSyncError[]>;
}

/** Per RootSync, in memory: what was fetched and rendered last (all of it can be computed again after a restart). */
interface SyncState {
  specKey: string;
  fetchedAt: number;
  commit?: string;
  fetchError?: ConfigSyncError;
  rendering?: Rendering;
  /** The rendering whose namespaces the control plane has, and when they were last written. */
  namespacesSynced?: { key: string; at: number };
  /** The control plane's namespaces are being written (beside the passes: thousands take seconds). */
  namespacesSyncing?: boolean;
}

export function rootSyncController(objects: ObjectService, logger: Logger, settings: ControllerSettings = {}): Controller {
  const log = logger.child({ controller: 'root-sync' });
  const stateDir = settings.dir ? join(settings.dir, 'configsync') : undefined;
  let stopped = false;
  let ready = false;
  const informers: Informer[] = [];
  let rootSyncs: Informer, clusters: Informer, works: Informer;
  let resources: { namespaces: ResourceInfo; secrets: ResourceInfo; works: ResourceInfo; rootSyncs: ResourceInfo };
  const states = new Map<string, SyncState>();
  const mirrors = new Map<string, GitMirror>();

  const queue = new WorkQueue(async (name) => {
    const next = await reconcile(name);
    if (next !== undefined) queue.resyncAfter(name, next);
  }, {
    workers: 2,
    maxDelayMs: 30_000,
    onError: (key, err) => log.warn({ rootSync: key, err: errorText(err) }, 'root sync failed; retrying'),
  });

  /** Work changes come by the hundred while a big commit is applied: they requeue their RootSync at most 4 times a second. */
  function nudge(name: string): void {
    if (nudged.has(name)) return;
    nudged.add(name);
    setTimeout(() => {
      nudged.delete(name);
      queue.add(name);
    }, WORK_EVENT_DEBOUNCE_MS).unref();
  }
  const nudged = new Set<string>();
  /** Works of cluster-scoped objects that hold back Works of namespaced ones, by key: their RootSync's next pass comes with
   *  their next change, not a second later. */
  const awaitedWorks = new Map<string, string>();

  function mirrorOf(name: string): GitMirror {
    let m = mirrors.get(name);
    if (!m) {
      if (!stateDir) throw new Error('the control plane has no state directory for Git sources');
      mirrors.set(name, m = new GitMirror(sourceDir(stateDir, name)));
    }
    return m;
  }

  /** Syncs one RootSync; returns when to look at it again (ms). */
  async function reconcile(name: string): Promise<number | undefined> {
    if (stopped || !ready) return undefined;
    const rootSync = rootSyncs.get(CONFIG_SYNC_NAMESPACE, name);
    const owned = works.list().filter((w) => w.metadata.labels?.[ROOT_SYNC_NAME_LABEL] === name);
    if (!rootSync || rootSync.metadata.deletionTimestamp) {
      // As upstream's default deletion propagation (Orphan): the objects stay on the members, unmanaged.
      await forEachLimited(owned, WRITE_CONCURRENCY, (w) => abandon(w));
      states.delete(name);
      mirrors.delete(name);
      if (stateDir) rmSync(sourceDir(stateDir, name), { recursive: true, force: true });
      return undefined;
    }
    const spec = readRootSyncSpec(rootSync);
    if ('invalid' in spec) {
      await writeStatus(rootSync, (status) => ({
        ...status,
        observedGeneration: rootSync.metadata.generation,
        conditions: setConditions(status.conditions, [
          { type: 'Reconciling', status: 'False', reason: 'Validation', message: spec.invalid },
          { type: 'Stalled', status: 'True', reason: 'Validation', message: spec.invalid, errors: [plainConfigSyncError('1061', spec.invalid)] },
        ], Date.now()),
      }));
      return undefined;
    }

    const state = await fetchIfDue(name, spec);
    const memberClusters = clusters.list().filter((c) => !c.metadata.deletionTimestamp)
      .map((c) => ({ name: c.metadata.name as string, labels: (c.metadata.labels ?? {}) as Record<string, string> }))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (state.commit) {
      const key = stableJson([state.commit, spec.format, spec.gitStatus.dir, memberClusters]);
      if (state.rendering?.key !== key) state.rendering = await render(name, spec, state.commit, memberClusters, key);
    }
    const rendering = state.rendering;
    const refusals = rendering && !rendering.errors.size
      ? emptySourceRefusals(rendering, owned, memberClusters.map((c) => c.name)) : new Map<string, ConfigSyncError[]>();
    const sourceErrors = uniqueErrors([
      ...(state.fetchError ? [state.fetchError] : []),
      ...[...(rendering?.errors.values() ?? [])].flat(),
      ...[...refusals.values()].flat(),
    ]);

    let syncErrors: Map<string, ConfigSyncError[]> = new Map();
    let syncedClusters: string[] = [];
    let applying = false;
    if (rendering && !sourceErrors.length) {
      await applyWorks(name, rendering, owned);
      const namespacesDue = state.namespacesSynced?.key !== rendering.key || Date.now() - state.namespacesSynced.at >= spec.periodMs;
      if (namespacesDue && !state.namespacesSyncing) syncNamespacesOf(name, state, rendering);
      ({ errors: syncErrors, synced: syncedClusters, applying } = syncProgress(rendering.works, memberClusters.map((c) => c.name)));
      if (state.namespacesSynced?.key !== rendering.key) {
        syncedClusters = [];
        applying = true;
      }
    }
    await writeStatus(rootSync, (status) => nextStatus(status, rootSync, spec, state, memberClusters.map((c) => c.name),
      { sourceErrors, clusterErrors: new Map([...(rendering?.errors ?? []), ...refusals]), syncErrors, syncedClusters, applying }));
    const sinceFetch = Date.now() - state.fetchedAt;
    return applying ? Math.min(IN_PROGRESS_RECHECK_MS, spec.periodMs) : Math.max(0, spec.periodMs - sinceFetch);
  }

  /** Writes the control plane's copies of the rendering's namespaces, once per rendering and period, beside the passes
   *  (several come a second while Works are applied); the commit counts as synced once they are written. */
  function syncNamespacesOf(name: string, state: SyncState, rendering: Rendering): void {
    state.namespacesSyncing = true;
    syncNamespaces(objects, resources.namespaces, name, rendering.works, log).then(() => {
      state.namespacesSynced = { key: rendering.key, at: Date.now() };
      queue.add(name);
    }, (e) => log.warn({ rootSync: name, err: errorText(e) }, 'cannot sync the control plane\'s namespaces; retrying'))
      .finally(() => { state.namespacesSyncing = false; });
  }

  /** Fetches the source when the period is up or the spec changed; keeps the last commit when a fetch fails. */
  async function fetchIfDue(name: string, spec: RootSyncSpec): Promise<SyncState> {
    const specKey = stableJson(spec);
    let state = states.get(name);
    if (state && state.specKey === specKey && Date.now() - state.fetchedAt < spec.periodMs) return state;
    if (!state || state.specKey !== specKey) states.set(name, state = { specKey, fetchedAt: 0 });
    state.fetchedAt = Date.now();
    try {
      const credentials = spec.tokenSecret ? await tokenCredentials(spec.tokenSecret) : undefined;
      state.commit = await mirrorOf(name).fetch({ repo: spec.repo, ref: spec.ref, credentials });
      delete state.fetchError;
    } catch (e) {
      state.fetchError = plainConfigSyncError('2004', `failed to fetch ${spec.ref} from ${spec.repo}: ${errorText(e)}`);
    }
    return state;
  }

  async function tokenCredentials(secretName: string): Promise<{ username: string; token: string }> {
    const secret = await objects.tryGet(resources.secrets, CONFIG_SYNC_NAMESPACE, secretName);
    if (!secret) throw new Error(`Secret ${CONFIG_SYNC_NAMESPACE}/${secretName} not found`);
    const value = (key: string) => Buffer.from(String(secret.data?.[key] ?? ''), 'base64').toString('utf8');
    if (!value('username') || !value('token')) throw new Error(`Secret ${CONFIG_SYNC_NAMESPACE}/${secretName} must have the keys username and token`);
    return { username: value('username'), token: value('token') };
  }

  /** Hydrates the commit for every member cluster. */
  async function render(name: string, spec: RootSyncSpec, commit: string, memberClusters: Array<{ name: string; labels: Record<string, string> }>,
    key: string): Promise<Rendering> {
    const errors = new Map<string, ConfigSyncError[]>();
    const dir = posix.normalize(spec.gitStatus.dir.replace(/^\/+/, '')).replace(/^\.$/, '').replace(/\/+$/, '');
    const files = dir === '..' || dir.startsWith('../') ? new Map<string, string>() : await mirrorOf(name).files(commit, dir);
    if (!files.size) {
      const error = plainConfigSyncError('2004', `spec.git.dir ${JSON.stringify(spec.gitStatus.dir)} is no directory of commit ${commit}`);
      for (const c of memberClusters) errors.set(c.name, [error]);
      return { key, commit, works: [], unmanaged: new Set(), errors };
    }
    const repo = loadHierarchicalRepo(files, { clusters: memberClusters, format: spec.format });
    const allWorks: DesiredWork[] = [];
    const unmanaged = new Set<string>();
    for (const c of repo.clusters) {
      if (c.errors.length) {
        errors.set(c.cluster, c.errors.map(configSyncError));
        continue;
      }
      allWorks.push(...desiredWorks(c.cluster, c.objects, { namespace: CONFIG_SYNC_NAMESPACE, name }, commit));
      for (const fo of c.objects.filter((o) => isUnmanaged(o.object))) unmanaged.add(`${executionSpaceName(c.cluster)}|${resourceId(fo.object)}`);
    }
    return { key, commit, works: errors.size ? [] : allWorks, unmanaged, errors };
  }

  /** KNV2006: a commit that would delete every one of several namespaces a cluster has from this RootSync. */
  function emptySourceRefusals(rendering: Rendering, owned: KObject[], clusterNames: string[]): Map<string, ConfigSyncError[]> {
    const synced = new Map<string, Set<string>>();
    for (const w of owned) {
      const cluster = clusterOfExecutionSpace(w.metadata.namespace) ?? '';
      if (w.spec?.preserveResourcesOnDeletion || !clusterNames.includes(cluster)) continue;
      const names = synced.get(cluster) ?? new Set<string>();
      for (const manifest of namespacesIn(w.spec?.workload?.manifests ?? [])) names.add(manifest.metadata?.name);
      synced.set(cluster, names);
    }
    const declared = new Set(rendering.works.flatMap((d) => d.namespaces.map((n) => `${d.cluster}|${n.metadata.name}`)));
    const refusals = new Map<string, ConfigSyncError[]>();
    for (const [cluster, names] of synced) {
      if (names.size >= 2 && ![...names].some((name) => declared.has(`${cluster}|${name}`))) {
        refusals.set(cluster, [configSyncError(emptySource(names.size, 'namespaces'))]);
      }
    }
    return refusals;
  }

  /** Creates and updates the wanted Works; deletes the RootSync's others (abandoning what is now unmanaged). */
  async function applyWorks(name: string, rendering: Rendering, owned: KObject[]): Promise<void> {
    const wanted = rendering.works;
    const byKey = new Map(owned.map((w) => [`${w.metadata.namespace}/${w.metadata.name}`, w]));
    // As Config Sync's applier orders objects: a cluster's new Works of namespaced objects wait until the Works of its
    // cluster-scoped ones (their Namespaces and CRDs) are applied.
    const gates = wanted.filter((d) => d.clusterScoped && progressOf(d).pending);
    const waiting = new Set(gates.map((d) => d.cluster));
    for (const d of gates) awaitedWorks.set(`${d.namespace}/${d.name}`, name);
    await forEachLimited(wanted, WRITE_CONCURRENCY, async (d) => {
      const current = byKey.get(`${d.namespace}/${d.name}`);
      byKey.delete(`${d.namespace}/${d.name}`);
      if (!current && !d.clusterScoped && waiting.has(d.cluster)) return;
      if (!current) {
        try {
          await objects.create(resources.works, d.namespace, workObject(d));
          return;
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 409)) throw e;
        }
      } else if (sameWork(current, d)) {
        return;
      }
      await objects.modify(resources.works, d.namespace, d.name, (w) => ({
        ...w,
        metadata: { ...w.metadata, labels: { ...w.metadata.labels, ...d.labels }, annotations: { ...w.metadata.annotations, ...d.annotations } },
        spec: { ...w.spec, preserveResourcesOnDeletion: d.spec.preserveResourcesOnDeletion === true, workload: d.spec.workload },
      }));
    });
    const abandoned = (w: KObject) => rendering.unmanaged.has(`${w.metadata.namespace}|${w.metadata.annotations?.[SYNC_METADATA.resourceId]}`);
    await forEachLimited([...byKey.values()], WRITE_CONCURRENCY, (w) => (abandoned(w) ? abandon(w) : removeWork(w)));
  }

  async function removeWork(w: KObject): Promise<void> {
    await objects.delete(resources.works, w.metadata.namespace, w.metadata.name).catch(ignoreNotFound);
  }

  /** Deletes a Work leaving its object on the member. */
  async function abandon(w: KObject): Promise<void> {
    if (!w.spec?.preserveResourcesOnDeletion) {
      await objects.modify(resources.works, w.metadata.namespace, w.metadata.name,
        (current) => ({ ...current, spec: { ...current.spec, preserveResourcesOnDeletion: true } })).catch(ignoreNotFound);
    }
    await removeWork(w);
  }

  /** Per cluster: the Works' apply errors (KNV2009), whether every Work is applied, whether some are still in progress. */
  function syncProgress(wanted: DesiredWork[], clusterNames: string[]): { errors: Map<string, ConfigSyncError[]>; synced: string[]; applying: boolean } {
    const errors = new Map<string, ConfigSyncError[]>();
    const pending = new Set<string>();
    for (const d of wanted) {
      const { pending: isPending, failure } = progressOf(d);
      if (isPending) {
        pending.add(d.cluster);
      } else if (failure !== undefined) {
        const list = errors.get(d.cluster) ?? [];
        list.push(plainConfigSyncError('2009', `failed to apply ${d.subject}: ${failure}`));
        errors.set(d.cluster, list);
      }
    }
    const synced = clusterNames.filter((c) => !pending.has(c) && !errors.has(c));
    return { errors, synced, applying: pending.size > 0 || errors.size > 0 };
  }

  /** Whether a wanted Work is still pending (missing, not updated yet, not applied yet), else why it failed, if it did. */
  function progressOf(d: DesiredWork): { pending: boolean; failure?: string } {
    const w = works.get(d.namespace, d.name);
    const applied = (w?.status?.conditions ?? []).find((c: KObject) => c.type === WORK_APPLIED);
    if (!w || !sameWork(w, d) || !applied) return { pending: true };
    const ok = applied.status === 'True' && applied.reason === REASON_APPLIED_SUCCESSFUL;
    return { pending: false, ...(ok ? {} : { failure: String(applied.message) }) };
  }

  async function writeStatus(rootSync: KObject, update: (status: KObject) => KObject): Promise<void> {
    const next = update(structuredClone(rootSync.status ?? {}));
    if (withoutTimes(next) === withoutTimes(rootSync.status)) return;
    await objects.modify(resources.rootSyncs, CONFIG_SYNC_NAMESPACE, rootSync.metadata.name,
      (current) => ({ ...current, status: next }), {}, 'status').catch(ignoreNotFound);
  }

  (async () => {
    const served = await whenServed(objects, [['configsync.gke.io', 'v1beta1', 'rootsyncs'], ['cluster.karmada.io', 'v1alpha1', 'clusters'],
      ['work.karmada.io', 'v1alpha1', 'works'], ['', 'v1', 'namespaces'], ['', 'v1', 'secrets']], () => stopped);
    if (!served) return;
    const [rootSyncRes, clusterRes, workRes, nsRes, secretRes] = served as [ResourceInfo, ResourceInfo, ResourceInfo, ResourceInfo, ResourceInfo];
    resources = { rootSyncs: rootSyncRes, works: workRes, namespaces: nsRes, secrets: secretRes };
    const enqueueAll = () => {
      for (const rs of rootSyncs.list(CONFIG_SYNC_NAMESPACE)) queue.add(rs.metadata.name);
    };
    rootSyncs = new Informer(objects, rootSyncRes, (type, rs, old) => {
      if (rs.metadata.namespace !== CONFIG_SYNC_NAMESPACE) return;
      if (type !== 'MODIFIED' || rs.metadata.generation !== old?.metadata.generation
        || Boolean(rs.metadata.deletionTimestamp) !== Boolean(old?.metadata.deletionTimestamp)) queue.add(rs.metadata.name);
    });
    clusters = new Informer(objects, clusterRes, (type, c, old) => {
      if (type !== 'MODIFIED' || stableJson(c.metadata.labels) !== stableJson(old?.metadata.labels)
        || Boolean(c.metadata.deletionTimestamp) !== Boolean(old?.metadata.deletionTimestamp)) enqueueAll();
    });
    works = new Informer(objects, workRes, (_type, w, old) => {
      if (old?.spec && w.spec && old.metadata.generation === w.metadata.generation) keepContent(old.spec, w.spec);
      const key = `${w.metadata.namespace}/${w.metadata.name}`;
      const awaiting = awaitedWorks.get(key);
      if (awaiting !== undefined) {
        awaitedWorks.delete(key);
        queue.add(awaiting);
      }
      const owner = w.metadata.labels?.[ROOT_SYNC_NAME_LABEL];
      if (owner) nudge(owner);
    });
    informers.push(rootSyncs, clusters, works);
    if (stopped) for (const i of informers) i.stop();
    await Promise.all(informers.map((i) => i.synced));
    ready = true;
    enqueueAll();
    // Works of RootSyncs deleted while the control plane was down.
    for (const w of works.list()) {
      const owner = w.metadata.labels?.[ROOT_SYNC_NAME_LABEL];
      if (owner) queue.add(owner);
    }
  })().catch((e) => log.error({ err: errorText(e) }, 'root sync controller failed to start'));

  return {
    async stop() {
      stopped = true;
      for (const i of informers) i.stop();
      queue.stop();
    },
  };
}

/** Where a RootSync's Git objects live. */
function sourceDir(stateDir: string, name: string): string {
  return join(stateDir, `${CONFIG_SYNC_NAMESPACE}.${name}`);
}

/** Whether a Work carries what the RootSync wants. */
function sameWork(w: KObject, d: DesiredWork): boolean {
  return contentOf(w.spec ?? {}) === contentOf(d.spec) && Object.entries(d.labels).every(([k, v]) => w.metadata.labels?.[k] === v);
}

/** What the RootSync writes of a Work's spec, as stable JSON: computed once per spec (informers hand out the same object
 *  until the Work changes, and a write that keeps the generation keeps the spec), since Works of hundreds of manifests
 *  are compared on every pass. */
function contentOf(spec: KObject): string {
  let content = contents.get(spec);
  if (content === undefined) contents.set(spec, content = stableJson([spec.preserveResourcesOnDeletion === true, spec.workload]));
  return content;
}
const contents = new WeakMap<KObject, string>();

/** The spec of a newer copy of a Work of the same generation has the content of the older one. */
function keepContent(older: KObject, newer: KObject): void {
  const content = contents.get(older);
  if (content !== undefined) contents.set(newer, content);
}

interface Outcome {
  sourceErrors: ConfigSyncError[];
  clusterErrors: Map<string, ConfigSyncError[]>;
  syncErrors: Map<string, ConfigSyncError[]>;
  syncedClusters: string[];
  applying: boolean;
}

/** The status after a pass: upstream's stages and conditions, and each cluster's commit and errors. */
function nextStatus(status: KObject, rootSync: KObject, spec: RootSyncSpec, state: SyncState, clusterNames: string[], o: Outcome): KObject {
  const now = rfc3339(Date.now());
  const commit = state.commit ?? '';
  const gitStatus = spec.gitStatus;
  const syncErrors = uniqueErrors([...o.syncErrors.values()].flat());
  const done = !o.sourceErrors.length && !o.applying && state.rendering?.commit === commit && commit !== '';
  const syncCommit = o.sourceErrors.length ? status.sync?.commit ?? '' : commit;
  const clusters = clusterNames.map((name) => {
    const was = (status.clusters ?? []).find((c: KObject) => c.name === name);
    const errors = uniqueErrors([...(o.clusterErrors.get(name) ?? []), ...(o.syncErrors.get(name) ?? [])]);
    const clusterCommit = o.syncedClusters.includes(name) ? commit : was?.commit;
    return { name, ...(clusterCommit ? { commit: clusterCommit } : {}), ...(errors.length ? { errors } : {}) };
  });
  const syncing: Condition = o.sourceErrors.length
    ? { type: 'Syncing', status: 'False', reason: 'Source', message: 'Source', commit, errorSourceRefs: ['source'], ...summaryOf(o.sourceErrors) }
    : done
      ? { type: 'Syncing', status: 'False', reason: 'Sync', message: 'Sync Completed', commit }
      : { type: 'Syncing', status: 'True', reason: 'Sync', message: 'Syncing', commit,
        ...(syncErrors.length ? { errorSourceRefs: ['sync'], ...summaryOf(syncErrors) } : {}) };
  return {
    ...status,
    observedGeneration: rootSync.metadata.generation,
    reconciler: rootSync.metadata.name === 'root-sync' ? 'root-reconciler' : `root-reconciler-${rootSync.metadata.name}`,
    ...(done ? { lastSyncedCommit: commit } : {}),
    source: { gitStatus, commit, lastUpdate: now, ...errorFields(o.sourceErrors) },
    rendering: { gitStatus, commit, lastUpdate: now, message: 'Rendering skipped' },
    sync: { gitStatus, commit: syncCommit, lastUpdate: now, ...errorFields(syncErrors) },
    conditions: setConditions(status.conditions, [
      { type: 'Reconciling', status: 'False', reason: 'Sync', message: 'The RootSync is handled by the control plane' },
      { type: 'Stalled', status: 'False', reason: 'Sync', message: 'The RootSync is handled by the control plane' },
      syncing,
    ], Date.now()),
    clusters,
  };
}

function summaryOf(errors: ConfigSyncError[]): { errorSummary: KObject } {
  return { errorSummary: errorFields(errors).errorSummary };
}
