// A local member's workload simulation: in place of a kubelet and kube-controller-manager's workload
// controllers, Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs get the status the real controllers
// report once every pod is ready (or, for a Job, succeeded). No Pods or ReplicaSets are created.
//
// Level-triggered: each reconcile computes the wanted status from the object as it is now and writes it
// through the status subresource only when it differs. A change is reported SETTLE_MS after it was first
// seen, so that clients briefly see the rollout in progress, as on a real cluster.
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import type { ResourceInfo } from '../registry/types.ts';
import { WorkQueue } from './queue.ts';
import { watchResource, type Controller } from './runtime.ts';
import { goJson, rfc3339 } from '../gofmt.ts';

/** How long after a change of spec the workload reports its pods ready. */
export const SETTLE_MS = 500;

type Simulate = (obj: KObject, current: KObject | undefined, now: string) => KObject | undefined;

interface Kind {
  group: string;
  plural: string;
  simulate: Simulate;
}

const KINDS: Kind[] = [
  { group: 'apps', plural: 'deployments', simulate: deploymentStatus },
  { group: 'apps', plural: 'statefulsets', simulate: statefulSetStatus },
  { group: 'apps', plural: 'daemonsets', simulate: daemonSetStatus },
  { group: 'apps', plural: 'replicasets', simulate: replicaSetStatus },
  { group: 'batch', plural: 'jobs', simulate: jobStatus },
];

export function workloadSimulation(objects: ObjectService, logger: Logger): Controller {
  const resources = new Map<string, { resource: ResourceInfo; kind: Kind }>();
  for (const kind of KINDS) {
    const resource = objects.registry.lookup(kind.group, 'v1', kind.plural);
    if (resource) resources.set(kind.plural, { resource, kind });
  }
  /** key → the change being settled (uid and generation) and when it was first seen. */
  const settling = new Map<string, { change: string; since: number }>();
  const queue = new WorkQueue((key) => reconcile(key), {
    onError: (key, err) => logger.warn({ workload: key, err }, 'workload simulation failed; retrying'),
  });

  async function reconcile(key: string): Promise<void | { requeueAfterMs: number }> {
    const [plural, namespace, name] = key.split('/') as [string, string, string];
    const { resource, kind } = resources.get(plural)!;
    const obj = await objects.tryGet(resource, namespace, name);
    if (!obj || obj.metadata.deletionTimestamp) {
      settling.delete(key);
      return;
    }
    const wanted = kind.simulate(obj, obj.status, timestamp());
    if (wanted === undefined || sameJson(wanted, obj.status ?? {})) {
      settling.delete(key);
      return;
    }
    const change = `${obj.metadata.uid}/${obj.metadata.generation}`;
    let entry = settling.get(key);
    if (entry?.change !== change) {
      entry = { change, since: Date.now() };
      settling.set(key, entry);
    }
    const wait = entry.since + SETTLE_MS - Date.now();
    if (wait > 0) return { requeueAfterMs: wait };
    try {
      await objects.modify(resource, namespace, name, (current) => {
        // A newer generation or another object of that name is settled on its own (its watch event requeues it).
        if (current.metadata.uid !== obj.metadata.uid || current.metadata.generation !== obj.metadata.generation) return current;
        const status = kind.simulate(current, current.status, timestamp());
        return status === undefined ? current : { ...current, status };
      }, {}, 'status');
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return;
      throw e;
    }
    settling.delete(key);
  }

  const watches = [...resources.values()].map(({ resource }) => watchResource(objects, resource, queue,
    (o) => `${resource.plural}/${o.metadata.namespace}/${o.metadata.name}`));
  return {
    async stop() {
      await Promise.all(watches.map((w) => w.stop()));
    },
  };
}

function timestamp(): string {
  return rfc3339(Date.now());
}

function replicasOf(obj: KObject): number {
  const n = obj.spec?.replicas;
  return typeof n === 'number' && n >= 0 ? n : 1;
}

/** The object with zero counts left out, as Go's omitempty does. */
function omitZero(fields: Record<string, unknown>): KObject {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== 0 && v !== undefined && v !== ''));
}

// --- Deployment (pkg/controller/deployment) ---

function deploymentStatus(obj: KObject, current: KObject | undefined, now: string): KObject {
  const replicas = replicasOf(obj);
  const rsName = `${obj.metadata.name}-${podTemplateHash(obj.spec?.template, obj.status?.collisionCount)}`;
  const conditions: KObject[] = current?.conditions ?? [];
  return {
    ...omitZero({
      observedGeneration: obj.metadata.generation,
      replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas,
    }),
    conditions: [
      deploymentCondition(conditions, 'Available', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now),
      deploymentCondition(conditions, 'Progressing', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`, now),
    ],
    ...(current?.collisionCount !== undefined ? { collisionCount: current.collisionCount } : {}),
  };
}

/** A True condition; its times are kept when it was already so (lastUpdateTime moves when the message does). */
function deploymentCondition(conditions: KObject[], type: string, reason: string, message: string, now: string): KObject {
  const old = conditions.find((c) => c.type === type);
  const wasTrue = old?.status === 'True';
  const unchanged = wasTrue && old.reason === reason && old.message === message;
  return {
    type, status: 'True',
    lastUpdateTime: unchanged ? old.lastUpdateTime : now,
    lastTransitionTime: wasTrue ? old.lastTransitionTime : now,
    reason, message,
  };
}

// --- StatefulSet (pkg/controller/statefulset) ---

function statefulSetStatus(obj: KObject, current: KObject | undefined): KObject {
  const replicas = replicasOf(obj);
  const revision = `${obj.metadata.name}-${podTemplateHash(obj.spec?.template, current?.collisionCount)}`;
  return {
    ...omitZero({ observedGeneration: obj.metadata.generation }),
    replicas,
    ...omitZero({ readyReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas }),
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: current?.collisionCount ?? 0,
    availableReplicas: replicas,
  };
}

// --- DaemonSet (pkg/controller/daemon): one node, running the daemon pod ---

function daemonSetStatus(obj: KObject): KObject {
  return {
    currentNumberScheduled: 1,
    numberMisscheduled: 0,
    desiredNumberScheduled: 1,
    numberReady: 1,
    ...omitZero({ observedGeneration: obj.metadata.generation }),
    updatedNumberScheduled: 1,
    numberAvailable: 1,
  };
}

// --- ReplicaSet (pkg/controller/replicaset) ---

function replicaSetStatus(obj: KObject): KObject {
  const replicas = replicasOf(obj);
  return {
    replicas,
    ...omitZero({
      fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas,
      observedGeneration: obj.metadata.generation,
    }),
  };
}

// --- Job (pkg/controller/job), as a 1.32 cluster reports a Job whose pods all succeeded ---

function jobStatus(obj: KObject, current: KObject | undefined, now: string): KObject | undefined {
  const finished = (current?.conditions ?? []).some((c: KObject) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (finished || obj.spec?.suspend === true) return undefined; // finished Jobs stay as they are; suspended ones wait
  const completions = typeof obj.spec?.completions === 'number' ? obj.spec.completions : 1;
  const message = 'Reached expected number of succeeded pods';
  const condition = (type: string) => ({
    type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason: 'CompletionsReached', message,
  });
  return {
    conditions: [...(current?.conditions ?? []), condition('SuccessCriteriaMet'), condition('Complete')],
    startTime: current?.startTime ?? obj.metadata.creationTimestamp ?? now,
    completionTime: now,
    ...omitZero({ succeeded: completions }),
    ...(obj.spec?.completionMode === 'Indexed' && completions > 0 ? { completedIndexes: indexRange(completions) } : {}),
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
  };
}

/** Indexes 0..n-1 as the job controller writes them: "0", "0,1", "0-4". */
function indexRange(n: number): string {
  return n === 1 ? '0' : n === 2 ? '0,1' : `0-${n - 1}`;
}

// --- hashing ---

/**
 * A pod-template-hash / controller revision suffix in upstream's form: the FNV-1a hash of the template
 * (and the collision count, if any), its decimal form encoded with rand.SafeEncodeString's alphabet.
 * Upstream hashes the Go struct; this hashes the canonical JSON, so the value differs but is as stable.
 */
export function podTemplateHash(template: unknown, collisionCount?: number): string {
  let text = goJson(template ?? {});
  if (typeof collisionCount === 'number') text += String(collisionCount);
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(hash)].map((c) => alphabet[c.charCodeAt(0) % alphabet.length]).join('');
}

function sameJson(a: unknown, b: unknown): boolean {
  return goJson(a) === goJson(b);
}
