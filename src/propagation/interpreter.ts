// Karmada's default resource interpreter for native kinds (pkg/resourceinterpreter/default/native): the replicas a
// template asks for and what each one needs, the per-cluster replica revision, the part of a member object's status
// recorded in its Work, the member object's health, and the template's status aggregated from the members'.
// Interpreters are chosen by exact apiVersion and kind, as upstream keys them by GroupVersionKind. Statuses are
// written the way upstream's typed Go structs serialize: zero values of omitempty fields are left out.
import { isDeepStrictEqual } from 'node:util';
import type { KObject } from '../registry/objects.ts';
import {
  formatQuantity, newMilliQuantity, newQuantity, parseQuantity, quantityMilliValue, quantityValue,
} from './quantity.ts';
import { rfc3339 } from '../gofmt.ts';

/** The template's metadata.generation, put on every manifest by the binding controller (when above 0). */
export const RESOURCE_TEMPLATE_GENERATION_ANNOTATION = 'resourcetemplate.karmada.io/generation';

export type Health = 'Healthy' | 'Unhealthy' | 'Unknown';

export interface ReplicaRequirements {
  resourceRequest?: Record<string, string>;
  nodeClaim?: KObject;
}

export interface Replicas {
  replicas: number;
  replicaRequirements?: ReplicaRequirements;
}

export interface AggregatedStatusItem {
  clusterName: string;
  status?: KObject;
  applied?: boolean;
  health?: string;
}

const DEPLOYMENT = 'apps/v1/Deployment';
const STATEFUL_SET = 'apps/v1/StatefulSet';
const REPLICA_SET = 'apps/v1/ReplicaSet';
const DAEMON_SET = 'apps/v1/DaemonSet';
const JOB = 'batch/v1/Job';
const CRON_JOB = 'batch/v1/CronJob';
const POD = 'v1/Pod';
const SERVICE = 'v1/Service';
const PVC = 'v1/PersistentVolumeClaim';
const PV = 'v1/PersistentVolume';
const INGRESS = 'networking.k8s.io/v1/Ingress';
const PDB = 'policy/v1/PodDisruptionBudget';
const HPA = 'autoscaling/v2/HorizontalPodAutoscaler';

const gvk = (obj: KObject): string => `${obj.apiVersion}/${obj.kind}`;
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const isObject = (v: unknown): v is KObject => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- GetReplicas and ReviseReplica ----

/** Replicas and per-replica requirements of a template; { replicas: 0 } for kinds upstream does not interpret. */
export function getReplicas(template: KObject): Replicas {
  const spec = template.spec ?? {};
  // The apiserver defaults spec.replicas and spec.parallelism to 1, so upstream always finds them set.
  switch (gvk(template)) {
    case DEPLOYMENT:
    case STATEFUL_SET:
      return withRequirements(spec.replicas ?? 1, spec.template?.spec);
    case JOB: {
      // A Job with fixed completions never runs more pods at once than it has completions.
      const parallelism: number = spec.parallelism ?? 1;
      return withRequirements(Math.min(parallelism, spec.completions ?? parallelism), spec.template?.spec);
    }
    case POD:
      return withRequirements(1, spec);
    default:
      return { replicas: 0 };
  }
}

const REVISED_FIELD: Record<string, string> = { [DEPLOYMENT]: 'replicas', [STATEFUL_SET]: 'replicas', [JOB]: 'parallelism' };

/** A copy of the manifest with its replica field (Job: parallelism) set; as upstream, only a field already set. */
export function reviseReplica(manifest: KObject, replicas: number): KObject {
  const next = structuredClone(manifest);
  const field = REVISED_FIELD[gvk(manifest)];
  if (field && typeof next.spec?.[field] === 'number') next.spec[field] = replicas;
  return next;
}

function withRequirements(replicas: number, podSpec: KObject = {}): Replicas {
  const nodeClaim = nodeClaimOf(podSpec);
  const resourceRequest = podRequest(podSpec);
  if (!nodeClaim && !resourceRequest) return { replicas };
  const replicaRequirements: ReplicaRequirements = {};
  if (nodeClaim) replicaRequirements.nodeClaim = nodeClaim;
  if (resourceRequest) replicaRequirements.resourceRequest = resourceRequest;
  return { replicas, replicaRequirements };
}

function nodeClaimOf(podSpec: KObject): KObject | undefined {
  const hardNodeAffinity = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const tolerations: KObject[] = podSpec.tolerations ?? [];
  if (!podSpec.nodeSelector && !hardNodeAffinity && !tolerations.length) return undefined;
  return {
    ...(Object.keys(podSpec.nodeSelector ?? {}).length ? { nodeSelector: podSpec.nodeSelector } : {}),
    ...(hardNodeAffinity ? { hardNodeAffinity } : {}),
    ...(tolerations.length ? { tolerations } : {}),
  };
}

/**
 * A pod's effective request: limits stand in for missing requests, the app containers add up, an init container
 * raises any resource it asks more of, and the overhead is added. CPU is counted in millicores, the rest in units.
 */
function podRequest(podSpec: KObject): Record<string, string> | undefined {
  const total = new Map<string, bigint>();
  const requestsOf = (c: KObject): KObject => ({ ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) });
  const each = (list: KObject, f: (name: string, amount: bigint) => void): void => {
    for (const [name, quantity] of Object.entries(list)) {
      const amount = countedResource(name) ? units(quantity, name === 'cpu') : undefined;
      if (amount !== undefined) f(name, amount);
    }
  };
  for (const c of podSpec.containers ?? []) each(requestsOf(c), (n, a) => total.set(n, (total.get(n) ?? 0n) + a));
  for (const c of podSpec.initContainers ?? []) each(requestsOf(c), (n, a) => { if (a > (total.get(n) ?? 0n)) total.set(n, a); });
  each(podSpec.overhead ?? {}, (n, a) => total.set(n, (total.get(n) ?? 0n) + a));
  const request: Record<string, string> = {};
  for (const [name, amount] of total) if (amount > 0n) request[name] = unitsText(name, amount);
  return Object.keys(request).length ? request : undefined;
}

/** The resources upstream's scheduler counts: the four native ones and scalar (extended, hugepages) resources. */
function countedResource(name: string): boolean {
  return ['cpu', 'memory', 'pods', 'ephemeral-storage'].includes(name) || (name.includes('/') && !name.startsWith('requests.'))
    || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

/** A quantity as an integer count (milli-units for CPU), rounded up as Quantity.Value and MilliValue do. */
function units(quantity: unknown, milli: boolean): bigint | undefined {
  const q = parseQuantity(quantity);
  if (!q) return undefined;
  return milli ? quantityMilliValue(q) : quantityValue(q);
}

/** Canonical text of an amount: CPU as milli DecimalSI, byte-sized resources as BinarySI, the rest as DecimalSI. */
function unitsText(name: string, amount: bigint): string {
  if (name === 'cpu') return formatQuantity(newMilliQuantity(amount, 'DecimalSI'));
  const binary = name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-');
  return formatQuantity(newQuantity(amount, binary ? 'BinarySI' : 'DecimalSI'));
}

// ---- ReflectStatus ----

/** Status fields of a Go status type; true marks fields written even when zero (no omitempty). */
type Fields = Record<string, boolean>;

const DEPLOYMENT_STATUS: Fields = {
  observedGeneration: false, replicas: false, updatedReplicas: false, readyReplicas: false, availableReplicas: false,
  unavailableReplicas: false,
};
const DAEMON_SET_STATUS: Fields = {
  observedGeneration: false, currentNumberScheduled: true, numberMisscheduled: true, desiredNumberScheduled: true,
  numberReady: true, updatedNumberScheduled: false, numberAvailable: false, numberUnavailable: false,
};
const STATEFUL_SET_STATUS: Fields = {
  observedGeneration: false, replicas: true, readyReplicas: false, currentReplicas: false, updatedReplicas: false,
  availableReplicas: true,
};
const JOB_STATUS: Fields = {
  conditions: false, startTime: false, completionTime: false, active: false, succeeded: false, failed: false,
};
const PDB_STATUS: Fields = {
  disruptedPods: false, disruptionsAllowed: true, currentHealthy: true, desiredHealthy: true, expectedPods: true,
};
const HPA_STATUS: Fields = { currentReplicas: false, desiredReplicas: true };

/** What Work.status.manifestStatuses[].status records of a member object; undefined when there is nothing to record. */
export function reflectStatus(obj: KObject): KObject | undefined {
  const status = obj.status;
  if (!isObject(status)) return undefined;
  switch (gvk(obj)) {
    case DEPLOYMENT: {
      const reflected = { ...federatedGeneration(obj), ...pick(status, DEPLOYMENT_STATUS) };
      return Object.keys(reflected).length ? reflected : undefined;
    }
    case DAEMON_SET:
      return { ...federatedGeneration(obj), ...pick(status, DAEMON_SET_STATUS) };
    case STATEFUL_SET:
      return { ...federatedGeneration(obj), ...pick(status, STATEFUL_SET_STATUS) };
    case SERVICE: {
      if (obj.spec?.type !== 'LoadBalancer') return undefined;
      const ingress = status.loadBalancer?.ingress;
      return { loadBalancer: ingress?.length ? { ingress } : {} };
    }
    case JOB:
      return pick(status, JOB_STATUS);
    case PDB:
      return pick(status, PDB_STATUS);
    case HPA:
      return pick(status, HPA_STATUS);
    default:
      return status;
  }
}

/** The member object's generation and the template generation it was applied from, for aggregating observedGeneration. */
function federatedGeneration(obj: KObject): KObject {
  const annotation = obj.metadata?.annotations?.[RESOURCE_TEMPLATE_GENERATION_ANNOTATION];
  const templateGeneration = /^\d+$/.test(annotation ?? '') ? Number(annotation) : 0;
  return omitEmpty({ generation: num(obj.metadata?.generation), resourceTemplateGeneration: templateGeneration });
}

function pick(source: KObject, fields: Fields): KObject {
  const out: KObject = {};
  for (const [field, always] of Object.entries(fields)) {
    if (always) out[field] = source[field] ?? 0;
    else if (!isEmpty(source[field])) out[field] = source[field];
  }
  return out;
}

function isEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return !v.length;
  return v === undefined || v === null || v === 0 || v === '' || (isObject(v) && !Object.keys(v).length);
}

function omitEmpty(obj: KObject): KObject {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => !isEmpty(v)));
}

// ---- InterpretHealth ----

type HealthCheck = (spec: KObject, status: KObject, generation: number) => boolean;

const HEALTH: Record<string, HealthCheck> = {
  [DEPLOYMENT]: (spec, s, generation) => num(s.observedGeneration) === generation
    && !(spec.replicas != null && num(s.updatedReplicas) < spec.replicas) && num(s.availableReplicas) >= num(s.updatedReplicas),
  [STATEFUL_SET]: (spec, s, generation) => {
    if (num(s.observedGeneration) !== generation) return false;
    if (spec.replicas != null) {
      // A partitioned rolling update only updates the pods at or above the partition ordinal.
      const updating = spec.replicas - num(spec.updateStrategy?.rollingUpdate?.partition);
      if (num(s.updatedReplicas) < updating || num(s.availableReplicas) < spec.replicas) return false;
    }
    return num(s.availableReplicas) >= num(s.updatedReplicas);
  },
  [REPLICA_SET]: (spec, s, generation) => num(s.observedGeneration) === generation
    && !(spec.replicas != null && num(s.availableReplicas) < spec.replicas),
  [DAEMON_SET]: (_spec, s, generation) => num(s.observedGeneration) === generation
    && num(s.updatedNumberScheduled) >= num(s.desiredNumberScheduled) && num(s.numberAvailable) >= num(s.updatedNumberScheduled),
  [SERVICE]: (spec, s) => spec.type !== 'LoadBalancer' || hasIngress(s),
  [INGRESS]: (_spec, s) => hasIngress(s),
  [PVC]: (_spec, s) => s.phase === 'Bound',
  [POD]: (_spec, s) => s.phase === 'Succeeded' || (s.phase === 'Running'
    && (s.conditions ?? []).some((c: KObject) => c.type === 'Ready' && c.status === 'True')),
  [PDB]: (_spec, s) => num(s.currentHealthy) >= num(s.desiredHealthy),
};

/** The member object's health; Unknown for kinds the default interpreter does not judge. */
export function interpretHealth(obj: KObject): Health {
  const check = HEALTH[gvk(obj)];
  if (!check) return 'Unknown';
  return check(obj.spec ?? {}, obj.status ?? {}, num(obj.metadata?.generation)) ? 'Healthy' : 'Unhealthy';
}

function hasIngress(status: KObject): boolean {
  return (status.loadBalancer?.ingress ?? []).some((i: KObject) => i.hostname || i.ip);
}

// ---- AggregateStatus ----

type Aggregator = (template: KObject, items: AggregatedStatusItem[], old: KObject) => KObject;

/**
 * The template's status from the members' (binding.status.aggregatedStatus); a copy of the old status when nothing
 * changes, undefined for kinds upstream does not aggregate.
 */
export function aggregateStatus(template: KObject, items: AggregatedStatusItem[]): KObject | undefined {
  const aggregate = AGGREGATORS[gvk(template)];
  if (!aggregate) return undefined;
  const old: KObject = template.status ?? {};
  const next = aggregate(template, items, old);
  return isDeepStrictEqual(next, old) ? structuredClone(old) : next;
}

/**
 * Sums the counters; observedGeneration becomes the template's generation only once every member runs that
 * generation (resourceTemplateGeneration) and its own controller observed it, else it stays as it was.
 */
function aggregateWorkload(fields: Fields): Aggregator {
  return (template, items, old) => {
    const generation = num(template.metadata?.generation);
    const next: KObject = { ...old };
    for (const field of Object.keys(fields)) next[field] = items.reduce((n, i) => n + num(i.status?.[field]), 0);
    const caughtUp = items.filter(({ status: s }) => s && num(s.observedGeneration) === num(s.generation)
      && num(s.resourceTemplateGeneration) === generation).length;
    next.observedGeneration = caughtUp === items.length ? generation : old.observedGeneration;
    for (const [field, always] of Object.entries({ ...fields, observedGeneration: false })) {
      if (!always && isEmpty(next[field])) delete next[field];
    }
    return next;
  };
}

function aggregateLoadBalancers(items: AggregatedStatusItem[]): KObject {
  // An ingress point without a hostname gets the cluster's name, to tell where it comes from.
  const ingress = items.flatMap(({ clusterName, status }) => (status?.loadBalancer?.ingress ?? [])
    .map((i: KObject) => (i.hostname ? i : { ...i, hostname: clusterName })));
  return { loadBalancer: ingress.length ? { ingress } : {} };
}

function jobFinished(status: KObject): 'Complete' | 'Failed' | undefined {
  const finished = (c: KObject): boolean => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True';
  return (status.conditions ?? []).find(finished)?.type;
}

/** Upstream's ParsingJobStatus; a finished Job's status is never changed again. */
const aggregateJob: Aggregator = (_template, items, old) => {
  if (jobFinished(old)) return old;
  const next: KObject = { active: 0, succeeded: 0, failed: 0 };
  const failedIn: string[] = [];
  let complete = 0;
  let completed = 0;
  let startTime: string | undefined;
  let completionTime: string | undefined;
  for (const { clusterName, status: s } of items) {
    if (!s) continue;
    for (const counter of ['active', 'succeeded', 'failed']) next[counter] += num(s[counter]);
    const finished = jobFinished(s);
    if (finished === 'Complete') complete++;
    if (finished === 'Failed') failedIn.push(clusterName);
    if (s.startTime && (!startTime || Date.parse(s.startTime) < Date.parse(startTime))) startTime = s.startTime;
    if (s.completionTime) {
      completed++;
      if (!completionTime || Date.parse(completionTime) < Date.parse(s.completionTime)) completionTime = s.completionTime;
    }
  }
  const now = rfc3339(Date.now());
  const condition = (type: string, reason: string, message: string): KObject =>
    ({ type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message });
  const conditions: KObject[] = [];
  if (failedIn.length) {
    conditions.push(condition('Failed', 'JobFailed', `Job executed failed in member clusters ${failedIn.join(',')}`));
  }
  if (complete > 0 && complete === items.length) conditions.push(condition('Complete', 'Completed', 'Job completed'));
  return omitEmpty({ conditions, startTime, completionTime: completed === items.length ? completionTime : undefined, ...next });
};

const aggregateCronJob: Aggregator = (_template, items) => {
  const latest = (field: string): string | undefined => items.map((i) => i.status?.[field]).filter(Boolean)
    .reduce((a, b) => (a === undefined || Date.parse(a) < Date.parse(b) ? b : a), undefined);
  return omitEmpty({
    active: items.flatMap((i) => i.status?.active ?? []),
    lastScheduleTime: latest('lastScheduleTime'),
    lastSuccessfulTime: latest('lastSuccessfulTime'),
  });
};

const POD_PHASES = ['Failed', 'Pending', 'Running', 'Succeeded'];

const aggregatePod: Aggregator = (_template, items, old) => {
  if (!items.length) return old;
  const phases = new Set<string>();
  // The Go ContainerStatus keeps only ready and state here, its other non-omitempty fields written empty.
  const summary = (c: KObject): KObject =>
    ({ name: '', state: c.state ?? {}, lastState: {}, ready: c.ready === true, restartCount: 0, image: '', imageID: '' });
  const containerStatuses: KObject[] = [];
  const initContainerStatuses: KObject[] = [];
  for (const { status: s } of items) {
    // A member that has not reported yet counts as pending.
    phases.add(s ? s.phase ?? '' : 'Pending');
    containerStatuses.push(...(s?.containerStatuses ?? []).map(summary));
    initContainerStatuses.push(...(s?.initContainerStatuses ?? []).map(summary));
  }
  return omitEmpty({ phase: POD_PHASES.find((p) => phases.has(p)), containerStatuses, initContainerStatuses });
};

const VOLUME_PHASES = ['Failed', 'Pending', 'Available', 'Bound', 'Released'];

const aggregatePersistentVolume: Aggregator = (_template, items) => {
  const phases = new Set(items.map(({ status: s }) => (s ? s.phase ?? '' : 'Pending')));
  return omitEmpty({ phase: VOLUME_PHASES.find((p) => phases.has(p)) });
};

const aggregatePersistentVolumeClaim: Aggregator = (_template, items) => {
  let phase = 'Bound';
  for (const { status: s } of items) {
    if (!s) continue;
    if (s.phase === 'Lost') return { phase: 'Lost' };
    if (s.phase !== 'Bound') phase = s.phase ?? '';
  }
  return omitEmpty({ phase });
};

const aggregatePodDisruptionBudget: Aggregator = (_template, items) => {
  const next: KObject = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  const disruptedPods: KObject = {};
  for (const { clusterName, status: s } of items) {
    if (!s) continue;
    for (const counter of Object.keys(next)) next[counter] += num(s[counter]);
    for (const [pod, time] of Object.entries(s.disruptedPods ?? {})) disruptedPods[`${clusterName}/${pod}`] = time;
  }
  return { ...omitEmpty({ disruptedPods }), ...next };
};

const AGGREGATORS: Record<string, Aggregator> = {
  [DEPLOYMENT]: aggregateWorkload({
    replicas: false, readyReplicas: false, updatedReplicas: false, availableReplicas: false, unavailableReplicas: false,
  }),
  [DAEMON_SET]: aggregateWorkload({
    currentNumberScheduled: true, desiredNumberScheduled: true, numberAvailable: false, numberMisscheduled: true,
    numberReady: true, updatedNumberScheduled: false, numberUnavailable: false,
  }),
  [STATEFUL_SET]: aggregateWorkload({
    availableReplicas: true, currentReplicas: false, readyReplicas: false, replicas: true, updatedReplicas: false,
  }),
  [SERVICE]: (template, items, old) => (template.spec?.type === 'LoadBalancer' ? aggregateLoadBalancers(items) : old),
  [INGRESS]: (_template, items) => aggregateLoadBalancers(items),
  [JOB]: aggregateJob,
  [CRON_JOB]: aggregateCronJob,
  [POD]: aggregatePod,
  [PV]: aggregatePersistentVolume,
  [PVC]: aggregatePersistentVolumeClaim,
  [PDB]: aggregatePodDisruptionBudget,
};
