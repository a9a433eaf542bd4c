// Field selectors over HTTP: metadata fields, kind-specific fields, and unsupported fields.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, removeDir, startServer, type RunningServer } from './support/server.ts';

let server: RunningServer;
const names = (res: { json: any }) => res.json.items.map((i: any) => i.metadata.name).sort();

describe('field selectors', () => {
  before(async () => {
    server = await startServer();
    assert.equal((await api(server, 'POST', '/api/v1/namespaces', { metadata: { name: 'fs' } })).status, 201);
    for (const [name, type] of [['plain', undefined], ['tls', 'kubernetes.io/tls']] as const) {
      const data = type === 'kubernetes.io/tls' ? { 'tls.crt': '', 'tls.key': '' } : {};
      const res = await api(server, 'POST', '/api/v1/namespaces/fs/secrets', { metadata: { name }, ...(type ? { type } : {}), data });
      assert.equal(res.status, 201, res.text);
    }
    const event = await api(server, 'POST', '/api/v1/namespaces/fs/events', {
      metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p1', namespace: 'fs' }, reason: 'Started',
      source: { component: 'kubelet' }, type: 'Normal',
    });
    assert.equal(event.status, 201, event.text);
  });
  after(async () => {
    await server.stop();
    removeDir(server.dir);
  });

  it('selects by metadata.name and metadata.namespace', async () => {
    assert.deepEqual(names(await api(server, 'GET', '/api/v1/secrets?fieldSelector=metadata.name%3Dtls')), ['tls']);
    assert.deepEqual(names(await api(server, 'GET', '/api/v1/secrets?fieldSelector=metadata.namespace%3Dfs,metadata.name!%3Dtls')), ['plain']);
  });

  it('selects by kind-specific fields', async () => {
    assert.deepEqual(names(await api(server, 'GET', '/api/v1/namespaces/fs/secrets?fieldSelector=type%3DOpaque')), ['plain']);
    assert.deepEqual(names(await api(server, 'GET', '/api/v1/namespaces?fieldSelector=status.phase%3DActive,metadata.name%3Dfs')), ['fs']);
    assert.deepEqual(names(await api(server, 'GET', '/api/v1/namespaces/fs/events?fieldSelector=source%3Dkubelet,involvedObject.name%3Dp1')), ['e1']);
    assert.deepEqual(names(await api(server, 'GET', '/api/v1/namespaces/fs/events?fieldSelector=source%3Dscheduler')), []);
  });

  it('rejects fields the kind does not support', async () => {
    const res = await api(server, 'GET', '/api/v1/namespaces/fs/configmaps?fieldSelector=type%3DOpaque');
    assert.equal(res.status, 400);
    assert.equal(res.json.reason, 'BadRequest');
    assert.equal(res.json.message, 'field label not supported: type');
  });

  it('reports label selector syntax errors with the parser\'s own text', async () => {
    const res = await api(server, 'GET', `/api/v1/namespaces/fs/secrets?labelSelector=${encodeURIComponent('a=b c')}`);
    assert.equal(res.status, 400);
    assert.equal(res.json.message, "found 'c', expected: ',' or 'end of string'");
    const bad = await api(server, 'GET', `/api/v1/namespaces/fs/secrets?labelSelector=${encodeURIComponent('a in b')}`);
    assert.equal(bad.json.message, "unable to parse requirement: found 'b' expected: '('");
  });
});
