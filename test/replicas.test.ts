// Two control-plane replicas on one real etcd, sharing one state directory: both serve the API (a write on one is
// seen by a watch on the other), the controllers run on the leader only, and when the leader is killed during
// propagation the other takes over and finishes, applying every object once.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startEtcd, type EtcdCluster } from './support/etcd.ts';
import { canopy, memberNames } from './support/federation.ts';
import { api, removeDir, startServer, tempDir, type RunningServer, waitFor } from './support/server.ts';

let etcd: EtcdCluster;
let dir: string;
const replicas: RunningServer[] = [];
let members: RunningServer[] = [];

const LEADER_METRIC = /^leader_election_master_status\{name="canopy-controller-manager"\} (\d)/m;

async function startReplica(name: string): Promise<RunningServer> {
  const server = await startServer({
    dir, args: ['--store', etcd.url, '--cluster-status-update-frequency', '1', '--leader-elect-lease-duration', '4',
      '--leader-elect-renew-deadline', '3', '--leader-elect-retry-period', '1'],
  });
  // Each replica writes DIR/kubeconfig pointing at itself; keep a copy per replica.
  const own = join(dir, `${name}.kubeconfig`);
  copyFileSync(server.kubeconfig, own);
  return { ...server, kubeconfig: own };
}

async function leads(server: RunningServer): Promise<boolean> {
  const r = await api(server, 'GET', '/metrics');
  return LEADER_METRIC.exec(r.text)?.[1] === '1';
}

/** Records a member's ConfigMap events in a namespace from now on. */
function recordEvents(member: RunningServer, namespace: string): { events: string[]; close(): void } {
  const events: string[] = [];
  const url = new URL(member.url);
  const req = request({
    host: url.hostname, port: url.port, ca: member.ca, method: 'GET',
    path: `/api/v1/namespaces/${namespace}/configmaps?watch=true&resourceVersion=0`,
    headers: { Authorization: `Bearer ${member.token}` },
  }, (res) => {
    let buffer = '';
    res.on('data', (chunk) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
        events.push(`${event.type} ${event.object.metadata.name}`);
      }
    });
  });
  req.on('error', () => {});
  req.end();
  return { events, close: () => req.destroy() };
}

describe('control-plane replicas on etcd', () => {
  before(async () => {
    etcd = await startEtcd();
    dir = tempDir();
    replicas.push(await startReplica('a'));
    replicas.push(await startReplica('b'));
    members = await Promise.all(['r1', 'r2'].map((name) => startServer({ command: 'member', name })));
    for (const [i, m] of members.entries()) {
      const joined = canopy(['join', `r${i + 1}`, '--kubeconfig', m.kubeconfig], replicas[0]!);
      assert.equal(joined.code, 0, joined.stderr);
    }
  });
  after(async () => {
    await Promise.all([...replicas, ...members].map((s) => s.stop()));
    for (const m of members) removeDir(m.dir);
    if (dir) removeDir(dir);
    await etcd?.stop();
  });

  it('both replicas serve the API from the shared directory; a write on one is seen by a watch on the other', async () => {
    const [a, b] = replicas as [RunningServer, RunningServer];
    assert.notEqual(a.url, b.url);
    assert.equal(parse(readFileSync(join(dir, 'kubeconfig'), 'utf8')).clusters[0].cluster.server, b.url, 'the last replica to start wrote DIR/kubeconfig');
    assert.equal(a.token, b.token, 'one set of credentials');
    await api(a, 'POST', '/api/v1/namespaces', { metadata: { name: 'shared' } });
    const watched = recordEvents(b, 'shared');
    await waitFor('the watch on b open', () => true);
    const created = await api(a, 'POST', '/api/v1/namespaces/shared/configmaps', { metadata: { name: 'from-a' }, data: { k: 'v' } });
    assert.equal(created.status, 201);
    await waitFor('b sees the write of a', () => (watched.events.includes('ADDED from-a') ? true : undefined));
    watched.close();
  });

  it('exactly one replica leads', async () => {
    await waitFor('a leader', async () => ((await leads(replicas[0]!)) !== (await leads(replicas[1]!)) ? true : undefined));
    const lease = (await api(replicas[0]!, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/canopy-controller-manager')).json;
    assert.ok(lease.spec.holderIdentity);
    assert.equal(lease.spec.leaseDurationSeconds, 4);
  });

  it('the leader killed during propagation: the other replica takes over and finishes, each object applied once', async () => {
    await waitFor('both members Ready', async () => {
      const list = (await api(replicas[0]!, 'GET', '/apis/cluster.karmada.io/v1alpha1/clusters')).json.items;
      return list.filter((c: any) => c.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')).length === 2 ? true : undefined;
    });
    const leaderIndex = (await leads(replicas[0]!)) ? 0 : 1;
    const leader = replicas[leaderIndex]!;
    const follower = replicas[1 - leaderIndex]!;
    await api(follower, 'POST', '/api/v1/namespaces', { metadata: { name: 'takeover' } });
    const watches = members.map((m) => recordEvents(m, 'takeover'));
    await api(follower, 'POST', '/apis/policy.karmada.io/v1alpha1/namespaces/takeover/propagationpolicies', {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'all' },
      spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap' }], placement: { clusterAffinity: { clusterNames: ['r1', 'r2'] } } },
    });
    const names = Array.from({ length: 200 }, (_, i) => `cm-${String(i).padStart(3, '0')}`);
    for (const name of names) {
      const r = await api(follower, 'POST', '/api/v1/namespaces/takeover/configmaps', { metadata: { name }, data: { k: name } });
      assert.equal(r.status, 201);
      if (name === 'cm-050') await leader.kill();
    }
    await waitFor('the follower leads', async () => ((await leads(follower)) ? true : undefined));
    for (const m of members) {
      await waitFor(`all 200 on ${m.dir}`, () => (memberNames(m, 'configmaps', 'takeover').filter((n) => n.startsWith('cm-')).length === 200 ? true : undefined), 120_000);
    }
    for (const w of watches) {
      // The watch may trail the list a little.
      await waitFor('every creation seen by the watch', () => (w.events.filter((e) => e.startsWith('ADDED cm-')).length >= 200 ? true : undefined));
      w.close();
      const added = w.events.filter((e) => e.startsWith('ADDED cm-'));
      assert.equal(added.length, 200, 'each object created once');
      assert.equal(new Set(added).size, 200);
      assert.deepEqual(w.events.filter((e) => !e.startsWith('ADDED')), [], 'nothing deleted or changed again');
    }
    // The lease changed hands.
    const lease = (await api(follower, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/canopy-controller-manager')).json;
    assert.ok(lease.spec.leaseTransitions >= 1);
  });
});
