import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../registry/objects.ts';
import { schedule, ScheduleError, type ScheduleInput, type TargetCluster } from './scheduler.ts';

interface ClusterOptions {
  labels?: Record<string, string>;
  provider?: string;
  region?: string;
  zone?: string;
  zones?: string[];
  taints?: KObject[];
  apis?: KObject[];
  /** status.resourceSummary, or a pod count standing for { allocatable: { pods } }. */
  room?: KObject | number;
  deleting?: boolean;
}

function cluster(name: string, o: ClusterOptions = {}): KObject {
  const spec: KObject = { syncMode: 'Push' };
  for (const key of ['provider', 'region', 'zone', 'zones', 'taints'] as const) if (o[key] !== undefined) spec[key] = o[key];
  const status: KObject = {};
  if (o.apis) status.apiEnablements = o.apis;
  if (typeof o.room === 'number') status.resourceSummary = { allocatable: { pods: String(o.room) } };
  else if (o.room) status.resourceSummary = o.room;
  const metadata: KObject = { name, labels: o.labels ?? {} };
  if (o.deleting) metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  return { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata, spec, status };
}

function run(input: Partial<ScheduleInput> & { clusters: KObject[] }): TargetCluster[] {
  return schedule({ placement: {}, replicas: 0, ...input }).clusters;
}

function failure(input: Partial<ScheduleInput> & { clusters: KObject[] }): string {
  try {
    schedule({ placement: {}, replicas: 0, ...input });
  } catch (e) {
    assert.ok(e instanceof ScheduleError, String(e));
    return e.message;
  }
  assert.fail('scheduling succeeded');
}

const three = () => [cluster('c'), cluster('a'), cluster('b')];
/** { a: 3, b: 6 } → the target clusters a with 3 replicas and b with 6. */
const split = (replicas: Record<string, number>) => Object.entries(replicas).map(([name, n]) => ({ name, replicas: n }));
const names = (targets: TargetCluster[]) => targets.map((t) => t.name);
const divided = (preference: string, weightPreference?: KObject) => ({
  replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: preference, weightPreference },
});
const byCluster = (maxGroups: number, minGroups = 1) => ({ spreadByField: 'cluster', maxGroups, minGroups });
const dynamic = divided('Weighted', { dynamicWeight: 'AvailableReplicas' });
const staticWeights = (...list: Array<[string[], number]>) =>
  divided('Weighted', { staticWeightList: list.map(([clusterNames, weight]) => ({ targetCluster: { clusterNames }, weight })) });

describe('scheduling without constraints', () => {
  it('duplicates the replicas to every cluster, sorted by name', () => {
    assert.deepEqual(run({ clusters: three(), replicas: 3 }), split({ a: 3, b: 3, c: 3 }));
    const duplicated = { replicaScheduling: { replicaSchedulingType: 'Duplicated' } };
    assert.deepEqual(run({ clusters: three(), replicas: 2, placement: duplicated }), split({ a: 2, b: 2, c: 2 }));
  });

  it('gives resources that are not workloads no replicas field, whatever the strategy', () => {
    assert.deepEqual(run({ clusters: three() }), [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    assert.deepEqual(run({ clusters: three(), placement: dynamic }), [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
  });

  it('skips clusters being deleted, which still count in the total', () => {
    assert.deepEqual(names(run({ clusters: [cluster('a'), cluster('b', { deleting: true })] })), ['a']);
    assert.equal(failure({ clusters: [cluster('a', { deleting: true }), cluster('b', { deleting: true })] }),
      '0/2 clusters are available: no cluster exists.');
    assert.equal(failure({ clusters: [] }), '0/0 clusters are available: no cluster exists.');
  });
});

describe('the ClusterAffinity filter', () => {
  it('keeps the clusters the affinity matches', () => {
    const env = (name: string, value: string) => cluster(name, { labels: { env: value } });
    const clusters = [env('a', 'prod'), env('b', 'dev'), env('c', 'prod')];
    assert.deepEqual(names(run({ clusters, placement: { clusterAffinity: { clusterNames: ['a', 'b'] } } })), ['a', 'b']);
    const prod = { clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } } };
    assert.deepEqual(names(run({ clusters, placement: prod })), ['a', 'c']);
    assert.deepEqual(names(run({ clusters, placement: { clusterAffinity: { exclude: ['a'] } } })), ['b', 'c']);
    assert.deepEqual(names(run({ clusters, placement: { clusterAffinity: {} } })), ['a', 'b', 'c']);
  });

  it('reports the clusters it rejects', () => {
    assert.equal(failure({ clusters: three(), placement: { clusterAffinity: { clusterNames: ['x'] } } }),
      '0/3 clusters are available: 3 cluster(s) did not match the placement cluster affinity constraint.');
  });
});

describe('the TaintToleration filter', () => {
  const taint = (key: string, effect: string, value?: string) => ({ key, effect, ...(value ? { value } : {}) });
  const tainted = (...taints: KObject[]) => [cluster('a'), cluster('b', { taints })];
  const tolerated = (taints: KObject[], clusterTolerations: KObject[]) =>
    names(run({ clusters: tainted(...taints), placement: { clusterTolerations } })).includes('b');

  it('keeps clusters out over NoSchedule and NoExecute taints, not over PreferNoSchedule', () => {
    assert.deepEqual(names(run({ clusters: tainted(taint('k', 'NoSchedule')) })), ['a']);
    assert.deepEqual(names(run({ clusters: tainted(taint('k', 'NoExecute')) })), ['a']);
    assert.deepEqual(names(run({ clusters: tainted(taint('k', 'PreferNoSchedule')) })), ['a', 'b']);
  });

  it('matches tolerations as Kubernetes does', () => {
    const t = taint('dedicated', 'NoSchedule', 'gpu');
    assert.equal(tolerated([t], [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }]), true);
    assert.equal(tolerated([t], [{ key: 'dedicated', value: 'gpu' }]), true, 'no operator is Equal; no effect is any');
    assert.equal(tolerated([t], [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }]), false);
    assert.equal(tolerated([t], [{ key: 'dedicated', operator: 'Exists' }]), true);
    assert.equal(tolerated([t], [{ key: 'other', operator: 'Exists' }]), false);
    assert.equal(tolerated([t], [{ operator: 'Exists' }]), true, 'an empty key with Exists tolerates everything');
    assert.equal(tolerated([t], [{ operator: 'Exists', effect: 'NoExecute' }]), false);
    assert.equal(tolerated([t], [{ key: 'dedicated', operator: 'Lt', value: 'gpu' }]), false);
    assert.equal(tolerated([taint('k', 'NoSchedule')], [{ key: 'k', operator: 'Equal' }]), true, 'no value equals no value');
    const two = [t, taint('k', 'NoExecute')];
    assert.equal(tolerated(two, [{ key: 'dedicated', operator: 'Exists' }]), false, 'every taint needs a toleration');
  });

  it('names the first untolerated taint', () => {
    assert.equal(failure({ clusters: [cluster('a', { taints: [taint('cluster.karmada.io/not-ready', 'NoSchedule')] })] }),
      '0/1 clusters are available: 1 cluster(s) had untolerated taint {cluster.karmada.io/not-ready:NoSchedule}.');
    assert.equal(failure({
      clusters: [cluster('a', {
        taints: [taint('soft', 'PreferNoSchedule'), taint('dedicated', 'NoExecute', 'gpu'), taint('k', 'NoSchedule')],
      })],
    }), '0/1 clusters are available: 1 cluster(s) had untolerated taint {dedicated=gpu:NoExecute}.');
  });

  it('does not drop a cluster of the previous result', () => {
    const clusters = tainted(taint('k', 'NoExecute'));
    assert.deepEqual(run({ clusters, replicas: 1, previous: split({ b: 1 }) }), split({ a: 1, b: 1 }));
  });
});

describe('the APIEnablement filter', () => {
  const apps = [{ groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment' }] }];
  const noDeployments = [{ groupVersion: 'apps/v1', resources: [] }];
  const clusters = () => [cluster('a', { apis: apps }), cluster('b', { apis: noDeployments }), cluster('c')];
  const gvk = { apiVersion: 'apps/v1', kind: 'Deployment' };

  it('keeps the clusters that serve the kind', () => {
    assert.deepEqual(names(run({ clusters: clusters(), gvk })), ['a']);
    assert.equal(failure({ clusters: clusters(), gvk: { apiVersion: 'apps/v2', kind: 'Deployment' } }),
      '0/3 clusters are available: 3 cluster(s) did not have the API resource.');
  });

  it('is skipped without a kind, and does not drop a cluster of the previous result', () => {
    assert.deepEqual(names(run({ clusters: clusters() })), ['a', 'b', 'c']);
    assert.deepEqual(names(run({ clusters: clusters(), gvk, previous: [{ name: 'c' }] })), ['a', 'c']);
  });
});

describe('filters combined', () => {
  it('counts each rejected cluster once, under its first failing filter, in sorted order', () => {
    const notReady = [{ key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' }];
    const clusters = [cluster('a', { taints: notReady }), cluster('b', { taints: notReady }), cluster('c'), cluster('d')];
    assert.equal(failure({ clusters: clusters.slice(1), placement: { clusterAffinity: { clusterNames: ['a', 'b'] } } }),
      '0/3 clusters are available: 1 cluster(s) had untolerated taint {cluster.karmada.io/not-ready:NoSchedule}, '
      + '2 cluster(s) did not match the placement cluster affinity constraint.');
    const gvk = { apiVersion: 'v1', kind: 'Pod' };
    assert.equal(failure({ clusters, placement: { clusterAffinity: { exclude: ['a', 'c'] } }, gvk }),
      '0/4 clusters are available: 1 cluster(s) did not have the API resource, '
      + '1 cluster(s) had untolerated taint {cluster.karmada.io/not-ready:NoSchedule}, '
      + '2 cluster(s) did not match the placement cluster affinity constraint.');
  });

  it('schedules to what passes every filter', () => {
    const apis = [{ groupVersion: 'v1', resources: [{ name: 'configmaps', kind: 'ConfigMap' }] }];
    const clusters = [
      cluster('a', { apis, labels: { env: 'prod' } }),
      cluster('b', { apis, labels: { env: 'prod' }, taints: [{ key: 'k', effect: 'NoSchedule' }] }),
      cluster('c', { labels: { env: 'prod' } }),
      cluster('d', { apis, labels: { env: 'dev' } }),
      cluster('e', { apis, labels: { env: 'prod' }, taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }),
    ];
    const placement = {
      clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } }, clusterTolerations: [{ key: 'k', value: 'v' }],
    };
    assert.deepEqual(names(run({ clusters, placement, gvk: { apiVersion: 'v1', kind: 'ConfigMap' } })), ['a', 'e']);
  });
});

describe('clusterAffinities', () => {
  const clusters = () => [cluster('a', { labels: { tier: 'primary' } }), cluster('b', { labels: { tier: 'backup' } })];
  const terms = [
    { affinityName: 'primary', labelSelector: { matchLabels: { tier: 'primary' } } },
    { affinityName: 'backup', labelSelector: { matchLabels: { tier: 'backup' } } },
  ];

  it('takes the first term that schedules and names it', () => {
    assert.deepEqual(schedule({ clusters: clusters(), replicas: 0, placement: { clusterAffinities: terms } }),
      { clusters: [{ name: 'a' }], affinityName: 'primary' });
    const taints = [{ key: 'k', effect: 'NoSchedule' }];
    const primaryDown = [cluster('a', { labels: { tier: 'primary' }, taints }), clusters()[1]];
    assert.deepEqual(schedule({ clusters: primaryDown, replicas: 0, placement: { clusterAffinities: terms } }),
      { clusters: [{ name: 'b' }], affinityName: 'backup' });
  });

  it('starts from the term of the previous result, or from the first when that term is gone', () => {
    const input = { clusters: clusters(), replicas: 0, placement: { clusterAffinities: terms } };
    assert.equal(schedule({ ...input, previousAffinityName: 'backup' }).affinityName, 'backup');
    assert.equal(schedule({ ...input, previousAffinityName: 'removed' }).affinityName, 'primary');
  });

  it('fails with the error of the first term tried', () => {
    const none = [cluster('x')];
    assert.equal(failure({ clusters: none, placement: { clusterAffinities: terms } }),
      '0/1 clusters are available: 1 cluster(s) did not match the placement cluster affinity constraint.');
    const onlyPrimary = [cluster('a', { labels: { tier: 'primary' }, taints: [{ key: 'k', effect: 'NoSchedule' }] })];
    assert.equal(failure({ clusters: onlyPrimary, placement: { clusterAffinities: terms }, previousAffinityName: 'primary' }),
      '0/1 clusters are available: 1 cluster(s) had untolerated taint {k:NoSchedule}.');
  });

  it('has no affinity name with a single clusterAffinity or none', () => {
    const single = { clusterAffinity: { clusterNames: ['a'] } };
    assert.equal(schedule({ clusters: clusters(), replicas: 0, placement: single }).affinityName, undefined);
    assert.equal(schedule({ clusters: clusters(), replicas: 0, placement: { clusterAffinities: [] } }).affinityName, undefined);
  });
});

describe('spread constraints', () => {

  it('filter out clusters without the property a constraint spreads by', () => {
    const clusters = [cluster('a', { region: 'r1', zones: ['z1'], provider: 'p' }), cluster('b', { zone: 'z2' }), cluster('c')];
    const spreadBy = (field: string) => ({ spreadConstraints: [{ spreadByField: field, maxGroups: 1 }, byCluster(3)] });
    const spread = (field: string) => names(run({ clusters, placement: spreadBy(field) }));
    assert.deepEqual(spread('zone'), ['a', 'b']);
    assert.deepEqual(spread('provider'), ['a']);
    assert.equal(failure({ clusters: clusters.slice(1), placement: spreadBy('region') }),
      "0/2 clusters are available: 2 cluster(s) didn't have region property.");
  });

  it('by cluster: takes up to maxGroups clusters, those of the previous result first, then by name', () => {
    assert.deepEqual(run({ clusters: three(), replicas: 2, placement: { spreadConstraints: [byCluster(2)] } }),
      split({ a: 2, b: 2 }));
    const previous = split({ c: 2 });
    const placement = { spreadConstraints: [byCluster(2)] };
    assert.deepEqual(names(run({ clusters: three(), replicas: 2, placement, previous })), ['a', 'c']);
    const unnamed = { spreadConstraints: [{ maxGroups: 1 }] };
    assert.deepEqual(names(run({ clusters: three(), placement: unnamed })), ['a'], 'spreads by cluster by default');
  });

  it('by cluster: fails below minGroups', () => {
    assert.equal(failure({ clusters: three(), placement: { spreadConstraints: [byCluster(5, 4)] } }),
      'failed to select clusters: the number of feasible clusters is less than spreadConstraint.MinGroups');
  });

  it('by cluster with divided replicas: prefers the roomiest clusters and swaps out one without room', () => {
    const clusters = [cluster('a', { room: 2 }), cluster('b', { room: 10 }), cluster('c', { room: 5 })];
    assert.deepEqual(run({ clusters, replicas: 8, placement: { ...dynamic, spreadConstraints: [byCluster(2)] } }),
      split({ b: 6, c: 2 }));
    // 'a' holds a replica, so it ranks first, but with 3 of room it cannot take 8: it is swapped for 'b'.
    const previous = split({ a: 1 });
    const one = { ...dynamic, spreadConstraints: [byCluster(1)] };
    assert.deepEqual(run({ clusters, replicas: 8, placement: one, previous }), split({ b: 8 }));
    assert.equal(failure({ clusters, replicas: 16, placement: { ...dynamic, spreadConstraints: [byCluster(2)] } }),
      'failed to select clusters: no enough resource when selecting 2 clusters');
  });

  it('by region: the best cluster of each chosen region, then the best others up to the cluster maxGroups', () => {
    const clusters = [['a', 'r1'], ['b', 'r1'], ['c', 'r2'], ['d', 'r3']].map(([name, region]) => cluster(name, { region }));
    const spread = (regions: number, clusterConstraint: KObject) => names(run({ clusters, placement: {
      spreadConstraints: [{ spreadByField: 'region', minGroups: regions, maxGroups: regions }, clusterConstraint],
    } }));
    assert.deepEqual(spread(2, byCluster(3, 2)), ['a', 'b', 'c']);
    assert.deepEqual(spread(2, byCluster(2, 2)), ['a', 'c']);
    assert.deepEqual(spread(3, byCluster(4, 3)), ['a', 'b', 'c', 'd']);
    assert.deepEqual(spread(1, byCluster(2, 2)), ['a', 'b']);
  });

  it('by region: prefers regions where clusters have room for the replicas', () => {
    const clusters = [cluster('a', { region: 'r1', room: 1 }), cluster('b', { region: 'r1', room: 1 }),
      cluster('c', { region: 'r2', room: 8 })];
    const spreadConstraints = [{ spreadByField: 'region', minGroups: 1, maxGroups: 1 }, byCluster(2, 1)];
    assert.deepEqual(run({ clusters, replicas: 4, placement: { ...dynamic, spreadConstraints } }), split({ c: 4 }));
  });

  it('by region: fails when regions or their clusters are too few', () => {
    const clusters = [cluster('a', { region: 'r1' }), cluster('b', { region: 'r1' }), cluster('c', { region: 'r2' })];
    const byRegion = (regions: number, clusterConstraint: KObject) => ({
      spreadConstraints: [{ spreadByField: 'region', minGroups: regions, maxGroups: regions }, clusterConstraint],
    });
    assert.equal(failure({ clusters, placement: byRegion(3, byCluster(3)) }),
      'failed to select clusters: the number of feasible region is less than spreadConstraint.MinGroups');
    assert.equal(failure({ clusters, placement: byRegion(1, byCluster(3, 3)) }),
      'failed to select clusters: the number of clusters is less than the cluster spreadConstraint.MinGroups');
  });

  it('supports only cluster and region selection, as upstream', () => {
    const clusters = [cluster('a', { zone: 'z1', provider: 'p' })];
    assert.equal(failure({ clusters, placement: { spreadConstraints: [{ spreadByField: 'zone', maxGroups: 1 }] } }),
      'failed to select clusters: just support cluster and region spread constraint');
    assert.equal(failure({ clusters, placement: { spreadConstraints: [{ spreadByLabel: 'team', maxGroups: 1 }] } }),
      'failed to select clusters: just support cluster and region spread constraint');
  });

  it('selects nothing with maxGroups unset, as upstream', () => {
    assert.equal(failure({ clusters: three(), placement: { spreadConstraints: [{ spreadByField: 'cluster' }] } }),
      'failed to assign replicas: no clusters available to schedule');
  });
});

describe('static weights', () => {
  const two = () => [cluster('b'), cluster('a')];

  it('divides by weight, rounding down and handing the remainder to the heaviest first', () => {
    assert.deepEqual(run({ clusters: two(), replicas: 9, placement: staticWeights([['a'], 1], [['b'], 2]) }),
      split({ a: 3, b: 6 }));
    assert.deepEqual(run({ clusters: two(), replicas: 9, placement: staticWeights([['a'], 1], [['b'], 3]) }),
      split({ a: 2, b: 7 }));
    assert.deepEqual(run({ clusters: three(), replicas: 10, placement: staticWeights([['a', 'b', 'c'], 1]) }),
      split({ a: 4, b: 3, c: 3 }));
    assert.deepEqual(run({ clusters: three(), replicas: 11, placement: staticWeights([['a'], 1], [['b'], 2], [['c'], 3]) }),
      split({ a: 1, b: 4, c: 6 }));
  });

  it('hands the remainder by weight, not by the largest fraction, as upstream', () => {
    // Shares 0.83, 0.83 and 3.33: the two left over go to c (heaviest), then a (name), not to a and b.
    assert.deepEqual(run({ clusters: three(), replicas: 5, placement: staticWeights([['a'], 1], [['b'], 1], [['c'], 4]) }),
      split({ a: 1, c: 4 }));
  });

  it('leaves out clusters that get no replica', () => {
    assert.deepEqual(run({ clusters: two(), replicas: 1, placement: staticWeights([['a'], 1], [['b'], 2]) }), split({ b: 1 }));
  });

  it('gives nothing to a cluster no entry matches, and the highest weight to one several entries match', () => {
    assert.deepEqual(run({ clusters: three(), replicas: 4, placement: staticWeights([['a'], 1], [['b'], 1]) }),
      split({ a: 2, b: 2 }));
    assert.deepEqual(run({ clusters: two(), replicas: 4, placement: staticWeights([['a', 'b'], 1], [['a'], 3]) }),
      split({ a: 3, b: 1 }));
  });

  it('weighs every cluster 1 when no entry matches any, or without a weight preference', () => {
    assert.deepEqual(run({ clusters: two(), replicas: 4, placement: staticWeights([['x'], 5]) }), split({ a: 2, b: 2 }));
    assert.deepEqual(run({ clusters: three(), replicas: 7, placement: divided('Weighted') }), split({ a: 3, b: 2, c: 2 }));
    assert.deepEqual(run({ clusters: three(), replicas: 7, placement: { replicaScheduling: {} } }),
      split({ a: 3, b: 2, c: 2 }), 'Divided and Weighted by default');
  });

  it('gives a remainder on equal weights to the cluster that had more replicas', () => {
    assert.deepEqual(run({ clusters: three(), replicas: 7, placement: divided('Weighted'), previous: split({ c: 3 }) }),
      split({ a: 2, b: 2, c: 3 }));
  });

  it('ignores spread constraints', () => {
    const placement = { ...staticWeights([['a'], 1], [['b'], 1]), spreadConstraints: [byCluster(1)] };
    assert.deepEqual(names(run({ clusters: two(), replicas: 2, placement })), ['a', 'b']);
  });
});

describe('dynamic weights by available replicas', () => {
  const summary = (allocatable: KObject, allocated: KObject = {}, allocating: KObject = {}) =>
    ({ allocatable, allocated, allocating });

  it('divides in proportion to the room each cluster has', () => {
    const clusters = [cluster('a', { room: 6 }), cluster('b', { room: 3 }), cluster('c', { room: 0 })];
    assert.deepEqual(run({ clusters, replicas: 6, placement: dynamic }), split({ a: 4, b: 2 }));
    assert.deepEqual(run({ clusters, replicas: 9, placement: dynamic }), split({ a: 6, b: 3 }));
  });

  it('estimates the room from allocatable, allocated and allocating, per requested resource', () => {
    const clusters = [
      cluster('a', { room: summary({ pods: '110', cpu: '4', memory: '8Gi' }, { pods: '10', cpu: '1' }, { cpu: '500m' }) }),
      cluster('b', { room: summary({ pods: '3', cpu: '64', memory: '64Gi' }, { pods: '1' }) }),
      cluster('c', { room: summary({ pods: '110', memory: '64Gi' }) }),
    ];
    const replicaRequirements = { resourceRequest: { cpu: '500m', memory: '1Gi' } };
    // a: cpu (4 - 1 - 0.5) / 0.5 = 5, memory 8; b: 2 pods left; c: no cpu at all.
    assert.deepEqual(run({ clusters, replicas: 7, placement: dynamic, replicaRequirements }), split({ a: 5, b: 2 }));
    assert.equal(failure({ clusters, replicas: 8, placement: dynamic, replicaRequirements }),
      'failed to assign replicas: failed to scale up: Clusters available replicas 7 are not enough to schedule.');
    const memoryOnly = { resourceRequest: { memory: '3Gi' } };
    // a: 8Gi / 3Gi = 2; b: 2 pods left; c: 64Gi / 3Gi = 21.
    assert.deepEqual(run({ clusters, replicas: 25, placement: dynamic, replicaRequirements: memoryOnly }),
      split({ a: 2, b: 2, c: 21 }));
  });

  it('finds no room in a cluster without a resourceSummary', () => {
    assert.equal(failure({ clusters: three(), replicas: 1, placement: dynamic }),
      'failed to assign replicas: failed to scale up: Clusters available replicas 0 are not enough to schedule.');
  });

  it('scales up by dividing only the new replicas, and down in proportion to the previous result', () => {
    const clusters = [cluster('a', { room: 4 }), cluster('b', { room: 4 })];
    const previous = split({ a: 5, b: 1 });
    assert.deepEqual(run({ clusters, replicas: 10, placement: dynamic, previous }), split({ a: 7, b: 3 }));
    assert.deepEqual(run({ clusters, replicas: 3, placement: dynamic, previous }), split({ a: 3 }));
    assert.deepEqual(run({ clusters, replicas: 6, placement: dynamic, previous }), previous, 'the same replicas keep the result');
  });

  it('moves the replicas of a cluster no longer selected onto the others', () => {
    const clusters = [cluster('a', { room: 4 }), cluster('b', { room: 4 })];
    const previous = split({ a: 2, gone: 2 });
    assert.deepEqual(run({ clusters, replicas: 4, placement: dynamic, previous }), split({ a: 3, b: 1 }));
  });
});

describe('the Aggregated preference', () => {
  const clusters = () => [cluster('a', { room: 10 }), cluster('b', { room: 4 }), cluster('c', { room: 2 })];
  const aggregated = divided('Aggregated');

  it('uses as few clusters as have room enough, roomiest first', () => {
    assert.deepEqual(run({ clusters: clusters(), replicas: 5, placement: aggregated }), split({ a: 5 }));
    assert.deepEqual(run({ clusters: clusters(), replicas: 12, placement: aggregated }), split({ a: 9, b: 3 }));
    assert.equal(failure({ clusters: clusters(), replicas: 17, placement: aggregated }),
      'failed to assign replicas: failed to scale up: Clusters available replicas 16 are not enough to schedule.');
  });

  it('scales up on the clusters that already have replicas', () => {
    assert.deepEqual(run({ clusters: clusters(), replicas: 4, placement: aggregated, previous: split({ b: 2 }) }),
      split({ b: 4 }));
  });
});

describe('strategy errors', () => {
  it('rejects an unknown division preference', () => {
    assert.equal(failure({ clusters: three(), replicas: 1, placement: divided('Cheapest') }),
      'failed to assign replicas: unsupported replica scheduling strategy, replicaSchedulingType: Divided, '
      + 'replicaDivisionPreference: Cheapest, please try another scheduling strategy');
  });
});
