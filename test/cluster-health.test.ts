// End-to-end: the cluster status controller of a real control plane probing two real member processes:
// Ready with version and API enablements, damped loss of a member with its taint, recovery, and a Cluster
// whose credentials are missing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ClusterConditionStore, generateReadyCondition, setStatusCondition, taintsForCondition, type Condition,
} from '../src/controllers/cluster.ts';
import { summarizeResources } from '../src/members/client.ts';
import { api, kubectlOk, lines, removeDir, startServer, type RunningServer, waitFor } from './support/server.ts';

const CLUSTERS = '/apis/cluster.karmada.io/v1alpha1/clusters';
const SECRETS = '/api/v1/namespaces/karmada-cluster/secrets';
const FAILURE_THRESHOLD_S = 2;


describe('cluster condition damping and taints', () => {
  const T = generateReadyCondition(true, true);
  const F = generateReadyCondition(false, false);
  const stored = (c: Condition): Condition => ({ ...c, lastTransitionTime: '2024-01-01T00:00:00Z' });

  it('takes the first observation of a new cluster as is', () => {
    const store = new ClusterConditionStore(30_000, 30_000);
    assert.equal(store.thresholdAdjusted('a', undefined, F, 0), F);
  });

  it('keeps the stored condition until the change has lasted the threshold, also after a restart', () => {
    const store = new ClusterConditionStore(5_000, 10_000);
    // A fresh store (restart) with a stored Ready=True: a failure is damped from the first observation.
    assert.equal(store.thresholdAdjusted('a', stored(T), F, 1_000).status, 'True');
    assert.equal(store.thresholdAdjusted('a', stored(T), F, 10_999).status, 'True');
    assert.equal(store.thresholdAdjusted('a', stored(T), F, 11_000), F);
    // Flapping back to healthy restarts the clock.
    assert.equal(store.thresholdAdjusted('a', stored(F), T, 12_000).status, 'False');
    assert.equal(store.thresholdAdjusted('a', stored(F), F, 13_000).status, 'False');
    assert.equal(store.thresholdAdjusted('a', stored(F), T, 14_000).status, 'False');
    assert.equal(store.thresholdAdjusted('a', stored(F), T, 19_000), T);
  });

  it('moves lastTransitionTime only when the status changes', () => {
    const one = setStatusCondition([], F, Date.UTC(2024, 0, 1));
    assert.equal(one[0]!.lastTransitionTime, '2024-01-01T00:00:00Z');
    const same = setStatusCondition(one, generateReadyCondition(true, false), Date.UTC(2024, 0, 2));
    assert.equal(same[0]!.lastTransitionTime, '2024-01-01T00:00:00Z');
    assert.equal(same[0]!.reason, 'ClusterNotReady');
    const changed = setStatusCondition(same, T, Date.UTC(2024, 0, 3));
    assert.equal(changed[0]!.lastTransitionTime, '2024-01-03T00:00:00Z');
  });

  it('maps Ready to the scheduling taints, keeping other taints', () => {
    const other = { key: 'example.com/other', effect: 'NoExecute' };
    const now = Date.UTC(2024, 0, 1);
    const unknown: Condition = { type: 'Ready', status: 'Unknown', reason: 'ClusterStatusUnknown', message: '' };
    assert.deepEqual(taintsForCondition([other], F, now), [other,
      { key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule', timeAdded: '2024-01-01T00:00:00Z' }]);
    const notReady = taintsForCondition([], F, now)!;
    assert.equal(taintsForCondition(notReady, F, now), undefined, 'nothing to change');
    assert.deepEqual(taintsForCondition(notReady, unknown, now),
      [{ key: 'cluster.karmada.io/unreachable', effect: 'NoSchedule', timeAdded: '2024-01-01T00:00:00Z' }]);
    assert.deepEqual(taintsForCondition([other, ...notReady], T, now), [other]);
    assert.equal(taintsForCondition([other], T, now), undefined);
    assert.equal(taintsForCondition([other], undefined, now), undefined);
  });
});

describe('the resource summary of a member', () => {
  const node = (allocatable: Record<string, string>) => ({ status: { allocatable } });
  const pod = (spec: Record<string, unknown>, phase = 'Running') => ({ spec, status: { phase } });
  const container = (requests: Record<string, string>) => ({ name: 'c', resources: { requests } });

  it('sums allocatable over the nodes, in the format of the first term', () => {
    const nodes = [node({ cpu: '2', memory: '4Gi', pods: '110' }), node({ cpu: '1500m', memory: '1024Mi', pods: '110' })];
    assert.deepEqual(summarizeResources(nodes, []), { allocatable: { cpu: '3500m', memory: '5Gi', pods: '220' } });
    assert.deepEqual(summarizeResources([], []), {});
  });

  it('counts what bound pods that have not finished request as allocated, and unbound pods as allocating', () => {
    const pods = [
      // Containers are summed, then raised to the largest init container.
      pod({ nodeName: 'n1', containers: [container({ cpu: '100m', memory: '64Mi' }), container({ cpu: '200m' })],
        initContainers: [container({ cpu: '500m', memory: '1Mi' })] }),
      pod({ nodeName: 'n1', containers: [container({ 'nvidia.com/gpu': '1', example: '3' })], overhead: { cpu: '50m' } }),
      pod({ nodeName: 'n1', containers: [container({ cpu: '8' })] }, 'Succeeded'),
      pod({ nodeName: 'n2', containers: [container({ cpu: '8' })] }, 'Failed'),
      pod({ containers: [container({ cpu: '1', memory: '100M' })] }, 'Pending'),
    ];
    assert.deepEqual(summarizeResources([], pods), {
      allocated: { cpu: '550m', memory: '64Mi', 'nvidia.com/gpu': '1', pods: '2' },
      allocating: { cpu: '1', memory: '100000000', pods: '1' },
    });
  });
});

describe('cluster status controller', () => {
  let cp: RunningServer;
  const members = new Map<string, RunningServer>();

  async function getCluster(name: string): Promise<any> {
    const res = await api(cp, 'GET', `${CLUSTERS}/${name}`);
    assert.equal(res.status, 200, res.text);
    return res.json;
  }

  function ready(cluster: any): any {
    return (cluster.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  }

  async function waitReady(name: string, status: string, reason?: string): Promise<any> {
    return waitFor(`${name} Ready=${status}`, async () => {
      const c = await getCluster(name);
      const r = ready(c);
      return r?.status === status && (!reason || r.reason === reason) ? c : undefined;
    });
  }

  async function register(name: string, kubeconfig: string | undefined): Promise<void> {
    if (kubeconfig !== undefined) {
      const secret = await api(cp, 'POST', SECRETS, {
        apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'karmada-cluster' },
        data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
      });
      assert.equal(secret.status, 201, secret.text);
    }
    const cluster = await api(cp, 'POST', CLUSTERS, {
      apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name },
      spec: { syncMode: 'Push', apiEndpoint: members.get(name)?.url ?? 'https://127.0.0.1:1', secretRef: { namespace: 'karmada-cluster', name } },
    });
    assert.equal(cluster.status, 201, cluster.text);
  }

  before(async () => {
    const [controlPlane, m1, m2] = await Promise.all([
      startServer({ args: ['--cluster-status-update-frequency', '1', '--cluster-success-threshold', '2',
        '--cluster-failure-threshold', String(FAILURE_THRESHOLD_S)] }),
      startServer({ command: 'member', name: 'm1' }),
      startServer({ command: 'member', name: 'm2' }),
    ]);
    cp = controlPlane;
    members.set('m1', m1);
    members.set('m2', m2);
    for (const [name, m] of members) await register(name, readFileSync(m.kubeconfig, 'utf8'));
  });

  after(async () => {
    await Promise.all([cp?.stop(), ...[...members.values()].map((m) => m.stop())]);
    for (const dir of [cp?.dir, ...[...members.values()].map((m) => m.dir)]) if (dir) removeDir(dir);
  });

  it('reports both members Ready with their version and API enablements', async () => {
    for (const name of ['m1', 'm2']) {
      const c = await waitReady(name, 'True');
      const r = ready(c);
      assert.equal(r.reason, 'ClusterReady');
      assert.equal(r.message, 'cluster is healthy and ready to accept workloads');
      assert.match(r.lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(c.status.kubernetesVersion, 'v1.32.0-canopy');
      const apps = c.status.apiEnablements.find((a: any) => a.groupVersion === 'apps/v1');
      assert.ok(apps, 'apps/v1 is listed');
      assert.ok(apps.resources.some((r: any) => r.name === 'deployments' && r.kind === 'Deployment'));
      assert.ok(!apps.resources.some((r: any) => r.name.includes('/')), 'no subresources');
      const complete = c.status.conditions.find((x: any) => x.type === 'CompleteAPIEnablements');
      assert.equal(complete?.status, 'True');
      assert.deepEqual(c.spec.taints ?? [], []);
    }
  });

  it('reports the node summary of a member', async () => {
    const m2 = members.get('m2')!;
    assert.deepEqual((await waitReady('m2', 'True')).status.nodeSummary, { totalNum: 0, readyNum: 0 });
    for (const [name, status] of [['node-a', 'True'], ['node-b', 'False']]) {
      const res = await api(m2, 'POST', '/api/v1/nodes', {
        apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status }] },
      });
      assert.equal(res.status, 201, res.text);
    }
    await waitFor('nodeSummary 2/1', async () => {
      const summary = (await getCluster('m2')).status?.nodeSummary;
      return summary?.totalNum === 2 && summary.readyNum === 1 ? summary : undefined;
    });
  });

  it('reports the resource summary of a member from its nodes and pods', async () => {
    const m2 = members.get('m2')!;
    assert.deepEqual((await waitReady('m2', 'True')).status.resourceSummary, {});
    for (const [name, cpu, memory] of [['node-c', '4', '8Gi'], ['node-d', '2', '4Gi']]) {
      const res = await api(m2, 'POST', '/api/v1/nodes', {
        apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { allocatable: { cpu, memory, pods: '110' } },
      });
      assert.equal(res.status, 201, res.text);
    }
    const app = (requests: Record<string, string>) => [{ name: 'app', image: 'nginx', resources: { requests } }];
    const pods: Array<[string, Record<string, unknown>]> = [
      ['bound', { nodeName: 'node-c', containers: app({ cpu: '250m', memory: '128Mi' }) }],
      ['pending', { containers: app({ cpu: '1' }) }],
    ];
    for (const [name, spec] of pods) {
      const res = await api(m2, 'POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec,
      });
      assert.equal(res.status, 201, res.text);
    }
    const summary = await waitFor('the resource summary of m2', async () => {
      const s = (await getCluster('m2')).status?.resourceSummary;
      return s?.allocating ? s : undefined;
    });
    assert.deepEqual(summary, {
      allocatable: { cpu: '6', memory: '12Gi', pods: '220' },
      allocated: { cpu: '250m', memory: '128Mi', pods: '1' },
      allocating: { cpu: '1', pods: '1' },
    });
  });

  it('shows the clusters with kubectl', async () => {
    const out = lines(kubectlOk(cp, ['get', 'clusters']));
    assert.deepEqual(out[0]!.split(/\s+/), ['NAME', 'VERSION', 'MODE', 'READY', 'AGE']);
    for (const name of ['m1', 'm2']) {
      const row = out.find((l) => l.startsWith(`${name} `));
      assert.ok(row, `row for ${name}`);
      assert.deepEqual(row.split(/\s+/).slice(0, 4), [name, 'v1.32.0-canopy', 'Push', 'True']);
    }
  });

  it('writes nothing while nothing changes', async () => {
    const before = await getCluster('m2');
    await new Promise((r) => setTimeout(r, 2500));
    const later = await getCluster('m2');
    assert.equal(later.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  it('marks a stopped member not reachable after the failure threshold, and taints it', async () => {
    const wasReady = ready(await getCluster('m1'));
    // The member stops listening soon after SIGTERM, before its process exits: time from the signal.
    const stoppedAt = Date.now();
    const stopping = members.get('m1')!.stop();
    // Within the threshold the stored condition stays Ready.
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(ready(await getCluster('m1')).status, 'True');
    await stopping;
    const c = await waitReady('m1', 'False');
    assert.ok(Date.now() - stoppedAt >= FAILURE_THRESHOLD_S * 1000 - 200, 'damped for the failure threshold');
    const r = ready(c);
    assert.equal(r.reason, 'ClusterNotReachable');
    assert.equal(r.message, 'cluster is not reachable');
    assert.notEqual(r.lastTransitionTime, wasReady.lastTransitionTime);
    const tainted = await waitFor('the not-ready taint', async () => {
      const x = await getCluster('m1');
      return x.spec.taints?.length ? x : undefined;
    });
    assert.equal(tainted.spec.taints.length, 1);
    const [taint] = tainted.spec.taints;
    assert.equal(taint.key, 'cluster.karmada.io/not-ready');
    assert.equal(taint.effect, 'NoSchedule');
    assert.match(taint.timeAdded, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The other member is untouched; the last known version and APIs are kept.
    assert.equal(ready(await getCluster('m2')).status, 'True');
    assert.equal(tainted.status.kubernetesVersion, 'v1.32.0-canopy');
    // The transition time does not move while the status stays False.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(ready(await getCluster('m1')).lastTransitionTime, r.lastTransitionTime);
    const row = lines(kubectlOk(cp, ['get', 'clusters', 'm1']))[1]!;
    assert.equal(row.split(/\s+/)[3], 'False');
  });

  it('reports the member Ready again once it is back, and removes the taint', async () => {
    const old = members.get('m1')!;
    const m1 = await startServer({ command: 'member', name: 'm1', dir: old.dir, port: Number(new URL(old.url).port) });
    members.set('m1', m1);
    const c = await waitReady('m1', 'True');
    assert.equal(ready(c).reason, 'ClusterReady');
    const clean = await waitFor('the taint removed', async () => {
      const x = await getCluster('m1');
      return (x.spec.taints ?? []).length === 0 ? x : undefined;
    });
    assert.equal(ready(clean).status, 'True');
  });

  it('keeps the stored conditions across a restart of the control plane', async () => {
    const before = await Promise.all(['m1', 'm2'].map(async (n) => ready(await getCluster(n))));
    await cp.stop();
    cp = await startServer({ dir: cp.dir, port: Number(new URL(cp.url).port), args: ['--cluster-status-update-frequency', '1',
      '--cluster-success-threshold', '2', '--cluster-failure-threshold', String(FAILURE_THRESHOLD_S)] });
    await new Promise((r) => setTimeout(r, 2500));
    const after = await Promise.all(['m1', 'm2'].map(async (n) => ready(await getCluster(n))));
    assert.deepEqual(after, before);
  });

  it('reports a Cluster whose Secret is missing, without credentials', async () => {
    await register('m3', undefined);
    const c = await waitReady('m3', 'False', 'StatusCollectionFailed');
    const r = ready(c);
    assert.match(r.message, /^failed to create a ClusterClient: secrets "m3" not found/);
    const tainted = await waitFor('the not-ready taint', async () => {
      const x = await getCluster('m3');
      return x.spec.taints?.some((t: any) => t.key === 'cluster.karmada.io/not-ready') ? x : undefined;
    });
    assert.ok(tainted);
    // No member credential anywhere in the Clusters or the control plane's log.
    const all = JSON.stringify((await api(cp, 'GET', CLUSTERS)).json);
    const log = readFileSync(join(cp.dir, 'canopy.log'), 'utf8');
    for (const m of members.values()) {
      assert.ok(!all.includes(m.token), 'no token in the Clusters');
      assert.ok(!log.includes(m.token), 'no token in the log');
    }
  });

  it('reads a Karmada-style Secret (token and caBundle, address in spec.apiEndpoint)', async () => {
    const m2 = members.get('m2')!;
    await api(cp, 'DELETE', `${SECRETS}/m3`);
    const secret = await api(cp, 'POST', SECRETS, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'm3', namespace: 'karmada-cluster' },
      data: { token: Buffer.from(m2.token).toString('base64'), caBundle: Buffer.from(m2.ca).toString('base64') },
    });
    assert.equal(secret.status, 201, secret.text);
    const patch = await api(cp, 'PATCH', `${CLUSTERS}/m3`, { spec: { apiEndpoint: m2.url } },
      { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(patch.status, 200, patch.text);
    const c = await waitReady('m3', 'True');
    assert.equal(c.status.kubernetesVersion, 'v1.32.0-canopy');
  });
});
