// The cluster status controller, as Karmada's: every Push Cluster is probed periodically through the
// credentials its Secret holds (readyz, else healthz); a healthy one has its Kubernetes version, API
// enablements, node summary and resource summary collected. The observed health becomes the Ready condition
// only once it has lasted the success/failure threshold, and the Ready condition is mirrored into the scheduling taints
// cluster.karmada.io/not-ready and cluster.karmada.io/unreachable, as Karmada's cluster controller does.
// A Pull cluster is probed by its agent (`canopy agent` runs this same code over HTTPS); the control plane only
// watches the agent's Lease (karmada-cluster/<cluster>) and sets Ready=Unknown when it goes unrenewed for the grace
// period. Nothing of a credential is ever logged or written into a condition.
import type { Logger } from 'pino';
import type { ApiEnablement, MemberClient, ResourceSummary } from '../members/client.ts';
import { ClusterClientError, clusterClientFromSecret, type ClusterClient } from '../members/from-secret.ts';
import { CLUSTER_SECRETS_NAMESPACE as CLUSTER_LEASE_NAMESPACE } from '../controlplane/bootstrap.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { CLUSTERS, type ControlPlaneApi, inProcessApi, LEASES, whenApiServes } from './control-plane-api.ts';
import { WorkQueue } from './queue.ts';
import { type Controller, errorText, ignoreNotFound, ShutdownWrites, stableJson } from './runtime.ts';
import { rfc3339 } from '../gofmt.ts';

/** What a probe of a healthy member collects for Cluster.status. */
interface Collected {
  kubernetesVersion?: string;
  apiEnablements?: ApiEnablement[];
  nodeSummary?: { totalNum: number; readyNum: number };
  resourceSummary?: ResourceSummary;
}

export interface ClusterStatusOptions {
  /** How often each cluster is probed (Karmada's --cluster-status-update-frequency). Default 10 s. */
  clusterStatusUpdateFrequencyMs?: number;
  /** How long a recovered cluster must stay healthy before it is Ready (--cluster-success-threshold). Default 30 s. */
  clusterSuccessThresholdMs?: number;
  /** How long a failing cluster must keep failing before it is not Ready (--cluster-failure-threshold). Default 30 s. */
  clusterFailureThresholdMs?: number;
  /** How often the API enablements of a ready cluster are collected again. Default 60 s. */
  apiEnablementsRefreshMs?: number;
  /** Clusters probed at the same time. Default 16. */
  concurrency?: number;
  /** How long a Pull cluster's Lease may go unrenewed before Ready becomes Unknown (default 40 s). */
  clusterMonitorGracePeriodMs?: number;
}

export const DEFAULT_CLUSTER_STATUS_UPDATE_FREQUENCY_MS = 10_000;
export const DEFAULT_CLUSTER_SUCCESS_THRESHOLD_MS = 30_000;
export const DEFAULT_CLUSTER_FAILURE_THRESHOLD_MS = 30_000;

// Karmada's condition types, reasons and messages (pkg/controllers/status/cluster_status_controller.go).
export const CONDITION_READY = 'Ready';
export const CONDITION_COMPLETE_API_ENABLEMENTS = 'CompleteAPIEnablements';
export const REASON_CLUSTER_READY = 'ClusterReady';
export const MESSAGE_CLUSTER_HEALTHY = 'cluster is healthy and ready to accept workloads';
export const REASON_CLUSTER_NOT_READY = 'ClusterNotReady';
export const MESSAGE_CLUSTER_UNHEALTHY = 'cluster is reachable but health endpoint responded without ok';
export const REASON_CLUSTER_NOT_REACHABLE = 'ClusterNotReachable';
export const MESSAGE_CLUSTER_NOT_REACHABLE = 'cluster is not reachable';
export const REASON_STATUS_COLLECTION_FAILED = 'StatusCollectionFailed';

// Karmada's taints for scheduling (pkg/controllers/cluster: NotReadyTaintTemplateForSched, UnreachableTaintTemplateForSched).
export const TAINT_NOT_READY = 'cluster.karmada.io/not-ready';
export const TAINT_UNREACHABLE = 'cluster.karmada.io/unreachable';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

/** As meta.SetStatusCondition: the transition time moves only when the status changes. */
export function setStatusCondition(conditions: Condition[], next: Condition, nowMs: number): Condition[] {
  const out = conditions.map((c) => ({ ...c }));
  const existing = out.find((c) => c.type === next.type);
  if (!existing) {
    out.push({ ...next, lastTransitionTime: next.lastTransitionTime ?? rfc3339(nowMs) });
    return out;
  }
  if (existing.status !== next.status) {
    existing.status = next.status;
    existing.lastTransitionTime = next.lastTransitionTime ?? rfc3339(nowMs);
  }
  existing.reason = next.reason;
  existing.message = next.message;
  if (next.observedGeneration !== undefined) existing.observedGeneration = next.observedGeneration;
  return out;
}

interface HealthMemory {
  /** The last observed Ready status. */
  status: ConditionStatus;
  /** When the observed status became this one. */
  sinceMs: number;
}

/**
 * Karmada's clusterConditionStore.thresholdAdjustedReadyCondition: a change between Ready and not Ready
 * only replaces the current condition once the observation has persisted for the threshold. With no
 * memory of a cluster (just joined, or this process just started), the memory starts from the stored
 * condition, so a restart does not skip the damping.
 */
export class ClusterConditionStore {
  private readonly memory = new Map<string, HealthMemory>();

  constructor(private readonly successThresholdMs: number, private readonly failureThresholdMs: number) {}

  thresholdAdjusted(name: string, current: Condition | undefined, observed: Condition, nowMs: number): Condition {
    let saved = this.memory.get(name);
    if (!current) {
      this.memory.set(name, { status: observed.status, sinceMs: nowMs });
      return observed;
    }
    if (!saved) {
      saved = { status: current.status, sinceMs: nowMs };
      this.memory.set(name, saved);
    }
    if (saved.status !== observed.status) {
      saved = { status: observed.status, sinceMs: nowMs };
      this.memory.set(name, saved);
    }
    const threshold = observed.status === 'True' ? this.successThresholdMs : this.failureThresholdMs;
    // Only Ready <-> not Ready is damped; False <-> Unknown is taken as observed.
    const crossing = (observed.status === 'True') !== (current.status === 'True');
    if (crossing && nowMs < saved.sinceMs + threshold) return current;
    return observed;
  }

  delete(name: string): void {
    this.memory.delete(name);
  }
}

/** Karmada's generateReadyCondition. */
export function generateReadyCondition(online: boolean, healthy: boolean): Condition {
  if (!online) return { type: CONDITION_READY, status: 'False', reason: REASON_CLUSTER_NOT_REACHABLE, message: MESSAGE_CLUSTER_NOT_REACHABLE };
  if (!healthy) return { type: CONDITION_READY, status: 'False', reason: REASON_CLUSTER_NOT_READY, message: MESSAGE_CLUSTER_UNHEALTHY };
  return { type: CONDITION_READY, status: 'True', reason: REASON_CLUSTER_READY, message: MESSAGE_CLUSTER_HEALTHY };
}

/**
 * The taints the Ready condition calls for (Karmada's taintClusterByCondition): not-ready:NoSchedule while
 * Ready=False, unreachable:NoSchedule while Ready=Unknown, neither while Ready=True. Other taints are kept;
 * an added taint gets timeAdded. Undefined when nothing changes.
 */
export function taintsForCondition(taints: Taint[], ready: Condition | undefined, nowMs: number): Taint[] | undefined {
  if (!ready) return undefined;
  const notReady = { key: TAINT_NOT_READY, effect: 'NoSchedule' };
  const unreachable = { key: TAINT_UNREACHABLE, effect: 'NoSchedule' };
  const add = ready.status === 'False' ? [notReady] : ready.status === 'Unknown' ? [unreachable] : [];
  const remove = ready.status === 'False' ? [unreachable] : ready.status === 'Unknown' ? [notReady] : [notReady, unreachable];
  const matches = (a: Taint, b: { key: string; effect: string }) => a.key === b.key && a.effect === b.effect;
  const toAdd = add.filter((t) => !taints.some((x) => matches(x, t)));
  const toRemove = remove.filter((t) => taints.some((x) => matches(x, t)));
  if (!toAdd.length && !toRemove.length) return undefined;
  return [
    ...taints.filter((x) => !toRemove.some((t) => matches(x, t))),
    ...toAdd.map((t) => ({ ...t, timeAdded: rfc3339(nowMs) })),
  ];
}

interface ApiCache {
  fetchedMs: number;
  apiEnablements: ApiEnablement[];
  complete: boolean;
}

/** Which clusters a status controller looks after, and how it reaches the control plane and the members. */
export interface ClusterStatusScope {
  api: ControlPlaneApi;
  /** probe: collect the member's health and status; lease: watch the agent's Lease (Pull, in the control plane). */
  duty(cluster: KObject): 'probe' | 'lease' | 'none';
  clientFor(cluster: KObject, cached: ClusterClient | undefined): Promise<ClusterClient>;
  /** Keep spec.taints in line with the Ready condition (the control plane's job, never an agent's). */
  manageTaints: boolean;
  /** Only the Cluster of this name (an agent's own). */
  only?: string;
}

/** Karmada's condition for a Pull cluster whose agent stopped renewing its Lease (cluster controller). */
export const REASON_CLUSTER_STATUS_UNKNOWN = 'ClusterStatusUnknown';
export const MESSAGE_CLUSTER_STATUS_UNKNOWN = 'Cluster status controller stopped posting cluster status.';
/** Karmada's --cluster-monitor-grace-period. */
export const DEFAULT_CLUSTER_MONITOR_GRACE_PERIOD_MS = 40_000;

/** The control plane's cluster status controller: probes Push clusters, watches the Leases of Pull clusters. */
export function clusterStatusController(objects: ObjectService, logger: Logger, options: ClusterStatusOptions = {}): Controller {
  return runClusterStatus({
    api: inProcessApi(objects),
    duty: (cluster) => (cluster.spec?.syncMode === 'Push' ? 'probe' : cluster.spec?.syncMode === 'Pull' ? 'lease' : 'none'),
    clientFor: (cluster, cached) => clusterClientFromSecret(objects, cluster, cached),
    manageTaints: true,
  }, logger, options);
}

export function runClusterStatus(scope: ClusterStatusScope, logger: Logger, options: ClusterStatusOptions): Controller {
  const { api } = scope;
  const graceMs = positive(options.clusterMonitorGracePeriodMs, DEFAULT_CLUSTER_MONITOR_GRACE_PERIOD_MS);
  const frequencyMs = positive(options.clusterStatusUpdateFrequencyMs, DEFAULT_CLUSTER_STATUS_UPDATE_FREQUENCY_MS);
  const apiRefreshMs = positive(options.apiEnablementsRefreshMs, 60_000);
  const conditionStore = new ClusterConditionStore(
    nonNegative(options.clusterSuccessThresholdMs, DEFAULT_CLUSTER_SUCCESS_THRESHOLD_MS),
    nonNegative(options.clusterFailureThresholdMs, DEFAULT_CLUSTER_FAILURE_THRESHOLD_MS));
  const log = logger.child({ controller: 'cluster-status' });
  const clients = new Map<string, ClusterClient>();
  const apis = new Map<string, ApiCache>();
  const generations = new Map<string, number>();
  const writes = new ShutdownWrites();
  let serving = false;
  let stopped = false;
  let watcher: { close(): void } | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const queue = new WorkQueue((name) => reconcile(name), {
    workers: positive(options.concurrency, 16),
    maxDelayMs: frequencyMs,
    onError: (key, err) => log.warn({ cluster: key, err: errorText(err) }, 'cluster status sync failed; retrying'),
  });

  const schedule = (name: string) => queue.resyncAfter(name, frequencyMs);

  function forget(name: string): void {
    queue.forget(name);
    clients.delete(name);
    apis.delete(name);
    generations.delete(name);
    conditionStore.delete(name);
  }

  async function reconcile(name: string): Promise<void> {
    if (stopped || !serving) return;
    const cluster = await api.get(CLUSTERS, undefined, name);
    const duty = cluster ? scope.duty(cluster) : 'none';
    if (!cluster || duty === 'none') {
      forget(name);
      return;
    }
    try {
      if (duty === 'probe') await syncClusterStatus(cluster);
      else await monitorLease(cluster);
    } finally {
      schedule(name);
    }
  }

  /** A Pull cluster's agent renews its Lease; one not renewed within the grace period makes Ready Unknown. */
  async function monitorLease(cluster: KObject): Promise<void> {
    const name: string = cluster.metadata.name;
    const lease = await api.get(LEASES, CLUSTER_LEASE_NAMESPACE, name);
    const renewed = Date.parse(lease?.spec?.renewTime ?? lease?.metadata?.creationTimestamp ?? cluster.metadata.creationTimestamp);
    if (!(Date.now() - renewed > graceMs)) {
      await ensureTaints(name);
      return;
    }
    const current = (cluster.status?.conditions ?? []).find((c: Condition) => c.type === CONDITION_READY);
    if (current?.status !== 'Unknown') log.info({ cluster: name }, 'the agent stopped renewing its lease; cluster Ready becomes Unknown');
    await updateStatusIfNeeded(cluster, {}, [{ type: CONDITION_READY, status: 'Unknown', reason: REASON_CLUSTER_STATUS_UNKNOWN, message: MESSAGE_CLUSTER_STATUS_UNKNOWN }]);
    await ensureTaints(name);
  }

  async function syncClusterStatus(cluster: KObject): Promise<void> {
    const name: string = cluster.metadata.name;
    const status: KObject = cluster.status ?? {};
    const conditions: Condition[] = status.conditions ?? [];
    const current = conditions.find((c) => c.type === CONDITION_READY);

    let client: MemberClient;
    let secretValues: string[] = [];
    try {
      ({ client, secrets: secretValues } = await clientFor(cluster));
    } catch (e) {
      if (!(e instanceof ClusterClientError)) throw e;
      // As upstream: a client that cannot be built sets Ready=False at once, without damping.
      const message = `failed to create a ClusterClient: ${e.message}`;
      if (current?.reason !== REASON_STATUS_COLLECTION_FAILED || current.message !== message) {
        log.warn({ cluster: name, reason: message }, 'cannot build a client for the member cluster');
      }
      const ready: Condition = { type: CONDITION_READY, status: 'False', reason: REASON_STATUS_COLLECTION_FAILED, message };
      await updateStatusIfNeeded(cluster, {}, [ready]);
      await ensureTaints(name);
      return;
    }

    let online = false;
    let healthy = false;
    try {
      const health = await client.health();
      online = true;
      healthy = health.healthy;
      if (!healthy) log.debug({ cluster: name, detail: scrub(health.message, secretValues) }, 'member cluster is not healthy');
    } catch (e) {
      log.debug({ cluster: name, detail: scrub(errorText(e), secretValues) }, 'member cluster is not reachable');
    }
    if (stopped) return;
    const observed = generateReadyCondition(online, healthy);
    const ready = conditionStore.thresholdAdjusted(name, current, observed, Date.now());
    if (ready.status !== current?.status) {
      log.info({ cluster: name, ready: ready.status, reason: ready.reason }, 'cluster Ready condition changes');
    }

    const extra: Condition[] = [];
    const collected: Collected = {};
    if (online && healthy && ready.status === 'True') {
      try {
        collected.kubernetesVersion = await client.version();
      } catch (e) {
        log.warn({ cluster: name, detail: scrub(errorText(e), secretValues) }, 'cannot read the Kubernetes version of the member');
      }
      try {
        collected.nodeSummary = await client.nodeSummary();
      } catch (e) {
        log.warn({ cluster: name, detail: scrub(errorText(e), secretValues) }, 'cannot read the nodes of the member');
      }
      try {
        collected.resourceSummary = await client.resourceSummary();
      } catch (e) {
        log.warn({ cluster: name, detail: scrub(errorText(e), secretValues) }, 'cannot read the nodes and pods of the member');
      }
      const cached = apis.get(name);
      const justReady = current?.status !== 'True';
      let api = cached;
      if (!cached || justReady || !status.apiEnablements || Date.now() - cached.fetchedMs >= apiRefreshMs) {
        try {
          const list = await client.apiEnablements();
          api = { fetchedMs: Date.now(), apiEnablements: list, complete: true };
        } catch (e) {
          log.warn({ cluster: name, detail: scrub(errorText(e), secretValues) }, 'cannot collect the API enablements of the member');
          api = { fetchedMs: Date.now(), apiEnablements: cached?.apiEnablements ?? [], complete: false };
        }
        apis.set(name, api);
      }
      collected.apiEnablements = api!.apiEnablements;
      if (!api!.apiEnablements.length) {
        extra.push({ type: CONDITION_COMPLETE_API_ENABLEMENTS, status: 'False', reason: 'Empty', message: 'collected empty APIEnablements from the cluster' });
      } else if (!api!.complete) {
        extra.push({ type: CONDITION_COMPLETE_API_ENABLEMENTS, status: 'False', reason: 'Partial',
          message: `might collect partial APIEnablements(${api!.apiEnablements.length}) from the cluster` });
      } else {
        extra.push({ type: CONDITION_COMPLETE_API_ENABLEMENTS, status: 'True', reason: 'Complete', message: 'collected complete APIEnablements from the cluster' });
      }
    }
    await updateStatusIfNeeded(cluster, collected, [...extra, ready]);
    await ensureTaints(name);
  }

  /** Writes the status through the status subresource, only when it differs from the stored one. */
  async function updateStatusIfNeeded(cluster: KObject,
    collected: Collected, conditions: Condition[]): Promise<void> {
    const apply = (status: KObject | undefined): KObject => {
      const next: KObject = { ...(status ?? {}) };
      if (collected.kubernetesVersion !== undefined) next.kubernetesVersion = collected.kubernetesVersion;
      if (collected.apiEnablements !== undefined) next.apiEnablements = collected.apiEnablements;
      if (collected.nodeSummary !== undefined) next.nodeSummary = collected.nodeSummary;
      if (collected.resourceSummary !== undefined) next.resourceSummary = collected.resourceSummary;
      const now = Date.now();
      let list: Condition[] = next.conditions ?? [];
      for (const c of conditions) list = setStatusCondition(list, c, now);
      next.conditions = list;
      return next;
    };
    if (stableJson(apply(cluster.status)) === stableJson(cluster.status ?? {})) return;
    await writes.run(() => api.modify(CLUSTERS, undefined, cluster.metadata.name,
      (current) => ({ ...current, status: apply(current.status) }), 'status')).catch(ignoreNotFound);
  }

  /** Brings spec.taints in line with the stored Ready condition (a spec update). */
  async function ensureTaints(name: string): Promise<void> {
    if (stopped || !scope.manageTaints) return;
    const cluster = await api.get(CLUSTERS, undefined, name);
    if (!cluster) return;
    const ready = (cluster.status?.conditions ?? []).find((c: Condition) => c.type === CONDITION_READY);
    if (!taintsForCondition(cluster.spec?.taints ?? [], ready, Date.now())) return;
    await writes.run(() => api.modify(CLUSTERS, undefined, name, (current) => {
      const currentReady = (current.status?.conditions ?? []).find((c: Condition) => c.type === CONDITION_READY);
      const taints = taintsForCondition(current.spec?.taints ?? [], currentReady, Date.now());
      if (!taints) return current;
      log.info({ cluster: name, taints: taints.map((t) => `${t.key}:${t.effect}`) }, 'cluster taints change');
      return { ...current, spec: { ...current.spec, taints } };
    })).catch(ignoreNotFound);
  }

  /** The member client of a cluster (rebuilt when its credentials change). */
  async function clientFor(cluster: KObject): Promise<ClusterClient> {
    const name: string = cluster.metadata.name;
    const entry = await scope.clientFor(cluster, clients.get(name));
    clients.set(name, entry);
    return entry;
  }

  function start(): void {
    whenApiServes(api, [CLUSTERS], () => stopped, () => {
      serving = true;
      watch();
    });
  }

  function watch(): void {
    generations.clear();
    watcher = api.watch(CLUSTERS, { name: scope.only }, (event) => {
      const name: string = event.object.metadata.name;
      const generation: number = event.object.metadata.generation ?? 0;
      // Status writes (ours included) do not trigger a probe; new clusters, spec changes and deletions do.
      if (event.type === 'MODIFIED' && generations.get(name) === generation) return;
      if (event.type === 'DELETED') generations.delete(name);
      else generations.set(name, generation);
      queue.add(name);
    }, () => {
      if (stopped) return;
      retryTimer = setTimeout(start, 1000);
      retryTimer.unref();
    });
  }
  start();

  return {
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      watcher?.close();
      queue.stop();
      // Probes in flight are left to finish on their own (they write nothing once stopped); writes are awaited.
      await writes.close();
    },
  };
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** Removes any credential text from a message. */
function scrub(message: string, sensitive: string[]): string {
  let out = message;
  for (const s of sensitive) if (s) out = out.split(s).join('[redacted]');
  return out;
}

/** JSON with object keys sorted, for comparing statuses. */