// NamespaceSync operations (canopy.io/v1alpha1), each run once:
// - FromCluster C: C's namespaces missing in the control plane are created there, C's injection labels are
//   copied to the control plane, C joins each one's homing clusters. Only the control plane is written.
// - ToClusters: every global namespace is created in each homing cluster where it is missing, and its injection
//   labels are copied there (CreateOrRelabel: an existing member namespace is relabelled, never taken over).
// - Restart: the Deployments, StatefulSets and DaemonSets of the namespaces restart in their homing clusters, as
//   `kubectl rollout restart` does it: templates of the control plane get the restartedAt annotation (and carry
//   it to their members), workloads a member has of its own get it through a Work in Patch mode.
// Members are read directly and written only through Works (one per operation and cluster, removed when done).
// The plan (status created/updated/unchanged/failed) is recorded before anything is written, so a restarted
// control plane finishes the same plan. Nothing is ever deleted in a member or in the control plane.
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import { clusterClientFromSecret, scrubSecrets } from '../members/from-secret.ts';
import {
  HOMING_CLUSTERS_ANNOTATION, homingClusters, INJECTION_LABELS, injectionLabels, isSystemNamespace, parseHomingClusters,
} from '../namespaces/injection.ts';
import { parseSelectors } from '../registry/filters.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { type Condition } from './cluster.ts';
import { rfc3339 } from '../gofmt.ts';
import { APPLY_MODE_ANNOTATION, MANAGED_BY_KARMADA_LABEL, WORK_APPLIED } from './execution.ts';
import { executionSpaceName } from './execution-namespace.ts';
import { relabelManifest } from './global-namespace.ts';
import { whenServed } from './informer.ts';
import { WorkQueue } from './queue.ts';
import { type Controller, errorText, ignoreNotFound, stableJson } from './runtime.ts';

/** On the Works of an operation: its name. */
export const NAMESPACE_SYNC_LABEL = 'canopy.io/namespace-sync';
/** On member namespaces a ToClusters sync created: their owner. */
export const MANAGED_BY_LABEL = 'canopy.io/managed-by';
export const NAMESPACE_SYNC_OWNER = 'namespace-sync';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
/** How long an operation waits for its Works to be applied before that cluster's part fails. */
export const APPLY_TIMEOUT_MS = 60_000;
const POLL_MS = 500;

const WORKLOADS = [
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', plural: 'daemonsets' },
];

interface Entry { cluster: string; namespaces: string[]; workloads?: string[] }
interface Failure { cluster: string; message: string }
interface Outcome { created: Entry[]; updated: Entry[]; unchanged: Entry[]; failed: Failure[] }

type Resources = Record<'syncs' | 'namespaces' | 'clusters' | 'works', ResourceInfo>;

export function namespaceSyncController(objects: ObjectService, logger: Logger): Controller {
  const log = logger.child({ controller: 'namespace-sync' });
  let stopped = false;
  let res: Resources | undefined;
  const watchers: Array<{ close(): void }> = [];

  const queue = new WorkQueue((name) => reconcile(name), {
    maxDelayMs: 10_000,
    onError: (key, err) => log.warn({ namespaceSync: key, err: errorText(err) }, 'namespace sync failed; retrying'),
  });

  async function reconcile(name: string): Promise<void | { requeueAfterMs: number }> {
    if (stopped || !res) return;
    let op = await objects.tryGet(res.syncs, undefined, name);
    const phase: string | undefined = op?.status?.phase;
    if (!op || phase === 'Succeeded' || phase === 'Failed') {
      await deleteWorksOf(name);
      return;
    }
    if (!op.status?.startTime) {
      op = await writeStatus(name, { phase: 'Running', startTime: rfc3339(Date.now()) });
    }
    const direction: string = op.spec?.direction;
    if (direction === 'FromCluster') {
      await finish(op, await syncFromCluster(op));
      return;
    }
    // ToClusters and Restart: plan, then apply the plan through Works and wait for them.
    if (!op.status?.created) op = await writeStatus(name, await (direction === 'Restart' ? planRestart(op) : planToClusters(op)));
    const outcome = outcomeOf(op);
    const waiting = await applyPlan(op, outcome);
    if (waiting) return { requeueAfterMs: POLL_MS };
    await finish(op, outcome);
  }

  /** Creates and relabels global namespaces from one member's namespaces; only the control plane is written. */
  async function syncFromCluster(op: KObject): Promise<Outcome> {
    const cluster: string = op.spec.cluster;
    const outcome = emptyOutcome();
    let memberNamespaces: KObject[];
    try {
      memberNamespaces = await (await memberReader(cluster))('/api/v1/namespaces');
    } catch (e) {
      outcome.failed.push({ cluster, message: errorText(e) });
      return outcome;
    }
    const only = filterOf(op);
    const created: string[] = [];
    const updated: string[] = [];
    const unchanged: string[] = [];
    const errors: string[] = [];
    for (const member of memberNamespaces) {
      const name: string = member.metadata.name;
      if (isSystemNamespace(name) || member.metadata.deletionTimestamp || !only(name)) continue;
      const labels = injectionLabels(member.metadata.labels);
      try {
        const result = await adoptNamespace(name, cluster, labels);
        (result === 'created' ? created : result === 'updated' ? updated : unchanged).push(name);
      } catch (e) {
        errors.push(`namespace ${name}: ${errorText(e)}`);
      }
    }
    addEntry(outcome.created, cluster, created);
    addEntry(outcome.updated, cluster, updated);
    addEntry(outcome.unchanged, cluster, unchanged);
    if (errors.length) outcome.failed.push({ cluster, message: errors.join('; ') });
    return outcome;
  }

  /** Brings one control-plane namespace in line with a member's namespace: exists, same injection labels, homed there. */
  async function adoptNamespace(name: string, cluster: string, labels: Record<string, string>): Promise<'created' | 'updated' | 'unchanged'> {
    try {
      await objects.create(res!.namespaces, undefined, {
        apiVersion: 'v1', kind: 'Namespace',
        metadata: { name, labels, annotations: { [HOMING_CLUSTERS_ANNOTATION]: cluster } },
      });
      return 'created';
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    }
    let changed = false;
    await objects.modify(res!.namespaces, undefined, name, (ns) => {
      if (ns.metadata.deletionTimestamp) throw new Error('it is being deleted in the control plane');
      const meta = ns.metadata;
      const before = stableJson([meta.labels, meta.annotations]);
      // The member's injection labels replace the control plane's, when it has any (a member without any says nothing).
      if (Object.keys(labels).length) {
        const kept = Object.fromEntries(Object.entries(meta.labels ?? {}).filter(([k]) => !(INJECTION_LABELS as readonly string[]).includes(k)));
        meta.labels = { ...kept, ...labels };
      }
      const homing: string | undefined = meta.annotations?.[HOMING_CLUSTERS_ANNOTATION];
      const homed = homing === undefined ? undefined : parseHomingClusters(homing).clusters;
      if (homed && !homed.includes(cluster)) {
        meta.annotations = { ...meta.annotations, [HOMING_CLUSTERS_ANNOTATION]: [...homed, cluster].join(',') };
      }
      changed = stableJson([meta.labels, meta.annotations]) !== before;
      return ns;
    });
    return changed ? 'updated' : 'unchanged';
  }

  /** Which global namespaces each homing cluster lacks or has with other injection labels. */
  async function planToClusters(op: KObject): Promise<KObject> {
    const outcome = emptyOutcome();
    const globals = await globalNamespaces(op);
    for (const cluster of await targetClusters(op)) {
      const homed = globals.filter((ns) => homingClusters(ns, [cluster]).length);
      if (!homed.length) continue;
      let existing: Map<string, KObject>;
      try {
        existing = new Map((await (await memberReader(cluster))('/api/v1/namespaces')).map((ns) => [ns.metadata.name, ns]));
      } catch (e) {
        outcome.failed.push({ cluster, message: errorText(e) });
        continue;
      }
      const created: string[] = [];
      const updated: string[] = [];
      const unchanged: string[] = [];
      for (const ns of homed) {
        const name: string = ns.metadata.name;
        const member = existing.get(name);
        const labels = injectionLabels(ns.metadata.labels);
        if (!member) created.push(name);
        else if (Object.keys(labels).length && stableJson(injectionLabels(member.metadata.labels)) !== stableJson(labels)) updated.push(name);
        else unchanged.push(name);
      }
      addEntry(outcome.created, cluster, created);
      addEntry(outcome.updated, cluster, updated);
      addEntry(outcome.unchanged, cluster, unchanged);
    }
    return { phase: 'Running', ...outcome };
  }

  /** Which workloads restart in each homing cluster of the namespaces. */
  async function planRestart(op: KObject): Promise<KObject> {
    const outcome = emptyOutcome();
    const globals = await globalNamespaces(op);
    for (const cluster of await targetClusters(op)) {
      const homed = globals.filter((ns) => homingClusters(ns, [cluster]).length).map((ns) => ns.metadata.name as string);
      if (!homed.length) continue;
      try {
        const list = await memberReader(cluster);
        const workloads: string[] = [];
        for (const ns of homed) {
          for (const w of WORKLOADS) {
            for (const obj of await list(`/apis/${w.apiVersion}/namespaces/${ns}/${w.plural}`)) {
              workloads.push(workloadId(w.kind, ns, obj.metadata.name, obj.metadata.labels?.[MANAGED_BY_KARMADA_LABEL] === 'true'));
            }
          }
        }
        const entry = { cluster, namespaces: homed, workloads };
        (workloads.length ? outcome.updated : outcome.unchanged).push(entry);
      } catch (e) {
        outcome.failed.push({ cluster, message: errorText(e) });
      }
    }
    return { phase: 'Running', ...outcome };
  }

  /**
   * Applies what the plan says (idempotent: run again after a restart) and reports whether Works are still
   * pending; a cluster whose Work is not applied in time moves to failed.
   */
  async function applyPlan(op: KObject, outcome: Outcome): Promise<boolean> {
    let waiting = false;
    const clusters = new Set([...outcome.created, ...outcome.updated].map((e) => e.cluster));
    for (const cluster of clusters) {
      if (outcome.failed.some((f) => f.cluster === cluster)) continue;
      const entries = [...outcome.created, ...outcome.updated].filter((e) => e.cluster === cluster);
      const work = await ensureWork(op, cluster, () => (op.spec.direction === 'Restart' ? restartManifests(op, entries) : toClusterManifests(entries)));
      if (!work) continue;
      const applied = (work.status?.conditions ?? []).find((c: Condition) => c.type === WORK_APPLIED);
      if (applied?.status === 'True') continue;
      if (Date.now() - Date.parse(op.status.startTime) < APPLY_TIMEOUT_MS) {
        waiting = true;
        continue;
      }
      outcome.failed.push({ cluster, message: `not applied within ${APPLY_TIMEOUT_MS / 1000}s: ${applied?.message ?? `cluster ${cluster} did not pick the Work up`}` });
    }
    return waiting;
  }

  async function toClusterManifests(entries: Entry[]): Promise<KObject[]> {
    const manifests: KObject[] = [];
    for (const name of entries.flatMap((e) => e.namespaces)) {
      const ns = await objects.tryGet(res!.namespaces, undefined, name);
      const manifest = relabelManifest(name, injectionLabels(ns?.metadata.labels), 'CreateOrRelabel');
      // Applied on creation only (not a relabel key): the owner of the namespaces this sync creates.
      manifest.metadata.labels[MANAGED_BY_LABEL] = NAMESPACE_SYNC_OWNER;
      manifests.push(manifest);
    }
    return manifests;
  }

  /** Restarts the propagated workloads through their templates; the Patch manifests for the member's own. */
  async function restartManifests(op: KObject, entries: Entry[]): Promise<KObject[]> {
    const restartedAt: string = op.status.startTime;
    const manifests: KObject[] = [];
    for (const w of entries.flatMap((e) => e.workloads ?? []).map(parseWorkloadId)) {
      // A workload Canopy propagated restarts through its template, or the template would undo the restart.
      if (w.managed) await restartTemplate(w, restartedAt);
      else manifests.push(restartManifest(w, restartedAt));
    }
    return manifests;
  }

  async function restartTemplate(w: Workload, restartedAt: string): Promise<void> {
    const resource = objects.registry.lookup('apps', 'v1', w.plural);
    if (!resource) return;
    await objects.modify(resource, w.namespace, w.name, (obj) => {
      const template = (obj.spec ??= {}).template ??= {};
      template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [RESTARTED_AT_ANNOTATION]: restartedAt } };
      return obj;
    }).catch(ignoreNotFound);
  }

  /** The operation's Work for a cluster; made (with what build gives) when missing, none when build gives nothing. */
  async function ensureWork(op: KObject, cluster: string, build: () => Promise<KObject[]>): Promise<KObject | undefined> {
    const namespace = executionSpaceName(cluster);
    const name = `canopy-namespacesync-${op.metadata.name}`;
    const existing = await objects.tryGet(res!.works, namespace, name);
    if (existing) return existing;
    const manifests = await build();
    if (!manifests.length) return undefined;
    return objects.create(res!.works, namespace, {
      apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work',
      metadata: { name, namespace, labels: { [NAMESPACE_SYNC_LABEL]: op.metadata.name } },
      spec: { preserveResourcesOnDeletion: true, workload: { manifests } },
    });
  }

  async function deleteWorksOf(op: string): Promise<void> {
    const list = await objects.list(res!.works, undefined, parseSelectors(res!.works, `${NAMESPACE_SYNC_LABEL}=${op}`));
    for (const w of list.items) {
      if (!w.metadata.deletionTimestamp) await objects.delete(res!.works, w.metadata.namespace, w.metadata.name).catch(ignoreNotFound);
    }
  }

  async function finish(op: KObject, outcome: Outcome): Promise<void> {
    const failedClusters = new Set(outcome.failed.map((f) => f.cluster));
    const done = (entries: Entry[]) => entries.filter((e) => !failedClusters.has(e.cluster) || op.spec.direction === 'FromCluster');
    const final = { created: done(outcome.created), updated: done(outcome.updated), unchanged: done(outcome.unchanged), failed: outcome.failed };
    const count = (entries: Entry[]) => entries.reduce((n, e) => n + (e.workloads ?? e.namespaces).length, 0);
    const what = op.spec.direction === 'Restart'
      ? `${count(final.updated)} workloads restarted`
      : `${count(final.created)} created, ${count(final.updated)} updated, ${count(final.unchanged)} unchanged`;
    const failures = final.failed.map((f) => `${f.cluster}: ${f.message}`).join('; ');
    await writeStatus(op.metadata.name, {
      ...final,
      phase: final.failed.length ? 'Failed' : 'Succeeded',
      message: failures ? `${what}; failed - ${failures}` : what,
      completionTime: rfc3339(Date.now()),
    });
    await deleteWorksOf(op.metadata.name);
    log.info({ namespaceSync: op.metadata.name, direction: op.spec.direction, failed: final.failed.length }, 'namespace sync done');
  }

  async function writeStatus(name: string, fields: KObject): Promise<KObject> {
    return objects.modify(res!.syncs, undefined, name, (op) => ({ ...op, status: { ...op.status, ...fields } }), {}, 'status');
  }

  /** Lists of a joined, Ready Push cluster's objects, by path; errors say which cluster failed and why. */
  async function memberReader(name: string): Promise<(path: string) => Promise<KObject[]>> {
    const cluster = await objects.tryGet(res!.clusters, undefined, name);
    if (!cluster || cluster.metadata.deletionTimestamp) throw new Error(`cluster "${name}" is not joined`);
    const ready = (cluster.status?.conditions ?? []).find((c: Condition) => c.type === 'Ready');
    if (ready?.status !== 'True') throw new Error(`cluster "${name}" is not ready${ready?.message ? `: ${ready.message}` : ''}`);
    const { client, secrets } = await clusterClientFromSecret(objects, cluster);
    return async (path) => {
      let response;
      try {
        response = await client.request('GET', path);
      } catch (e) {
        throw new Error(scrubSecrets(`cluster "${name}" is unreachable: ${errorText(e)}`, secrets));
      }
      if (response.status !== 200) throw new Error(`cluster "${name}": listing ${path}: ${response.json?.message ?? `HTTP ${response.status}`}`);
      return response.json?.items ?? [];
    };
  }

  async function globalNamespaces(op: KObject): Promise<KObject[]> {
    const only = filterOf(op);
    return (await objects.list(res!.namespaces, undefined)).items
      .filter((ns) => !isSystemNamespace(ns.metadata.name) && !ns.metadata.deletionTimestamp && only(ns.metadata.name));
  }

  async function targetClusters(op: KObject): Promise<string[]> {
    if (op.spec.cluster) return [op.spec.cluster];
    return (await objects.list(res!.clusters, undefined)).items
      .filter((c) => !c.metadata.deletionTimestamp).map((c) => c.metadata.name as string).sort();
  }

  (async () => {
    const served = await whenServed(objects, [['canopy.io', 'v1alpha1', 'namespacesyncs'], ['', 'v1', 'namespaces'],
      ['cluster.karmada.io', 'v1alpha1', 'clusters'], ['work.karmada.io', 'v1alpha1', 'works']], () => stopped);
    if (!served) return;
    const [syncs, namespaces, clusters, works] = served as [ResourceInfo, ResourceInfo, ResourceInfo, ResourceInfo];
    res = { syncs, namespaces, clusters, works };
    const start = () => {
      if (stopped) return;
      watchers.push(objects.watch(syncs, undefined, { sendInitialState: true }, (e) => queue.add(e.object.metadata.name), () => {
        for (const w of watchers.splice(0)) w.close();
        setTimeout(start, 1000).unref();
      }));
    };
    start();
  })().catch((e) => log.error({ err: errorText(e) }, 'namespace sync controller failed to start'));

  return {
    async stop() {
      stopped = true;
      for (const w of watchers.splice(0)) w.close();
      queue.stop();
    },
  };
}

interface Workload { kind: string; plural: string; namespace: string; name: string; managed: boolean }

/** `deployment.apps/shop/web`, with ` (propagated)` when Canopy propagated it from a template. */
function workloadId(kind: string, namespace: string, name: string, managed: boolean): string {
  return `${kind.toLowerCase()}.apps/${namespace}/${name}${managed ? ' (propagated)' : ''}`;
}

function parseWorkloadId(id: string): Workload {
  const managed = id.endsWith(' (propagated)');
  const [kindGroup, namespace, name] = id.replace(/ \(propagated\)$/, '').split('/') as [string, string, string];
  const w = WORKLOADS.find((x) => `${x.kind.toLowerCase()}.apps` === kindGroup)!;
  return { kind: w.kind, plural: w.plural, namespace, name, managed };
}

function restartManifest(w: Workload, restartedAt: string): KObject {
  return {
    apiVersion: 'apps/v1', kind: w.kind,
    metadata: { name: w.name, namespace: w.namespace, annotations: { [APPLY_MODE_ANNOTATION]: 'Patch' } },
    spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: restartedAt } } } },
  };
}

function emptyOutcome(): Outcome {
  return { created: [], updated: [], unchanged: [], failed: [] };
}

function outcomeOf(op: KObject): Outcome {
  const s = op.status ?? {};
  return { created: s.created ?? [], updated: s.updated ?? [], unchanged: s.unchanged ?? [], failed: [...(s.failed ?? [])] };
}

function addEntry(entries: Entry[], cluster: string, namespaces: string[]): void {
  if (namespaces.length) entries.push({ cluster, namespaces });
}

function filterOf(op: KObject): (name: string) => boolean {
  const only: string[] | undefined = op.spec?.namespaces?.length ? op.spec.namespaces : undefined;
  return (name) => !only || only.includes(name);
}
