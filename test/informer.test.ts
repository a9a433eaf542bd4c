// Watches as clients use them: @kubernetes/client-node's informer (add/update/delete, resuming across a
// server restart, re-listing after 410 Gone), and the raw watch protocol over HTTPS (resourceVersion
// resume, initial events with the initial-events-end bookmark, field and label selectors, 410 Expired).
import assert from 'node:assert/strict';
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type ObjectCache, type V1ConfigMap } from '@kubernetes/client-node';
import { api, removeDir, startServer, type RunningServer } from './support/server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function ok(server: RunningServer, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const res = await api(server, method, path, body, headers);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
  return res.json;
}

const configMap = (name: string, labels?: Record<string, string>, data: Record<string, string> = { k: 'v' }) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data });

interface WatchEventLine {
  type: string;
  object: any;
}

/** A raw watch stream: every event line as it arrives. */
class RawWatch {
  readonly events: WatchEventLine[] = [];
  ended = false;
  status = 0;
  private req!: ClientRequest;
  private readonly opened: Promise<void>;

  constructor(server: RunningServer, path: string) {
    let buffer = '';
    this.opened = new Promise((resolve, reject) => {
      this.req = request(new URL(path, server.url), {
        method: 'GET', ca: server.ca, agent: false, headers: { Authorization: `Bearer ${server.token}` },
      }, (res) => {
        this.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line) this.events.push(JSON.parse(line));
          }
        });
        res.on('end', () => { this.ended = true; });
        res.on('close', () => { this.ended = true; });
        resolve();
      });
      this.req.on('error', (e: Error) => { this.ended = true; reject(e); });
      this.req.end();
    });
  }

  async open(): Promise<this> {
    await this.opened;
    assert.equal(this.status, 200);
    return this;
  }

  /** Waits until at least n events arrived and returns them all. */
  async atLeast(n: number, timeoutMs = 10_000): Promise<WatchEventLine[]> {
    await until(`${n} watch events (have ${JSON.stringify(this.events.map((e) => [e.type, e.object?.metadata?.name]))})`,
      () => this.events.length >= n, timeoutMs);
    return this.events;
  }

  /** Waits for the stream to end. */
  async end(timeoutMs = 10_000): Promise<WatchEventLine[]> {
    await until('the watch to end', () => this.ended, timeoutMs);
    return this.events;
  }

  close(): void {
    this.req.destroy();
  }
}

const summary = (events: WatchEventLine[]) => events.map((e) => `${e.type} ${e.object?.metadata?.name ?? ''}`);

describe('client-node informer', () => {
  let server: RunningServer;
  let dir: string;
  let port: number;
  let kc: KubeConfig;
  let informer: Informer<V1ConfigMap> & ObjectCache<V1ConfigMap>;
  let lists = 0;
  let running = true;
  const adds: string[] = [];
  const updates: Array<{ name: string; data?: Record<string, string> }> = [];
  const deletes: string[] = [];
  const errors: unknown[] = [];

  before(async () => {
    server = await startServer();
    dir = server.dir;
    port = Number(new URL(server.url).port);
    await ok(server, 'POST', '/api/v1/namespaces', { metadata: { name: 'x' } });
    await ok(server, 'POST', '/api/v1/namespaces', { metadata: { name: 'y' } });
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    const coreApi = kc.makeApiClient(CoreV1Api);
    informer = makeInformer(kc, '/api/v1/namespaces/x/configmaps', () => {
      lists++;
      return coreApi.listNamespacedConfigMap({ namespace: 'x' });
    });
    informer.on('add', (cm) => adds.push(cm.metadata!.name!));
    informer.on('update', (cm) => updates.push({ name: cm.metadata!.name!, data: cm.data }));
    informer.on('delete', (cm) => deletes.push(cm.metadata!.name!));
    // client-node stops an informer on any error but 410; restarting it is the caller's job.
    informer.on('error', (err) => {
      errors.push(err);
      if (running) setTimeout(() => { if (running) void informer.start(); }, 200);
    });
    await informer.start();
  });

  after(async () => {
    running = false;
    await informer?.stop();
    await server?.stop();
    if (dir) removeDir(dir);
  });

  it('delivers add, update and delete events', async () => {
    await ok(server, 'POST', '/api/v1/namespaces/x/configmaps', configMap('a'));
    await until('add a', () => adds.includes('a'));
    await ok(server, 'PATCH', '/api/v1/namespaces/x/configmaps/a', { data: { k: 'v2' } },
      { 'Content-Type': 'application/merge-patch+json' });
    await until('update a', () => updates.some((u) => u.name === 'a' && u.data?.k === 'v2'));
    await ok(server, 'DELETE', '/api/v1/namespaces/x/configmaps/a');
    await until('delete a', () => deletes.includes('a'));
    assert.equal(informer.get('a', 'x'), undefined);
    // Objects elsewhere are not seen.
    await ok(server, 'POST', '/api/v1/namespaces/y/configmaps', configMap('elsewhere'));
    await ok(server, 'POST', '/api/v1/namespaces/x/configmaps', configMap('b'));
    await ok(server, 'POST', '/api/v1/namespaces/x/configmaps', configMap('c'));
    await until('adds b and c', () => adds.includes('b') && adds.includes('c'));
    assert.ok(!adds.includes('elsewhere'));
    assert.deepEqual(adds, ['a', 'b', 'c']);
    assert.equal(lists, 1);
  });

  it('resumes after the server restarts on the same directory and port', async () => {
    const listsBefore = lists;
    await server.stop();
    server = await startServer({ dir, port });
    assert.equal(Number(new URL(server.url).port), port);
    await ok(server, 'POST', '/api/v1/namespaces/x/configmaps', configMap('d'));
    await until('add d after the restart', () => adds.includes('d'), 20_000);
    await ok(server, 'PATCH', '/api/v1/namespaces/x/configmaps/b', { data: { k: 'after-restart' } },
      { 'Content-Type': 'application/merge-patch+json' });
    await until('update b after the restart', () => updates.some((u) => u.name === 'b' && u.data?.k === 'after-restart'));
    // The informer re-watched from its resourceVersion: existing objects were not added again.
    assert.deepEqual(adds, ['a', 'b', 'c', 'd']);
    assert.deepEqual(deletes, ['a']);
    assert.equal(lists, listsBefore, 'no re-list was needed');
    assert.deepEqual(informer.list('x').map((cm) => cm.metadata!.name).sort(), ['b', 'c', 'd']);
  });

  it('re-lists after its resourceVersion was compacted away (410), without duplicate adds', async () => {
    // Aborting the watch reports an error too: keep the error handler from restarting the informer.
    running = false;
    await informer.stop();
    await sleep(500);
    const staleRv = (informer as unknown as { latestResourceVersion(): string }).latestResourceVersion();
    assert.match(staleRv, /^\d+$/);
    await server.stop();
    server = await startServer({ dir, port, args: ['--compaction-interval', '1'] });
    // Changes the stopped informer misses, then enough history for the compactor to pass staleRv.
    await ok(server, 'POST', '/api/v1/namespaces/x/configmaps', configMap('while-away'));
    await ok(server, 'DELETE', '/api/v1/namespaces/x/configmaps/c');
    const expired = await until('the compactor to pass the informer\'s resourceVersion', async () => {
      await ok(server, 'POST', '/api/v1/namespaces/y/configmaps', { ...configMap('tick'), metadata: { generateName: 'tick-' } });
      const watch = await new RawWatch(server, `/api/v1/namespaces/x/configmaps?watch=true&resourceVersion=${staleRv}`).open();
      await until('a first event', () => watch.events.length > 0 || watch.ended);
      watch.close();
      const first = watch.events[0];
      return first?.type === 'ERROR' ? first : undefined;
    }, 20_000);
    assert.equal(expired.object.kind, 'Status');
    assert.equal(expired.object.status, 'Failure');
    assert.equal(expired.object.code, 410);
    assert.equal(expired.object.reason, 'Expired');

    const listsBefore = lists;
    running = true;
    await informer.start();
    await until('add while-away after the re-list', () => adds.includes('while-away'), 20_000);
    await until('delete c after the re-list', () => deletes.includes('c'));
    assert.ok(lists > listsBefore, 'the informer re-listed');
    assert.deepEqual(adds, ['a', 'b', 'c', 'd', 'while-away']);
    await ok(server, 'POST', '/api/v1/namespaces/x/configmaps', configMap('e'));
    await until('add e', () => adds.includes('e'));
    assert.deepEqual(informer.list('x').map((cm) => cm.metadata!.name).sort(), ['b', 'd', 'e', 'while-away']);
  });
});

describe('raw watch protocol', () => {
  let server: RunningServer;
  const NS = 'w';
  const base = `/api/v1/namespaces/${NS}/configmaps`;

  before(async () => {
    server = await startServer();
    await ok(server, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
  });
  after(async () => {
    await server?.stop();
    if (server) removeDir(server.dir);
  });

  it('?watch=true&resourceVersion=<rv> resumes strictly after rv', async () => {
    const one = await ok(server, 'POST', base, configMap('r1'));
    await ok(server, 'PATCH', `${base}/r1`, { data: { k: 'v2' } }, { 'Content-Type': 'application/merge-patch+json' });
    await ok(server, 'POST', base, configMap('r2'));
    await ok(server, 'DELETE', `${base}/r1`);
    const watch = await new RawWatch(server, `${base}?watch=true&resourceVersion=${one.metadata.resourceVersion}`).open();
    try {
      const events = await watch.atLeast(3);
      assert.deepEqual(summary(events), ['MODIFIED r1', 'ADDED r2', 'DELETED r1']);
      assert.equal(events[0]!.object.data.k, 'v2');
      const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
      assert.ok(rvs.every((rv, i) => rv > Number(one.metadata.resourceVersion) && (i === 0 || rv > rvs[i - 1]!)), String(rvs));
      assert.equal(events[0]!.object.kind, 'ConfigMap');
      assert.equal(events[0]!.object.apiVersion, 'v1');
      // Then live events.
      await ok(server, 'POST', base, configMap('r3'));
      assert.deepEqual(summary(await watch.atLeast(4)).slice(3), ['ADDED r3']);
    } finally {
      watch.close();
    }
  });

  it('sendInitialEvents gives the current state, then a BOOKMARK with k8s.io/initial-events-end', async () => {
    const list = await ok(server, 'GET', base);
    const names = list.items.map((i: any) => i.metadata.name).sort();
    assert.ok(names.length >= 2);
    const watch = await new RawWatch(server,
      `${base}?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`).open();
    try {
      const events = await watch.atLeast(names.length + 1);
      const initial = events.slice(0, names.length);
      assert.ok(initial.every((e) => e.type === 'ADDED'), JSON.stringify(summary(events)));
      assert.deepEqual(initial.map((e) => e.object.metadata.name).sort(), names);
      const bookmark = events[names.length]!;
      assert.equal(bookmark.type, 'BOOKMARK');
      assert.equal(bookmark.object.kind, 'ConfigMap');
      assert.equal(bookmark.object.apiVersion, 'v1');
      assert.equal(bookmark.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
      assert.ok(Number(bookmark.object.metadata.resourceVersion) >= Number(list.metadata.resourceVersion));
      await ok(server, 'POST', base, configMap('after-bookmark'));
      const next = await watch.atLeast(names.length + 2);
      assert.deepEqual(summary(next.slice(names.length + 1)), ['ADDED after-bookmark']);
    } finally {
      watch.close();
    }
  });

  it('sendInitialEvents without resourceVersionMatch=NotOlderThan is rejected', async () => {
    const res = await api(server, 'GET', `${base}?watch=true&sendInitialEvents=true`);
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.reason, 'BadRequest');
  });

  it('fieldSelector=metadata.name=foo with no resourceVersion sends the synthetic ADDED for foo only', async () => {
    await ok(server, 'POST', base, configMap('foo'));
    await ok(server, 'POST', base, configMap('bar'));
    const watch = await new RawWatch(server, `${base}?watch=true&fieldSelector=${encodeURIComponent('metadata.name=foo')}`).open();
    try {
      const [first] = await watch.atLeast(1);
      assert.equal(first!.type, 'ADDED');
      assert.equal(first!.object.metadata.name, 'foo');
      await ok(server, 'PATCH', `${base}/bar`, { data: { k: 'x' } }, { 'Content-Type': 'application/merge-patch+json' });
      await ok(server, 'PATCH', `${base}/foo`, { data: { k: 'y' } }, { 'Content-Type': 'application/merge-patch+json' });
      const events = await watch.atLeast(2);
      assert.deepEqual(summary(events), ['ADDED foo', 'MODIFIED foo']);
      await sleep(200);
      assert.equal(watch.events.length, 2, JSON.stringify(summary(watch.events)));
    } finally {
      watch.close();
    }
  });

  it('a label-selector watch turns a relabel away into DELETED and back into ADDED', async () => {
    const created = await ok(server, 'POST', base, configMap('lab', { app: 'one' }));
    const watch = await new RawWatch(server,
      `${base}?watch=true&labelSelector=${encodeURIComponent('app=one')}&resourceVersion=${created.metadata.resourceVersion}`).open();
    try {
      await ok(server, 'PATCH', `${base}/lab`, { metadata: { labels: { app: 'two' } } }, { 'Content-Type': 'application/merge-patch+json' });
      const [gone] = await watch.atLeast(1);
      assert.equal(gone!.type, 'DELETED');
      assert.equal(gone!.object.metadata.name, 'lab');
      await ok(server, 'PATCH', `${base}/lab`, { data: { k: 'unseen' } }, { 'Content-Type': 'application/merge-patch+json' });
      await ok(server, 'PATCH', `${base}/lab`, { metadata: { labels: { app: 'one' } } }, { 'Content-Type': 'application/merge-patch+json' });
      const events = await watch.atLeast(2);
      assert.deepEqual(summary(events), ['DELETED lab', 'ADDED lab']);
      assert.equal(events[1]!.object.data.k, 'unseen');
    } finally {
      watch.close();
    }
  });

  it('a resourceVersion older than the compacted revision gives an ERROR event with 410 Expired', async () => {
    // A server of its own, compacting every second.
    const compacting = await startServer({ args: ['--compaction-interval', '1'] });
    try {
      await ok(compacting, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
      const first = await ok(compacting, 'POST', base, configMap('old'));
      const event = await until('compaction past the first resourceVersion', async () => {
        await ok(compacting, 'POST', base, { ...configMap('x'), metadata: { generateName: 'filler-' } });
        const watch = await new RawWatch(compacting, `${base}?watch=true&resourceVersion=${first.metadata.resourceVersion}`).open();
        await until('a first event', () => watch.events.length > 0 || watch.ended);
        const e = watch.events[0];
        if (e?.type !== 'ERROR') { watch.close(); return undefined; }
        await watch.end();
        return e;
      }, 20_000);
      assert.equal(event.object.kind, 'Status');
      assert.equal(event.object.apiVersion, 'v1');
      assert.equal(event.object.status, 'Failure');
      assert.equal(event.object.code, 410);
      assert.equal(event.object.reason, 'Expired');
      assert.match(event.object.message, /too old resource version/);
      // A list at that exact resourceVersion is gone too; resourceVersion=0 still works.
      const list = await api(compacting, 'GET', `${base}?resourceVersion=${first.metadata.resourceVersion}&resourceVersionMatch=Exact`);
      assert.equal(list.status, 410, list.text);
      assert.equal(list.json.reason, 'Expired');
      const fresh = await new RawWatch(compacting, `${base}?watch=true&resourceVersion=0`).open();
      try {
        const events = await fresh.atLeast(2);
        assert.ok(events.every((e) => e.type === 'ADDED'), JSON.stringify(summary(events)));
      } finally {
        fresh.close();
      }
    } finally {
      await compacting.stop();
      removeDir(compacting.dir);
    }
  });
});
