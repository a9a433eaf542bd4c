// Durability across a crash: concurrent clients create ConfigMaps, the server is SIGKILLed mid-stream, and
// after a restart on the same state directory every acknowledged (201) create is there, lists work, and
// resourceVersions keep increasing.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { api, removeDir, startServer, type RunningServer } from './support/server.ts';

const NS = 'crash';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const CLIENTS = 8;
const KILL_AFTER = 300;

interface Acknowledged {
  name: string;
  uid: string;
  resourceVersion: number;
  value: string;
}

/** POST a body; resolves with the status and parsed body, rejects on connection errors. */
function post(server: RunningServer, agent: Agent, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const data = JSON.stringify(body);
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname, port: url.port, path, method: 'POST', agent,
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(data)) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

describe('crash recovery', () => {
  let server: RunningServer;
  let dir: string;
  const acknowledged: Acknowledged[] = [];
  const attempted = new Set<string>();
  const unexpected: string[] = [];

  before(async () => {
    server = await startServer();
    dir = server.dir;
    assert.equal((await api(server, 'POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
  });
  after(async () => {
    await server?.stop();
    if (dir) removeDir(dir);
  });

  it('keeps every acknowledged create across a SIGKILL mid-stream', async () => {
    const victim = server;
    let killing: Promise<void> | undefined;
    const client = async (id: number) => {
      const agent = new Agent({ keepAlive: true, ca: victim.ca, maxSockets: 1 });
      try {
        for (let i = 0; ; i++) {
          const name = `cm-${id}-${i}`;
          const value = `${id}:${i}:${'v'.repeat(i % 7 * 100)}`;
          attempted.add(name);
          let res;
          try {
            res = await post(victim, agent, CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { client: String(id) } }, data: { value } });
          } catch {
            // The server is gone (reset, refused): this create was never acknowledged.
            if (killing) return;
            throw new Error(`request ${name} failed before the kill`);
          }
          if (res.status !== 201) {
            unexpected.push(`${name}: ${res.status} ${JSON.stringify(res.json)}`);
            if (killing) return;
            continue;
          }
          acknowledged.push({ name, uid: res.json.metadata.uid, resourceVersion: Number(res.json.metadata.resourceVersion), value });
          if (acknowledged.length >= KILL_AFTER && !killing) killing = victim.kill();
        }
      } finally {
        agent.destroy();
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));
    await killing;
    assert.equal(victim.process.signalCode, 'SIGKILL');
    assert.deepEqual(unexpected.filter((u) => !u.includes('ServiceUnavailable')), []);
    assert.ok(acknowledged.length >= KILL_AFTER, `${acknowledged.length} acknowledged`);
    // Acknowledged resourceVersions are unique.
    assert.equal(new Set(acknowledged.map((a) => a.resourceVersion)).size, acknowledged.length);

    server = await startServer({ dir });
    for (let i = 0; i < acknowledged.length; i += 50) {
      await Promise.all(acknowledged.slice(i, i + 50).map(async (ack) => {
        const res = await api(server, 'GET', `${CM}/${ack.name}`);
        assert.equal(res.status, 200, `${ack.name} (acknowledged at ${ack.resourceVersion}) is missing after the crash: ${res.text}`);
        assert.equal(res.json.metadata.uid, ack.uid);
        assert.equal(Number(res.json.metadata.resourceVersion), ack.resourceVersion);
        assert.equal(res.json.data.value, ack.value);
      }));
    }
  });

  it('lists after the restart: every acknowledged object, nothing that was never sent', async () => {
    const list = await api(server, 'GET', CM);
    assert.equal(list.status, 200, list.text);
    const names = new Set<string>(list.json.items.map((i: any) => i.metadata.name));
    for (const ack of acknowledged) assert.ok(names.has(ack.name), ack.name);
    for (const name of names) assert.ok(attempted.has(name), `${name} was never sent`);
    // At most the requests in flight at the kill (one per client) are there unacknowledged.
    assert.ok(names.size - acknowledged.length <= CLIENTS, `${names.size} listed, ${acknowledged.length} acknowledged`);
    const maxAcked = Math.max(...acknowledged.map((a) => a.resourceVersion));
    assert.ok(Number(list.json.metadata.resourceVersion) >= maxAcked);
    // Paging works over the recovered data too.
    const page = await api(server, 'GET', `${CM}?limit=100`);
    assert.equal(page.status, 200);
    assert.equal(page.json.items.length, 100);
    assert.ok(page.json.metadata.continue);
    const next = await api(server, 'GET', `${CM}?limit=100&continue=${encodeURIComponent(page.json.metadata.continue)}`);
    assert.equal(next.status, 200, next.text);
    assert.ok(next.json.items.length > 0);
    // The label index matches what each client sent.
    const one = await api(server, 'GET', `${CM}?labelSelector=client%3D3`);
    assert.ok(one.json.items.every((i: any) => i.metadata.name.startsWith('cm-3-')));
    assert.ok(one.json.items.length >= acknowledged.filter((a) => a.name.startsWith('cm-3-')).length);
  });

  it('keeps resourceVersions monotonic after the restart', async () => {
    const before = await api(server, 'GET', CM);
    const highest = Math.max(Number(before.json.metadata.resourceVersion),
      ...before.json.items.map((i: any) => Number(i.metadata.resourceVersion)));
    let previous = highest;
    for (let i = 0; i < 5; i++) {
      const created = await api(server, 'POST', CM, { metadata: { name: `after-${i}` }, data: { i: String(i) } });
      assert.equal(created.status, 201, created.text);
      const rv = Number(created.json.metadata.resourceVersion);
      assert.ok(rv > previous, `resourceVersion ${rv} after ${previous}`);
      previous = rv;
    }
    const updated = await api(server, 'PATCH', `${CM}/${acknowledged[0]!.name}`, { data: { value: 'changed' } },
      { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(updated.status, 200, updated.text);
    assert.ok(Number(updated.json.metadata.resourceVersion) > previous);
    // A watch from an acknowledged resourceVersion replays the history after it.
    const from = acknowledged[acknowledged.length - 1]!.resourceVersion;
    const watch = await api(server, 'GET', `${CM}?watch=true&resourceVersion=${from}&timeoutSeconds=1`);
    assert.equal(watch.status, 200);
    const events = watch.text.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(events.length >= 6, `${events.length} events`);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.ok(rvs.every((rv, i) => rv > from && (i === 0 || rv > rvs[i - 1]!)), String(rvs));
    assert.equal(events.at(-1).object.data.value, 'changed');
  });
});
