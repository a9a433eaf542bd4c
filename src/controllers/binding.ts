// The binding controllers, as Karmada's (pkg/controllers/binding, status): each scheduled ResourceBinding or
// ClusterResourceBinding gets one Work per target cluster in karmada-es-<cluster>, holding the template as that
// cluster gets it (replicas divided, overrides applied); Works of clusters no longer targeted are deleted, and so
// are all of a binding's Works when the binding goes (a finalizer makes sure). Work statuses come back as the
// binding's aggregatedStatus and FullyApplied condition, and as the template's status where the resource
// interpreter aggregates the kind.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import { parseSelectors } from '../registry/filters.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { parseApiVersion } from '../registry/registry.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { aggregateStatus, RESOURCE_TEMPLATE_GENERATION_ANNOTATION, reviseReplica } from '../propagation/interpreter.ts';
import {
  APPLIED_CLUSTER_OVERRIDES_ANNOTATION, APPLIED_OVERRIDES_ANNOTATION, CRB_NAME_ANNOTATION, CRB_PERMANENT_ID_LABEL,
  MANAGED_ANNOTATIONS_ANNOTATION, MANAGED_LABELS_ANNOTATION, RB_NAME_ANNOTATION, RB_NAMESPACE_ANNOTATION,
  RB_PERMANENT_ID_LABEL, TEMPLATE_UID_ANNOTATION, workName,
} from '../propagation/names.ts';
import { applyOverrides } from '../propagation/overrides.ts';
import { spreadByTargetClusters } from '../propagation/scheduler.ts';
import { setStatusCondition, type Condition } from './cluster.ts';
import {
  EXECUTION_CONTROLLER_FINALIZER, RESOURCE_CONFLICT_RESOLUTION_ANNOTATION, RESOURCE_CONFLICT_RESOLUTION_OVERWRITE, WORK_APPLIED,
  WORK_PERMANENT_ID_LABEL,
} from './execution.ts';
import { clusterOfExecutionSpace, executionSpaceName } from './execution-namespace.ts';
import { eventRecorder } from './events.ts';
import { Informer, whenServed } from './informer.ts';
import { WorkQueue } from './queue.ts';
import { type Controller, errorText, ignoreNotFound, stableJson } from './runtime.ts';

export const BINDING_CONTROLLER_FINALIZER = 'karmada.io/binding-controller';
export const CLUSTER_BINDING_CONTROLLER_FINALIZER = 'karmada.io/cluster-resource-binding-controller';
export const FULLY_APPLIED = 'FullyApplied';

type BindingKind = 'rb' | 'crb';

const IRRELEVANT_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds',
  'generation', 'managedFields', 'selfLink', 'ownerReferences', 'finalizers'];

export function bindingController(objects: ObjectService, logger: Logger): Controller {
  const log = logger.child({ controller: 'binding' });
  const events = eventRecorder(objects, log, 'binding-controller');
  const informers: Partial<Record<BindingKind, Informer>> = {};
  let works: Informer | undefined;
  let clusters: Informer | undefined;
  let overridePolicies: Informer | undefined;
  let clusterOverridePolicies: Informer | undefined;
  let stopped = false;

  const queue = new WorkQueue((key) => reconcile(key), {
    workers: 8,
    onError: (key, err) => log.warn({ binding: key, err: String(err) }, 'binding sync failed; retrying'),
  });
  /**
   * Bindings due a full sync. A binding queued only because a Work's status changed just has its status
   * refreshed (upstream's binding status controller): with many clusters, re-ensuring every Work on each of
   * their status changes would cost (clusters)² per change of the template.
   */
  const fullSync = new Set<string>();
  const enqueue = (key: string) => {
    fullSync.add(key);
    queue.add(key);
  };

  const keyOf = (kind: BindingKind, namespace: string | undefined, name: string) => `${kind}|${namespace ?? ''}|${name}`;
  const enqueueAll = () => {
    for (const kind of ['rb', 'crb'] as const) {
      for (const b of informers[kind]?.list() ?? []) enqueue(keyOf(kind, b.metadata.namespace, b.metadata.name));
    }
  };

  async function reconcile(key: string): Promise<void> {
    if (stopped) return;
    if (!fullSync.delete(key)) return syncStatus(key);
    try {
      await sync(key);
    } catch (e) {
      fullSync.add(key); // the retry is a full sync again
      throw e;
    }
  }

  async function syncStatus(key: string): Promise<void> {
    const [kind, namespace, name] = key.split('|') as [BindingKind, string, string];
    const informer = informers[kind];
    const binding = informer && await objects.tryGet(informer.resource, namespace || undefined, name);
    if (!binding || binding.metadata.deletionTimestamp) return;
    const template = await templateOf(binding);
    if (template) await updateStatuses(kind, binding, template, binding.spec?.clusters ?? []);
  }

  async function sync(key: string): Promise<void> {
    const [kind, namespace, name] = key.split('|') as [BindingKind, string, string];
    const informer = informers[kind];
    if (!informer) return; // its initial listing enqueues every binding
    const res = informer.resource;
    const binding = await objects.tryGet(res, namespace || undefined, name);
    if (!binding) {
      // Works seen after their binding went (created just before it was deleted): orphans.
      for (const w of works!.list()) if (boundTo(w) === key) await deleteWork(w);
      return;
    }
    const finalizer = kind === 'rb' ? BINDING_CONTROLLER_FINALIZER : CLUSTER_BINDING_CONTROLLER_FINALIZER;
    const ownWorks = worksOf(kind, binding);

    if (binding.metadata.deletionTimestamp) {
      // From the store, not the cache: a Work the cache has not seen yet must not outlive the binding.
      const idLabel = kind === 'rb' ? RB_PERMANENT_ID_LABEL : CRB_PERMANENT_ID_LABEL;
      const id = binding.metadata.labels?.[idLabel];
      const stored = id ? (await objects.list(works!.resource, undefined, parseSelectors(works!.resource, `${idLabel}=${id}`))).items : [];
      for (const w of stored) await deleteWork(w);
      if ((binding.metadata.finalizers ?? []).includes(finalizer)) {
        await objects.modify(res, namespace || undefined, name, (b) => {
          b.metadata.finalizers = (b.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
          return b;
        }).catch(ignoreNotFound);
      }
      return;
    }

    const template = await templateOf(binding);
    // A template that is gone takes its binding with it (ownerReference); until then there is nothing to do.
    if (!template) return;
    if (!(binding.metadata.finalizers ?? []).includes(finalizer)) {
      await objects.modify(res, namespace || undefined, name, (b) => {
        b.metadata.finalizers = [...(b.metadata.finalizers ?? []), finalizer];
        return b;
      });
      return; // the update brings the binding back
    }

    const targets: Array<{ name: string; replicas?: number }> = binding.spec?.clusters ?? [];
    const wanted = new Set(targets.map((t) => executionSpaceName(t.name)));
    const dropped = ownWorks.filter((w) => !wanted.has(w.metadata.namespace) && !w.metadata.deletionTimestamp);
    for (const w of dropped) await deleteWork(w);

    const divided = (binding.spec?.replicas ?? 0) > 0 && binding.spec?.placement?.replicaScheduling?.replicaSchedulingType === 'Divided';
    // As upstream, a divided Job's completions are spread in proportion to each cluster's replicas.
    const completions = divided && template.apiVersion === 'batch/v1' && template.kind === 'Job' && template.spec?.completions !== undefined
      ? spreadByTargetClusters(template.spec.completions, targets) : undefined;
    // All Works at once: their writes share the store's commits instead of one commit (and fsync) each.
    const results = await Promise.allSettled(targets.map(async (target) => {
      const cluster = clusters!.get(undefined, target.name);
      return cluster !== undefined && await ensureWork(kind, binding, template, cluster,
        divided ? { replicas: target.replicas ?? 0, completions: completions?.get(target.name) } : undefined);
    }));
    const errors = results.flatMap((r, i) => (r.status === 'rejected' ? [`cluster ${targets[i]!.name}: ${errorText(r.reason)}`] : []));
    const changed = dropped.length > 0 || results.some((r) => r.status === 'fulfilled' && r.value);
    const what = kind === 'rb' ? `resourceBinding(${binding.metadata.namespace}/${binding.metadata.name})`
      : `clusterResourceBinding(${binding.metadata.name})`;
    if (errors.length) {
      const message = `Failed to sync work of ${what}: ${errors.join('; ')}`;
      for (const o of [binding, template]) events.record(o, 'Warning', 'SyncWorkFailed', message);
    } else if (changed) {
      for (const o of [binding, template]) events.record(o, 'Normal', 'SyncWorkSucceed', `Sync work of ${what} successful.`);
    }
    await updateStatuses(kind, binding, template, targets);
    if (errors.length) throw new Error(`failed to ensure works: ${errors.join('; ')}`);
  }

  async function templateOf(binding: KObject): Promise<KObject | undefined> {
    const ref = binding.spec?.resource ?? {};
    const { group, version } = parseApiVersion(ref.apiVersion);
    const res = objects.registry.byKind(group, version, ref.kind);
    if (!res) return undefined;
    const template = await objects.tryGet(res, res.namespaced ? ref.namespace : undefined, ref.name);
    if (!template || (ref.uid && template.metadata.uid !== ref.uid)) return undefined;
    return template;
  }

  /** Creates or updates the Work of one target cluster; `division` is the cluster's share of a divided workload. */
  async function ensureWork(kind: BindingKind, binding: KObject, template: KObject, cluster: KObject,
    division: { replicas: number; completions?: number } | undefined): Promise<boolean> {
    const spec = binding.spec ?? {};
    let manifest = structuredClone(template);
    delete manifest.status;
    for (const k of IRRELEVANT_METADATA) delete manifest.metadata[k];
    if (division) manifest = reviseReplica(manifest, division.replicas);
    if (division?.completions !== undefined) manifest.spec.completions = division.completions;
    const overridden = applyOverrides(manifest, cluster, {
      overridePolicies: overridePolicies!.list(template.metadata.namespace ?? '\u0000'),
      clusterOverridePolicies: clusterOverridePolicies!.list(),
    });
    manifest = overridden.manifest;
    const meta = manifest.metadata;
    const annotations: Record<string, string> = { ...(meta.annotations ?? {}) };
    annotations[MANAGED_ANNOTATIONS_ANNOTATION] = [...Object.keys(annotations), MANAGED_ANNOTATIONS_ANNOTATION,
      MANAGED_LABELS_ANNOTATION, TEMPLATE_UID_ANNOTATION].sort().join(',');
    annotations[MANAGED_LABELS_ANNOTATION] = Object.keys(meta.labels ?? {}).sort().join(',');
    annotations[TEMPLATE_UID_ANNOTATION] = template.metadata.uid;
    if (template.metadata.generation > 0) annotations[RESOURCE_TEMPLATE_GENERATION_ANNOTATION] = String(template.metadata.generation);
    const namespaced = overridden.applied.filter((a) => a.namespace !== undefined);
    const clusterWide = overridden.applied.filter((a) => a.namespace === undefined);
    if (namespaced.length) annotations[APPLIED_OVERRIDES_ANNOTATION] = JSON.stringify(namespaced.map(appliedEntry));
    if (clusterWide.length) annotations[APPLIED_CLUSTER_OVERRIDES_ANNOTATION] = JSON.stringify(clusterWide.map(appliedEntry));
    if (spec.conflictResolution === 'Overwrite') {
      annotations[RESOURCE_CONFLICT_RESOLUTION_ANNOTATION] = RESOURCE_CONFLICT_RESOLUTION_OVERWRITE;
    }
    meta.annotations = annotations;

    const workNamespace = executionSpaceName(cluster.metadata.name);
    const name = workName(template.kind, template.metadata.name, template.metadata.namespace);
    const idLabel = kind === 'rb' ? RB_PERMANENT_ID_LABEL : CRB_PERMANENT_ID_LABEL;
    const labels = { [idLabel]: binding.metadata.labels?.[idLabel] ?? '' };
    const workAnnotations: Record<string, string> = kind === 'rb'
      ? { [RB_NAME_ANNOTATION]: binding.metadata.name, [RB_NAMESPACE_ANNOTATION]: binding.metadata.namespace }
      : { [CRB_NAME_ANNOTATION]: binding.metadata.name };
    const workSpec: KObject = {
      workload: { manifests: [manifest] },
      ...(suspended(spec.suspension, cluster.metadata.name) ? { suspendDispatching: true } : {}),
      ...(spec.preserveResourcesOnDeletion ? { preserveResourcesOnDeletion: true } : {}),
    };
    const existing = works!.get(workNamespace, name) ?? await objects.tryGet(works!.resource, workNamespace, name);
    if (!existing) {
      await objects.create(works!.resource, workNamespace, {
        apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work',
        // As upstream, with the execution finalizer and (its webhook's part) the permanent id from the start, so the
        // execution controller has no write of its own to make before applying it.
        metadata: {
          name, namespace: workNamespace, labels: { ...labels, [WORK_PERMANENT_ID_LABEL]: randomUUID() },
          annotations: workAnnotations, finalizers: [EXECUTION_CONTROLLER_FINALIZER],
        },
        spec: workSpec,
      }).catch((e) => {
        if (e instanceof ApiError && e.code === 409) throw new Error(`work ${workNamespace}/${name} appeared meanwhile`);
        throw e;
      });
      return true;
    }
    const sameLabels = Object.entries(labels).every(([k, v]) => existing.metadata.labels?.[k] === v);
    const sameAnnotations = Object.entries(workAnnotations).every(([k, v]) => existing.metadata.annotations?.[k] === v);
    if (sameLabels && sameAnnotations && stableJson(existing.spec) === stableJson(workSpec)) return false;
    await objects.modify(works!.resource, workNamespace, name, (w) => {
      w.metadata.labels = { ...(w.metadata.labels ?? {}), ...labels };
      w.metadata.annotations = { ...(w.metadata.annotations ?? {}), ...workAnnotations };
      w.spec = workSpec;
      return w;
    });
    return true;
  }

  async function updateStatuses(kind: BindingKind, binding: KObject, template: KObject,
    targets: Array<{ name: string }>): Promise<void> {
    const name = workName(template.kind, template.metadata.name, template.metadata.namespace);
    const items: KObject[] = [];
    let allApplied = targets.length > 0;
    for (const target of targets) {
      const work = works!.get(executionSpaceName(target.name), name);
      const applied = (work?.status?.conditions ?? []).find((c: Condition) => c.type === WORK_APPLIED);
      const manifest = work?.status?.manifestStatuses?.[0];
      const item: KObject = { clusterName: target.name, applied: applied?.status === 'True' };
      if (manifest?.status !== undefined) item.status = manifest.status;
      if (applied && applied.status !== 'True') item.appliedMessage = applied.message;
      if (manifest?.health) item.health = manifest.health;
      if (!item.applied) allApplied = false;
      items.push(item);
    }
    const condition: Condition = allApplied
      ? { type: FULLY_APPLIED, status: 'True', reason: 'FullyAppliedSuccess', message: 'All works have been successfully applied' }
      : { type: FULLY_APPLIED, status: 'False', reason: 'FullyAppliedFailed',
        message: 'Failed to apply all works, see status.aggregatedStatus for details' };
    const res = informers[kind]!.resource;
    const status = binding.status ?? {};
    const conditions = setStatusCondition(status.conditions ?? [], condition, Date.now());
    if (stableJson([status.aggregatedStatus ?? [], status.conditions ?? []]) !== stableJson([items, conditions])) {
      await objects.modify(res, binding.metadata.namespace, binding.metadata.name, (b) => ({
        ...b,
        status: { ...b.status, aggregatedStatus: items, conditions: setStatusCondition(b.status?.conditions ?? [], condition, Date.now()) },
      }), {}, 'status').catch(ignoreNotFound);
    }

    const aggregated = aggregateStatus(template, items.map((i) => ({ clusterName: i.clusterName, status: i.status,
      applied: i.applied, health: i.health })));
    if (aggregated === undefined || stableJson(aggregated) === stableJson(template.status ?? {})) return;
    const { group, version } = parseApiVersion(template.apiVersion);
    const templateRes = objects.registry.byKind(group, version, template.kind)!;
    const sub = templateRes.subresources.includes('status') ? 'status' : undefined;
    await objects.modify(templateRes, template.metadata.namespace, template.metadata.name,
      (t) => ({ ...t, status: aggregated }), {}, sub).catch(ignoreNotFound);
  }

  function worksOf(kind: BindingKind, binding: KObject): KObject[] {
    const idLabel = kind === 'rb' ? RB_PERMANENT_ID_LABEL : CRB_PERMANENT_ID_LABEL;
    const id = binding.metadata.labels?.[idLabel];
    if (!id) return [];
    return works!.list().filter((w) => w.metadata.labels?.[idLabel] === id);
  }

  async function deleteWork(work: KObject): Promise<void> {
    if (work.metadata.deletionTimestamp) return;
    await objects.delete(works!.resource, work.metadata.namespace, work.metadata.name).catch(ignoreNotFound);
  }

  /** The queue key of the binding a Work belongs to, from its annotations. */
  function boundTo(work: KObject): string | undefined {
    if (!clusterOfExecutionSpace(work.metadata.namespace)) return undefined;
    const a = work.metadata.annotations ?? {};
    if (a[RB_NAME_ANNOTATION]) return keyOf('rb', a[RB_NAMESPACE_ANNOTATION], a[RB_NAME_ANNOTATION]);
    if (a[CRB_NAME_ANNOTATION]) return keyOf('crb', undefined, a[CRB_NAME_ANNOTATION]);
    return undefined;
  }

  /** What of a Work the binding controller writes or reads besides its status. */
  const workView = (w: KObject) => JSON.stringify([w.metadata.generation, w.metadata.deletionTimestamp ?? null,
    w.metadata.labels?.[RB_PERMANENT_ID_LABEL] ?? null, w.metadata.labels?.[CRB_PERMANENT_ID_LABEL] ?? null, boundTo(w) ?? null]);

  function onWork(type: string, work: KObject, old: KObject | undefined): void {
    const key = boundTo(work);
    if (!key) return;
    if (type === 'MODIFIED' && old && workView(old) === workView(work)) queue.add(key);
    else enqueue(key);
  }

  function onBinding(kind: BindingKind) {
    return (type: string, obj: KObject, old: KObject | undefined) => {
      if (type === 'MODIFIED' && old && old.metadata.generation === obj.metadata.generation
        && JSON.stringify([old.metadata.deletionTimestamp, old.metadata.finalizers, old.metadata.labels])
        === JSON.stringify([obj.metadata.deletionTimestamp, obj.metadata.finalizers, obj.metadata.labels])) return;
      enqueue(keyOf(kind, obj.metadata.namespace, obj.metadata.name));
    };
  }

  (async () => {
    const found = await whenServed(objects, [
      ['work.karmada.io', 'v1alpha2', 'resourcebindings'],
      ['work.karmada.io', 'v1alpha2', 'clusterresourcebindings'],
      ['work.karmada.io', 'v1alpha1', 'works'],
      ['cluster.karmada.io', 'v1alpha1', 'clusters'],
      ['policy.karmada.io', 'v1alpha1', 'overridepolicies'],
      ['policy.karmada.io', 'v1alpha1', 'clusteroverridepolicies'],
    ], () => stopped);
    if (!found) return;
    const [rb, crb, work, cluster, op, cop] = found as [ResourceInfo, ResourceInfo, ResourceInfo, ResourceInfo, ResourceInfo, ResourceInfo];
    const onPolicy = (type: string, obj: KObject, old: KObject | undefined) => {
      if (type !== 'MODIFIED' || JSON.stringify(old?.spec) !== JSON.stringify(obj.spec)) enqueueAll();
    };
    works = new Informer(objects, work, onWork);
    clusters = new Informer(objects, cluster, (type, obj, old) => {
      if (type !== 'MODIFIED' || JSON.stringify([old?.metadata.labels, old?.spec]) !== JSON.stringify([obj.metadata.labels, obj.spec])) {
        enqueueAll();
      }
    });
    overridePolicies = new Informer(objects, op, onPolicy);
    clusterOverridePolicies = new Informer(objects, cop, onPolicy);
    await Promise.all([works.synced, clusters.synced, overridePolicies.synced, clusterOverridePolicies.synced]);
    if (stopped) return;
    informers.rb = new Informer(objects, rb, onBinding('rb'));
    informers.crb = new Informer(objects, crb, onBinding('crb'));
  })().catch((e) => log.error({ err: String(e) }, 'binding controller failed to start'));

  return {
    async stop() {
      stopped = true;
      queue.stop();
      for (const i of [informers.rb, informers.crb, works, clusters, overridePolicies, clusterOverridePolicies]) i?.stop();
    },
  };
}

/** Policy suspension: of dispatching everywhere, or to the clusters named. */
function suspended(suspension: KObject | undefined, clusterName: string): boolean {
  return suspension?.dispatching === true || (suspension?.dispatchingOnClusters?.clusterNames ?? []).includes(clusterName);
}

function appliedEntry(a: { policyName: string; overriders: KObject }): KObject {
  return { policyName: a.policyName, overriders: a.overriders };
}
