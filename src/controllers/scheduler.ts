// The scheduler, as karmada-scheduler: each ResourceBinding and ClusterResourceBinding gets its target clusters
// (spec.clusters, with replicas when divided) from its placement and the Clusters as they are, and a Scheduled
// condition. Duplicated placements (and non-workloads) are scheduled again on every change of the Clusters;
// divided ones when the placement or the replicas change, or when a target cluster can no longer be used.
// A failed scheduling keeps the previous result.
import type { Logger } from 'pino';
import type { KObject, ObjectService } from '../registry/objects.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { APPLIED_PLACEMENT_ANNOTATION } from '../propagation/names.ts';
import { schedule, ScheduleError, tolerates, type TargetCluster } from '../propagation/scheduler.ts';
import { setStatusCondition, type Condition } from './cluster.ts';
import { eventRecorder } from './events.ts';
import { Informer, whenServed } from './informer.ts';
import { WorkQueue } from './queue.ts';
import { type Controller, stableJson } from './runtime.ts';
import { rfc3339 } from '../gofmt.ts';

export const SCHEDULED = 'Scheduled';

export function schedulerController(objects: ObjectService, logger: Logger): Controller {
  const log = logger.child({ controller: 'scheduler' });
  const events = eventRecorder(objects, log, 'default-scheduler');
  const informers: Record<'rb' | 'crb', Informer | undefined> = { rb: undefined, crb: undefined };
  let clusters: Informer | undefined;
  let stopped = false;

  const queue = new WorkQueue((key) => reconcile(key), {
    workers: 4,
    onError: (key, err) => log.warn({ binding: key, err: String(err) }, 'scheduling failed; retrying'),
  });

  const enqueueAll = () => {
    for (const kind of ['rb', 'crb'] as const) {
      for (const b of informers[kind]?.list() ?? []) queue.add(`${kind}|${b.metadata.namespace ?? ''}|${b.metadata.name}`);
    }
  };

  async function reconcile(key: string): Promise<void> {
    if (stopped) return;
    const [kind, namespace, name] = key.split('|') as ['rb' | 'crb', string, string];
    const informer = informers[kind]!;
    const binding = informer.get(namespace || undefined, name);
    if (!binding || binding.metadata.deletionTimestamp) return;
    const spec = binding.spec ?? {};
    const placement = spec.placement ?? {};
    const placementText = stableJson(placement);
    const all = clusters!.list();
    const scheduled: TargetCluster[] = spec.clusters ?? [];
    // Clusters with an untolerated NoExecute taint are evicted: scheduled anew as if never chosen.
    const previous = scheduled.filter((c) => stillUsable(c.name, all, placement));
    const replicas: number = spec.replicas ?? 0;
    const divided = replicas > 0 && placement.replicaScheduling?.replicaSchedulingType === 'Divided';
    const scheduledBefore = binding.metadata.annotations?.[APPLIED_PLACEMENT_ANNOTATION] !== undefined;
    if (divided && scheduledBefore && binding.metadata.annotations[APPLIED_PLACEMENT_ANNOTATION] === placementText
      && previous.reduce((n, c) => n + (c.replicas ?? 0), 0) === replicas
      && binding.status?.schedulerObservedGeneration === binding.metadata.generation && previous.length === scheduled.length) {
      return;
    }

    let result: { clusters: TargetCluster[]; affinityName?: string } | undefined;
    let failure: string | undefined;
    try {
      result = schedule({
        placement, clusters: all, replicas, replicaRequirements: spec.replicaRequirements,
        gvk: { apiVersion: spec.resource?.apiVersion, kind: spec.resource?.kind },
        previous, previousAffinityName: binding.status?.schedulerObservedAffinityName,
      });
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
      failure = e.message;
    }

    const res = informer.resource;
    let current = binding;
    if (result && (stableJson(result.clusters) !== stableJson(scheduled)
      || binding.metadata.annotations?.[APPLIED_PLACEMENT_ANNOTATION] !== placementText)) {
      current = await objects.modify(res, namespace || undefined, name, (b) => {
        b.metadata.annotations = { ...(b.metadata.annotations ?? {}), [APPLIED_PLACEMENT_ANNOTATION]: placementText };
        b.spec = { ...b.spec, clusters: result!.clusters };
        return b;
      });
      log.info({ binding: `${namespace}/${name}`, clusters: result.clusters.map((c) => c.name) }, 'binding scheduled');
      const placed = result.clusters.map((c) => `${c.name}:${c.replicas ?? 0}`).join(', ');
      for (const o of [current, templateRef(current)]) {
        events.record(o, 'Normal', 'ScheduleBindingSucceed', `Binding has been scheduled successfully. Result: {${placed}}`);
      }
    }
    const failedBefore = (binding.status?.conditions ?? []).find((c: Condition) => c.type === SCHEDULED);
    if (failure && (failedBefore?.status !== 'False' || failedBefore.message !== failure)) {
      for (const o of [binding, templateRef(binding)]) events.record(o, 'Warning', 'ScheduleBindingFailed', failure);
    }
    const condition: Condition = result
      ? { type: SCHEDULED, status: 'True', reason: 'Success', message: 'Binding has been scheduled successfully.' }
      : { type: SCHEDULED, status: 'False', reason: 'NoClusterFit', message: failure! };
    const status = binding.status ?? {};
    const nextStatus: KObject = {
      ...status,
      conditions: setStatusCondition(status.conditions ?? [], condition, Date.now()),
      schedulerObservedGeneration: current.metadata.generation,
    };
    if (result?.affinityName) nextStatus.schedulerObservedAffinityName = result.affinityName;
    else if (result) delete nextStatus.schedulerObservedAffinityName;
    if (result && current !== binding) nextStatus.lastScheduledTime = rfc3339(Date.now());
    if (stableJson(nextStatus) === stableJson(status)) return;
    await objects.modify(res, namespace || undefined, name, (b) => ({ ...b, status: { ...b.status, ...nextStatus,
      conditions: setStatusCondition(b.status?.conditions ?? [], condition, Date.now()) } }), {}, 'status');
  }

  function onBinding(kind: 'rb' | 'crb') {
    return (type: string, obj: KObject, old: KObject | undefined) => {
      if (type === 'DELETED') return;
      if (type === 'MODIFIED' && old && old.metadata.generation === obj.metadata.generation) return;
      queue.add(`${kind}|${obj.metadata.namespace ?? ''}|${obj.metadata.name}`);
    };
  }

  (async () => {
    const found = await whenServed(objects, [
      ['work.karmada.io', 'v1alpha2', 'resourcebindings'],
      ['work.karmada.io', 'v1alpha2', 'clusterresourcebindings'],
      ['cluster.karmada.io', 'v1alpha1', 'clusters'],
    ], () => stopped);
    if (!found) return;
    clusters = new Informer(objects, found[2]!, (type, obj, old) => {
      if (type === 'MODIFIED' && old && JSON.stringify(schedulingView(old)) === JSON.stringify(schedulingView(obj))) return;
      enqueueAll();
    });
    await clusters.synced;
    informers.rb = new Informer(objects, found[0] as ResourceInfo, onBinding('rb'));
    informers.crb = new Informer(objects, found[1] as ResourceInfo, onBinding('crb'));
  })().catch((e) => log.error({ err: String(e) }, 'scheduler failed to start'));

  return {
    async stop() {
      stopped = true;
      queue.stop();
      for (const i of [informers.rb, informers.crb, clusters]) i?.stop();
    },
  };
}

/** The binding's resource template as an event's involved object. */
function templateRef(binding: KObject): KObject {
  const r = binding.spec?.resource ?? {};
  return { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, namespace: r.namespace, uid: r.uid, resourceVersion: r.resourceVersion } };
}

/** What of a Cluster scheduling looks at. */
function schedulingView(cluster: KObject): unknown {
  return [cluster.metadata.labels, cluster.metadata.deletionTimestamp, cluster.spec, cluster.status?.apiEnablements,
    cluster.status?.resourceSummary];
}

/** A divided result stays while its clusters exist, are not being removed and carry no NoExecute taint. */
function stillUsable(name: string, clusters: KObject[], placement: KObject): boolean {
  const cluster = clusters.find((c) => c.metadata.name === name);
  if (!cluster || cluster.metadata.deletionTimestamp) return false;
  const tolerations: KObject[] = placement.clusterTolerations ?? [];
  return (cluster.spec?.taints ?? []).every((t: KObject) => t.effect !== 'NoExecute' || tolerations.some((tol) => tolerates(tol, t)));
}
