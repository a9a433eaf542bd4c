// Garbage collection by ownerReferences and namespace deletion, through the HTTP API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, removeDir, startServer, type RunningServer } from './support/server.ts';

let server: RunningServer;
const NS = 'gc';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function createConfigMap(name: string, owner?: { name: string; uid: string; block?: boolean }) {
  const res = await api(server, 'POST', `/api/v1/namespaces/${NS}/configmaps`, {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name,
      ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.name, uid: owner.uid, blockOwnerDeletion: owner.block }] } : {}),
    },
    data: { k: 'v' },
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

const path = (name: string) => `/api/v1/namespaces/${NS}/configmaps/${name}`;
const gone = (name: string) => async () => ((await api(server, 'GET', path(name))).status === 404 ? true : undefined);

describe('garbage collection', () => {
  before(async () => {
    server = await startServer();
    assert.equal((await api(server, 'POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
  });
  after(async () => {
    await server.stop();
    removeDir(server.dir);
  });

  it('deletes dependents of an owner deleted in the background', async () => {
    const owner = await createConfigMap('bg-owner');
    await createConfigMap('bg-child', { name: 'bg-owner', uid: owner.metadata.uid });
    const res = await api(server, 'DELETE', path('bg-owner'));
    assert.equal(res.status, 200);
    assert.equal(res.json.status, 'Success');
    await until('dependent deleted', gone('bg-child'));
  });

  it('keeps a foreground owner until its dependents are gone', async () => {
    const owner = await createConfigMap('fg-owner');
    await createConfigMap('fg-child', { name: 'fg-owner', uid: owner.metadata.uid, block: true });
    const res = await api(server, 'DELETE', path('fg-owner'), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.json.metadata.deletionTimestamp, 'owner is marked for deletion');
    assert.deepEqual(res.json.metadata.finalizers, ['foregroundDeletion']);
    await until('dependent deleted', gone('fg-child'));
    await until('owner deleted', gone('fg-owner'));
  });

  it('orphans dependents when asked', async () => {
    const owner = await createConfigMap('or-owner');
    await createConfigMap('or-child', { name: 'or-owner', uid: owner.metadata.uid });
    const res = await api(server, 'DELETE', `${path('or-owner')}?propagationPolicy=Orphan`);
    assert.equal(res.status, 200);
    await until('owner deleted', gone('or-owner'));
    const child = await until('ownerReferences removed', async () => {
      const got = await api(server, 'GET', path('or-child'));
      return got.json.metadata.ownerReferences === undefined ? got.json : undefined;
    });
    assert.equal(child.metadata.name, 'or-child');
  });

  it('deletes a dependent whose owner never existed', async () => {
    await createConfigMap('stray', { name: 'nobody', uid: '00000000-0000-0000-0000-000000000000' });
    await until('stray dependent deleted', gone('stray'));
  });

  it('deletes a namespace after its contents', async () => {
    assert.equal((await api(server, 'POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } })).status, 201);
    const cm = await api(server, 'POST', '/api/v1/namespaces/doomed/configmaps', {
      metadata: { name: 'held', finalizers: ['example.com/hold'] },
    });
    assert.equal(cm.status, 201);
    const res = await api(server, 'DELETE', '/api/v1/namespaces/doomed');
    assert.equal(res.status, 200);
    assert.equal(res.json.status.phase, 'Terminating');
    const refused = await api(server, 'POST', '/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'late' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.reason, 'Forbidden');
    assert.match(refused.json.message, /unable to create new content in namespace doomed because it is being terminated/);
    const held = await until('content marked', async () => {
      const got = await api(server, 'GET', '/api/v1/namespaces/doomed/configmaps/held');
      return got.json.metadata?.deletionTimestamp ? got.json : undefined;
    });
    assert.equal((await api(server, 'GET', '/api/v1/namespaces/doomed')).status, 200, 'namespace waits for its content');
    const released = await api(server, 'PATCH', '/api/v1/namespaces/doomed/configmaps/held', { metadata: { finalizers: null } },
      { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(released.status, 200, released.text);
    assert.ok(held);
    await until('namespace deleted', async () => ((await api(server, 'GET', '/api/v1/namespaces/doomed')).status === 404 ? true : undefined));
  });
});
