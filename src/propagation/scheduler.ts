// Karmada's scheduling algorithm (pkg/scheduler) as one pure function: from a placement, the Clusters as they are
// and the binding's previous result, the target clusters and their replicas. The steps are upstream's: the filter
// plugins (ClusterAffinity, TaintToleration, APIEnablement, SpreadConstraint), the ClusterLocality score, the
// selection by spread constraints (core/spreadconstraint), and the replica assignment (Duplicated, static weights,
// dynamic weights, Aggregated) against the general estimator's reading of each Cluster's resourceSummary. Error
// texts are upstream's. Where upstream breaks a tie at random, or by map order, the cluster name decides.
import type { KObject } from '../registry/objects.ts';
import { clusterMatches, type ClusterAffinity } from './match.ts';
import { parseQuantity, quantityMilliValue, quantityValue, type Quantity } from './quantity.ts';

export interface TargetCluster {
  name: string;
  replicas?: number;
}

export interface ScheduleInput {
  /** A PropagationPolicy's spec.placement as stored. */
  placement: KObject;
  /** Every cluster.karmada.io/v1alpha1 Cluster. */
  clusters: KObject[];
  /** The resource template's apiVersion and kind, for the APIEnablement filter (skipped when absent). */
  gvk?: { apiVersion: string; kind: string };
  /** The template's replicas; 0 for resources that are not workloads. */
  replicas: number;
  /** What one replica requests: { resourceRequest: { cpu: '100m', ... } }. */
  replicaRequirements?: KObject;
  /** The binding's current spec.clusters. */
  previous?: TargetCluster[];
  /** The binding's status.schedulerObservedAffinityName. */
  previousAffinityName?: string;
}

export interface ScheduleResult {
  /** Sorted by name. */
  clusters: TargetCluster[];
  /** The name of the clusterAffinities term the result came from. */
  affinityName?: string;
}

export class ScheduleError extends Error {}

const MAX_INT32 = 2 ** 31 - 1;
/** ClusterLocality's score for a cluster the workload is already on. */
const MAX_CLUSTER_SCORE = 100;
/** spreadconstraint's InvalidReplicas: clusters are selected without regard to their room. */
const ANY_REPLICAS = -1;

/** A cluster that passed the filters. */
interface Candidate {
  cluster: KObject;
  name: string;
  score: number;
  /** The replicas the estimator says still fit. */
  free: number;
  /** free plus the replicas the previous result gave the cluster. */
  available: number;
}

interface SpreadConstraint {
  spreadByField: string;
  minGroups: number;
  maxGroups: number;
}

interface Share {
  name: string;
  replicas: number;
}

export function schedule(input: ScheduleInput): ScheduleResult {
  const terms: KObject[] = input.placement.clusterAffinities ?? [];
  if (!terms.length) return { clusters: scheduleWith(input, input.placement.clusterAffinity) };
  // The terms are tried in order, from the one the previous result came from (the first when it is gone).
  const start = Math.max(0, terms.findIndex((term) => term.affinityName === input.previousAffinityName));
  let first: ScheduleError | undefined;
  for (const term of terms.slice(start)) {
    try {
      return { clusters: scheduleWith(input, term), affinityName: term.affinityName };
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
      first ??= e;
    }
  }
  throw first;
}

/** One scheduling cycle under one cluster affinity (upstream's genericScheduler.Schedule). */
function scheduleWith(input: ScheduleInput, affinity: ClusterAffinity | undefined): TargetCluster[] {
  const previous = input.previous ?? [];
  const assignedTo = new Map(previous.map((t) => [t.name, t.replicas ?? 0]));
  const constraints = spreadConstraints(input.placement);
  const feasible: KObject[] = [];
  const reasons: string[] = [];
  for (const cluster of input.clusters) {
    if (cluster.metadata?.deletionTimestamp) continue;
    const reason = unfitReason(cluster, input, affinity, constraints, assignedTo.has(cluster.metadata?.name));
    if (reason) reasons.push(reason);
    else feasible.push(cluster);
  }
  if (!feasible.length) throw fitError(input.clusters.length, reasons);

  const holdsReplicas = previous.some((t) => (t.replicas ?? 0) > 0);
  const candidates = feasible.map((cluster): Candidate => {
    const name: string = cluster.metadata.name;
    const free = freeReplicas(cluster, input);
    const score = holdsReplicas && assignedTo.has(name) ? MAX_CLUSTER_SCORE : 0;
    return { cluster, name, score, free, available: free + (assignedTo.get(name) ?? 0) };
  }).sort(byScoreThenAvailable);
  const selected = step('failed to select clusters', () => selectClusters(candidates, input, constraints));
  const assigned = step('failed to assign replicas', () => assignReplicas(selected, input));
  return assigned.sort((a, b) => compare(a.name, b.name));
}

/** Why a cluster does not fit, from the first filter that rejects it; undefined when it fits. */
function unfitReason(cluster: KObject, input: ScheduleInput, affinity: ClusterAffinity | undefined,
  constraints: SpreadConstraint[], inPreviousResult: boolean): string | undefined {
  if (affinity && !clusterMatches(cluster, affinity)) return 'cluster(s) did not match the placement cluster affinity constraint';
  // As upstream, a cluster of the previous result is not dropped for a taint (eviction is the taint manager's
  // business) nor for an API it no longer reports.
  if (!inPreviousResult) {
    const taint = untoleratedTaint(cluster.spec?.taints ?? [], input.placement.clusterTolerations ?? []);
    if (taint) return `cluster(s) had untolerated taint {${taintText(taint)}}`;
    if (input.gvk && !apiEnabled(cluster, input.gvk)) return 'cluster(s) did not have the API resource';
  }
  const spec = cluster.spec ?? {};
  for (const { spreadByField } of constraints) {
    if (spreadByField === 'provider' && !spec.provider) return "cluster(s) didn't have provider property";
    if (spreadByField === 'region' && !spec.region) return "cluster(s) didn't have region property";
    if (spreadByField === 'zone' && !spec.zone && !spec.zones?.length) return "cluster(s) didn't have zone property";
  }
  return undefined;
}

/** The first NoSchedule or NoExecute taint no toleration tolerates (FindMatchingUntoleratedTaint). */
function untoleratedTaint(taints: KObject[], tolerations: KObject[]): KObject | undefined {
  return taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute')
    && !tolerations.some((tol) => tolerates(tol, t)));
}

/** Whether a toleration tolerates a taint (v1.Toleration.ToleratesTaint). */
export function tolerates(toleration: KObject, taint: KObject): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal': return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists': return true;
    default: return false;
  }
}

/** Taint.ToString: key[=value]:effect. */
function taintText(taint: KObject): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
}

function apiEnabled(cluster: KObject, gvk: { apiVersion: string; kind: string }): boolean {
  return (cluster.status?.apiEnablements ?? []).some((api: KObject) => api.groupVersion === gvk.apiVersion
    && (api.resources ?? []).some((r: KObject) => r.kind === gvk.kind));
}

/** Upstream's FitError: each rejected cluster counts once, under the reason its first failing filter gave. */
function fitError(total: number, reasons: string[]): ScheduleError {
  if (total === 0 || !reasons.length) return new ScheduleError(`0/${total} clusters are available: no cluster exists.`);
  const counts = new Map<string, number>();
  for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  const histogram = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
  return new ScheduleError(`0/${total} clusters are available: ${histogram.join(', ')}.`);
}

/** Duplicated without replicaScheduling; a replicaScheduling without a type divides. */
function replicaSchedulingType(placement: KObject): string {
  const strategy = placement.replicaScheduling;
  return strategy ? strategy.replicaSchedulingType || 'Divided' : 'Duplicated';
}

function divisionPreference(placement: KObject): string {
  return placement.replicaScheduling?.replicaDivisionPreference || 'Weighted';
}

/** A constraint with neither field nor label spreads by cluster; minGroups defaults to 1. */
function spreadConstraints(placement: KObject): SpreadConstraint[] {
  return (placement.spreadConstraints ?? []).map((c: KObject) => ({
    spreadByField: c.spreadByField || (c.spreadByLabel ? '' : 'cluster'),
    minGroups: c.minGroups || 1,
    maxGroups: c.maxGroups ?? 0,
  }));
}

/** The replicas that still fit in a cluster, as the scheduler's calAvailableReplicas sees them. */
function freeReplicas(cluster: KObject, input: ScheduleInput): number {
  if (input.replicas === 0) return MAX_INT32;
  const estimate = maxAvailableReplicas(cluster, input.replicaRequirements);
  return estimate >= MAX_INT32 ? input.replicas : estimate;
}

/**
 * The general estimator: the pods a cluster's resourceSummary still allows (allocatable - allocated - allocating),
 * lowered by each requested resource's room for one replica's request; 0 without a resourceSummary.
 */
function maxAvailableReplicas(cluster: KObject, requirements: KObject | undefined): number {
  const summary: KObject | undefined = cluster.status?.resourceSummary;
  if (!summary) return 0;
  const remaining = (name: string): Quantity | undefined => {
    const allocatable = parseQuantity(summary.allocatable?.[name]);
    if (!allocatable) return undefined;
    let nanos = allocatable.nanos;
    for (const list of ['allocated', 'allocating']) nanos -= parseQuantity(summary[list]?.[name])?.nanos ?? 0n;
    return { ...allocatable, nanos };
  };
  const pods = remaining('pods');
  let max = pods ? quantityValue(pods) : 0n;
  if (max <= 0n) return 0;
  for (const [name, text] of Object.entries(requirements?.resourceRequest ?? {})) {
    const request = parseQuantity(text);
    if (!request || quantityValue(request) <= 0n) continue;
    const free = remaining(name);
    if (!free || quantityValue(free) <= 0n) return 0;
    const fits = name === 'cpu'
      ? quantityMilliValue(free) / quantityMilliValue(request)
      : quantityValue(free) / quantityValue(request);
    if (fits < max) max = fits;
  }
  return max >= BigInt(MAX_INT32) ? MAX_INT32 : Number(max);
}

function selectClusters(candidates: Candidate[], input: ScheduleInput, constraints: SpreadConstraint[]): Candidate[] {
  if (!constraints.length || staticallyWeighted(input.placement)) return candidates;
  const needReplicas = replicaSchedulingType(input.placement) === 'Duplicated' ? ANY_REPLICAS : input.replicas;
  const byField = new Map(constraints.map((c) => [c.spreadByField, c]));
  const region = byField.get('region');
  const cluster = byField.get('cluster');
  if (region) return selectByRegion(candidates, region, cluster, input);
  if (cluster) return selectByCluster(candidates, cluster, needReplicas);
  throw new ScheduleError('just support cluster and region spread constraint');
}

/** Static weights decide alone: spread constraints are then ignored. */
function staticallyWeighted(placement: KObject): boolean {
  const preference = placement.replicaScheduling?.weightPreference;
  return replicaSchedulingType(placement) === 'Divided' && divisionPreference(placement) === 'Weighted'
    && (!preference || (preference.staticWeightList?.length > 0 && !preference.dynamicWeight));
}

function selectByCluster(candidates: Candidate[], constraint: SpreadConstraint, needReplicas: number): Candidate[] {
  if (candidates.length < constraint.minGroups) {
    throw new ScheduleError('the number of feasible clusters is less than spreadConstraint.MinGroups');
  }
  const count = Math.max(0, Math.min(constraint.maxGroups, candidates.length));
  if (needReplicas === ANY_REPLICAS) return candidates.slice(0, count);
  const chosen = candidates.slice(0, count);
  const rest = candidates.slice(count);
  const enough = () => chosen.reduce((n, c) => n + c.available, 0) >= needReplicas;
  // Short of room, the lowest-ranked chosen clusters are swapped, one by one, for roomier ones of the rest.
  for (let i = chosen.length - 1; i >= 0 && !enough(); i--) {
    let best = -1;
    for (let j = 0; j < rest.length; j++) {
      if (rest[j].available > (best < 0 ? chosen[i].available : rest[best].available)) best = j;
    }
    if (best >= 0) [chosen[i], rest[best]] = [rest[best], chosen[i]];
  }
  if (!enough()) throw new ScheduleError(`no enough resource when selecting ${count} clusters`);
  return chosen;
}

function selectByRegion(candidates: Candidate[], region: SpreadConstraint, cluster: SpreadConstraint | undefined,
  input: ScheduleInput): Candidate[] {
  const regions = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const name: string | undefined = c.cluster.spec?.region;
    if (name) regions.set(name, [...(regions.get(name) ?? []), c]);
  }
  if (regions.size < region.minGroups) {
    throw new ScheduleError('the number of feasible region is less than spreadConstraint.MinGroups');
  }
  const clusterMinGroups = cluster?.minGroups ?? 0;
  const groups = [...regions].map(([name, members]) => ({
    name, value: members.length, weight: groupScore(members, input, region.minGroups, clusterMinGroups),
  }));
  const chosen = selectGroups(groups, region.minGroups, region.maxGroups, clusterMinGroups);
  if (!chosen.length) throw new ScheduleError('the number of clusters is less than the cluster spreadConstraint.MinGroups');
  // The best cluster of each chosen region, then the best of their other clusters up to the cluster maxGroups.
  const firsts = chosen.map((g) => regions.get(g.name)![0]);
  const others = chosen.flatMap((g) => regions.get(g.name)!.slice(1)).sort(byScoreThenAvailable);
  const count = Math.min(firsts.length + others.length, cluster?.maxGroups ?? 0);
  return [...firsts, ...others.slice(0, Math.max(0, count - firsts.length))];
}

/**
 * A group's score (calcGroupScore): first how many replicas it can take (in thousands), then its clusters'
 * average score. Duplicated counts the clusters with room for every replica; Divided sums room over the best
 * clusters until the group's share of the replicas and the cluster minGroups are reached.
 */
function groupScore(members: Candidate[], input: ScheduleInput, minGroups: number, clusterMinGroups: number): number {
  const unit = 1000;
  if (replicaSchedulingType(input.placement) === 'Duplicated') {
    const valid = members.filter((c) => c.available >= input.replicas);
    // Upstream divides by zero here; a group without a fitting cluster simply scores 0.
    if (!valid.length) return 0;
    return valid.length * unit + Math.trunc(valid.reduce((n, c) => n + c.score, 0) / valid.length);
  }
  const target = Math.ceil(input.replicas / Math.max(1, minGroups));
  const needed = Math.max(clusterMinGroups, minGroups);
  let room = 0;
  let score = 0;
  let counted = 0;
  for (const c of members) {
    room += c.available;
    score += c.score;
    counted++;
    if (counted >= needed && room >= target) break;
  }
  if (room < target) return room * unit + Math.trunc(score / members.length);
  return target * unit + Math.trunc(score / counted);
}

interface Group {
  name: string;
  /** How many clusters the group has. */
  value: number;
  weight: number;
}

/**
 * Upstream's selectGroups: every combination of minGroups..maxGroups groups (smallest first, depth first) that
 * reaches the target cluster count; the heaviest wins (then the one with more clusters, then the first found),
 * unless a shorter combination is its prefix.
 */
function selectGroups(groups: Group[], minGroups: number, maxGroups: number, target: number): Group[] {
  const ordered = [...groups].sort((a, b) => a.value - b.value || b.weight - a.weight || compare(a.name, b.name));
  const paths: Array<{ groups: Group[]; weight: number; value: number; id: number }> = [];
  const path: Group[] = [];
  const visit = (sum: number, begin: number): void => {
    if (sum >= target && path.length >= minGroups && path.length <= maxGroups) {
      paths.push({
        groups: [...path].sort((a, b) => b.weight - a.weight || compare(a.name, b.name)),
        weight: path.reduce((n, g) => n + g.weight, 0),
        value: path.reduce((n, g) => n + g.value, 0),
        id: paths.length + 1,
      });
      return;
    }
    if (path.length >= maxGroups) return;
    for (let i = begin; i < ordered.length; i++) {
      path.push(ordered[i]);
      visit(sum + ordered[i].value, i + 1);
      path.pop();
    }
  };
  visit(0, 0);
  if (!paths.length) return [];
  paths.sort((a, b) => b.weight - a.weight || b.value - a.value || a.id - b.id);
  let best = paths[0];
  for (const p of paths.slice(1)) {
    if (p.groups.length < best.groups.length && p.groups.every((g, i) => g.name === best.groups[i].name)) best = p;
  }
  return best.groups;
}

function assignReplicas(selected: Candidate[], input: ScheduleInput): TargetCluster[] {
  if (!selected.length) throw new ScheduleError('no clusters available to schedule');
  if (input.replicas <= 0) return selected.map((c) => ({ name: c.name }));
  const { placement } = input;
  const type = replicaSchedulingType(placement);
  const preference = divisionPreference(placement);
  let result: Share[];
  if (type === 'Duplicated') {
    result = selected.map((c) => ({ name: c.name, replicas: input.replicas }));
  } else if (type === 'Divided' && preference === 'Weighted' && !placement.replicaScheduling.weightPreference?.dynamicWeight) {
    result = byStaticWeight(selected, input);
  } else if (type === 'Divided' && (preference === 'Weighted' || preference === 'Aggregated')) {
    result = byAvailableReplicas(selected, input, preference === 'Aggregated');
  } else {
    throw new ScheduleError(`unsupported replica scheduling strategy, replicaSchedulingType: ${type}, `
      + `replicaDivisionPreference: ${preference}, please try another scheduling strategy`);
  }
  return result.filter((t) => t.replicas > 0);
}

/**
 * Divided by staticWeightList: a cluster weighs the most of the weights whose targetCluster it matches, and a
 * cluster no entry matches gets nothing; without a weight preference, or when no cluster is matched, all weigh 1.
 */
function byStaticWeight(selected: Candidate[], input: ScheduleInput): Share[] {
  const preference = input.placement.replicaScheduling.weightPreference;
  const last = (name: string) => input.previous?.find((t) => t.name === name)?.replicas ?? 0;
  let weights = selected.map(({ cluster, name }) => ({
    name,
    last: last(name),
    weight: !preference ? 1 : Math.max(0, ...(preference.staticWeightList ?? [])
      .filter((rule: KObject) => clusterMatches(cluster, rule.targetCluster ?? {}))
      .map((rule: KObject) => Math.trunc(Number(rule.weight) || 0))),
  })).filter((w) => w.weight > 0);
  if (!weights.length) weights = selected.map(({ name }) => ({ name, weight: 1, last: 0 }));
  return dispense(input.replicas, weights, []);
}

/**
 * Divided by available replicas (dynamicWeight, Aggregated), steadily: the previous result on the clusters still
 * selected is kept; replicas added are divided by the clusters' free room, replicas removed in proportion to
 * what each cluster has.
 */
function byAvailableReplicas(selected: Candidate[], input: ScheduleInput, aggregated: boolean): Share[] {
  const names = new Set(selected.map((c) => c.name));
  const scheduled = (input.previous ?? []).filter((t) => names.has(t.name))
    .map((t) => ({ name: t.name, replicas: t.replicas ?? 0 }));
  const assigned = total(scheduled);
  if (assigned > input.replicas) {
    return step('failed to scale down', () => divideByRoom(input.replicas, scheduled, [], aggregated));
  }
  if (assigned < input.replicas) {
    const room = selected.map((c) => ({ name: c.name, replicas: c.free }));
    return step('failed to scale up', () => divideByRoom(input.replicas - assigned, room, scheduled, aggregated));
  }
  return scheduled;
}

/** Divides target replicas in proportion to room; Aggregated first keeps only as few clusters as have room enough. */
function divideByRoom(target: number, room: Share[], scheduled: Share[], aggregated: boolean): Share[] {
  let pool = [...room].sort((a, b) => b.replicas - a.replicas || compare(a.name, b.name));
  const sum = total(pool);
  if (sum < target) throw new ScheduleError(`Clusters available replicas ${sum} are not enough to schedule.`);
  if (aggregated) {
    // Clusters that already have replicas come first, so a scale-up stays where the workload is.
    const prior = new Set(scheduled.filter((t) => t.replicas > 0).map((t) => t.name));
    pool = [...pool.filter((t) => prior.has(t.name)), ...pool.filter((t) => !prior.has(t.name))];
    let acc = 0;
    pool = pool.slice(0, pool.findIndex((t) => (acc += t.replicas) >= target) + 1);
  }
  const last = (name: string) => scheduled.find((t) => t.name === name)?.replicas ?? 0;
  return dispense(target, pool.map((t) => ({ name: t.name, weight: t.replicas, last: last(t.name) })), scheduled);
}

/**
 * Upstream's Dispenser.TakeByWeight: each cluster gets its share rounded down, the remainder goes one by one in
 * order of weight, then of replicas in the previous result (then name); the result is added to init.
 */
function dispense(replicas: number, weights: Array<{ name: string; weight: number; last: number }>, init: Share[]): Share[] {
  const sum = weights.reduce((n, w) => n + BigInt(w.weight), 0n);
  if (sum === 0n) return init;
  const ordered = [...weights].sort((a, b) => b.weight - a.weight || b.last - a.last || compare(a.name, b.name));
  const shares = ordered.map((w) => ({ name: w.name, replicas: Number(BigInt(w.weight) * BigInt(replicas) / sum) }));
  let remain = replicas - total(shares);
  for (const share of shares) {
    if (remain <= 0) break;
    share.replicas++;
    remain--;
  }
  const merged = new Map(init.map((t) => [t.name, t.replicas]));
  for (const share of shares) merged.set(share.name, (merged.get(share.name) ?? 0) + share.replicas);
  return [...merged].map(([name, n]) => ({ name, replicas: n }));
}

/** Upstream's SpreadReplicasByTargetClusters: n divided over the clusters, weighted by their replicas. */
export function spreadByTargetClusters(n: number, targets: TargetCluster[]): Map<string, number> {
  const shares = dispense(n, targets.map((t) => ({ name: t.name, weight: t.replicas ?? 0, last: 0 })), []);
  return new Map(shares.map((s) => [s.name, s.replicas]));
}

/** Runs one step of the cycle, prefixing its failure as upstream wraps it. */
function step<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof ScheduleError) throw new ScheduleError(`${what}: ${e.message}`);
    throw e;
  }
}

function byScoreThenAvailable(a: Candidate, b: Candidate): number {
  return b.score - a.score || b.available - a.available || compare(a.name, b.name);
}

function total(shares: Share[]): number {
  return shares.reduce((n, t) => n + t.replicas, 0);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
