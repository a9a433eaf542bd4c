// Restart safety of propagation: the control plane is SIGKILLed while it propagates 1,000 templates to two
// members, restarted on the same state directory, SIGKILLed again while 100 templates are being deleted and
// 100 changed, and restarted again; in the end every member holds exactly the desired objects (none missing,
// none duplicated, none stale) and the control plane exactly one ResourceBinding per template and one Work
// per template and member.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFederation, type Federation } from './support/federation.ts';
import { api, type RunningServer, waitFor } from './support/server.ts';

const NS = 'bulk';
const TEMPLATES = 1000;
const KEPT = 900;
const CHANGED = 100;
const CONCURRENCY = 16;
const MEMBERS = ['m1', 'm2'];
const CONFIGMAPS = `/api/v1/namespaces/${NS}/configmaps`;

const name = (i: number) => `template-${String(i).padStart(4, '0')}`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Runs task over items, `CONCURRENCY` at a time, until all are done or one fails. */
async function pool<T>(items: T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

/** A member's ConfigMaps in the namespace (none when the namespace is not there yet). */
async function memberConfigMaps(member: RunningServer): Promise<any[]> {
  const r = await api(member, 'GET', CONFIGMAPS);
  if (r.status === 404) return [];
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

async function list(server: RunningServer, path: string): Promise<any[]> {
  const r = await api(server, 'GET', path);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

describe('propagation across control plane crashes', () => {
  let f: Federation;
  before(async () => { f = await startFederation(MEMBERS); });
  after(async () => { await f?.stop(); });

  /** What the members hold, in short: `<member> <objects> (<changed ones> changed)`. */
  async function progress(): Promise<string> {
    const parts = [];
    for (const m of MEMBERS) {
      const items = await memberConfigMaps(f.members[m]!);
      parts.push(`${m} ${items.length} (${items.filter((c) => c.data?.v === '2').length} changed)`);
    }
    return parts.join(', ');
  }

  /**
   * Sends the requests to the control plane and SIGKILLs it as soon as the first member's objects are `ready`,
   * then restarts it and sends every request again (they are idempotent), those the kill cut off included.
   */
  async function killDuring(what: string, requests: Array<() => Promise<void>>, ready: (m1: any[]) => boolean): Promise<void> {
    const victim = f.cp;
    const unexpected: unknown[] = [];
    let acknowledged = 0;
    let killed = false;
    const sending = pool(requests, async (send) => {
      if (killed) return;
      try {
        await send();
        acknowledged++;
      } catch (e) {
        if (!killed) unexpected.push(e);
      }
    });
    await waitFor(`${what} under way`, async () => (ready(await memberConfigMaps(f.members.m1!)) || unexpected.length ? true : undefined), 120_000);
    killed = true;
    await victim.kill();
    await sending;
    assert.deepEqual(unexpected, []);
    assert.equal(victim.process.signalCode, 'SIGKILL');
    console.log(`killed during ${what}: ${acknowledged}/${requests.length} requests acknowledged; ${await progress()}`);
    await f.restartControlPlane();
    await pool(requests, (send) => send());
  }

  const create = (i: number) => async () => {
    const r = await api(f.cp, 'POST', CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name(i) }, data: { v: '1' } });
    assert.ok(r.status === 201 || r.status === 409, r.text);
  };
  const change = (i: number) => async () => {
    const r = await api(f.cp, 'PATCH', `${CONFIGMAPS}/${name(i)}`, { data: { v: '2' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(r.status, 200, r.text);
  };
  const remove = (i: number) => async () => {
    const r = await api(f.cp, 'DELETE', `${CONFIGMAPS}/${name(i)}`);
    assert.ok(r.status === 200 || r.status === 404, r.text);
  };

  it('propagates 1,000 templates through a kill -9 of the control plane', async () => {
    assert.equal((await api(f.cp, 'POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
    const policy = await api(f.cp, 'POST', `/apis/policy.karmada.io/v1alpha1/namespaces/${NS}/propagationpolicies`, {
      apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'everything' },
      spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap' }], placement: { clusterAffinity: { clusterNames: MEMBERS } } },
    });
    assert.equal(policy.status, 201, policy.text);
    // Killed as soon as the first member holds 50, wherever the creates and the other member are.
    await killDuring('the creation of 1,000 templates', range(0, TEMPLATES).map(create), (m1) => m1.length >= 50);
  });

  it('follows deletions and changes through a second kill -9', async () => {
    // Deletions and changes interleaved; killed once the first member shows 10 changes.
    const requests = range(0, CHANGED).flatMap((i) => [remove(KEPT + i), change(i)]);
    await killDuring('100 deletions and 100 changes', requests, (m1) => m1.filter((c) => c.data?.v === '2').length >= 10);
  });

  it('ends with exactly the desired objects on every member and one binding and Work each', async () => {
    const expected = range(0, KEPT).map(name);
    const dataOf = (objectName: string) => ({ v: Number(objectName.slice('template-'.length)) < CHANGED ? '2' : '1' });
    const exact = (names: string[]) => JSON.stringify([...names].sort()) === JSON.stringify(expected);
    let last = '';
    await waitFor('members and control plane converged', async () => {
      const bindings = await list(f.cp, `/apis/work.karmada.io/v1alpha2/namespaces/${NS}/resourcebindings`);
      const state = [`${bindings.length} bindings`];
      let done = exact(bindings.map((b) => b.spec.resource.name));
      for (const m of MEMBERS) {
        const works = await list(f.cp, `/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-${m}/works`);
        const items = await memberConfigMaps(f.members[m]!);
        const outdated = items.filter((c) => JSON.stringify(c.data) !== JSON.stringify(dataOf(c.metadata.name)));
        state.push(`${m}: ${works.length} works, ${items.length} objects, ${outdated.length} with old data`);
        done &&= exact(works.map((w) => w.spec.workload.manifests[0].metadata.name))
          && exact(items.map((c) => c.metadata.name)) && outdated.length === 0;
      }
      last = state.join('; ');
      return done ? true : undefined;
    }, 180_000).catch((e) => { throw new Error(`${e.message}; last: ${last}`); });

    const bindings = await list(f.cp, `/apis/work.karmada.io/v1alpha2/namespaces/${NS}/resourcebindings`);
    assert.deepEqual(bindings.map((b) => b.metadata.name).sort(), expected.map((n) => `${n}-configmap`));
    for (const m of MEMBERS) {
      const works = await list(f.cp, `/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-${m}/works`);
      assert.deepEqual(works.map((w) => w.spec.workload.manifests[0].metadata.name).sort(), expected, `Works of ${m}`);
      const byName = new Map(works.map((w) => [w.metadata.name, w]));
      const items = await memberConfigMaps(f.members[m]!);
      assert.deepEqual(items.map((c) => c.metadata.name).sort(), expected, `objects on ${m}`);
      for (const c of items) {
        const what = `${m}/${c.metadata.name}`;
        assert.deepEqual(c.data, dataOf(c.metadata.name), what);
        assert.equal(c.metadata.labels['karmada.io/managed'], 'true', what);
        assert.equal(c.metadata.annotations['work.karmada.io/namespace'], `karmada-es-${m}`, what);
        const work = byName.get(c.metadata.annotations['work.karmada.io/name']);
        assert.equal(work?.spec.workload.manifests[0].metadata.name, c.metadata.name, `the Work of ${what}`);
      }
    }
  });
});
