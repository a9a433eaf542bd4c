import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdctl, makeTlsFiles, startEtcd, startEtcdCluster, type EtcdCluster } from '../../test/support/etcd.ts';
import { runStoreConformance } from './conformance.ts';
import { EtcdStore, rangeEnd } from './etcd.ts';
import { parseEtcdUrl } from './etcd/url.ts';
import { openStore } from './open.ts';
import { CompactedError, StoreUnavailableError, type Store, type WatchEvent } from './store.ts';

// One etcd for the conformance suite and most tests; each test keeps to its own key prefix.
const etcd = await startEtcd();
after(() => etcd.stop());

runStoreConformance('etcd', () => EtcdStore.open(etcd.url), {
  reopen: async (store) => {
    await store.close();
    return EtcdStore.open(etcd.url);
  },
});

const prefix = () => `/registry/test/${randomUUID()}/`;

function record(store: Store, key: string, afterRevision: number) {
  const events: WatchEvent[] = [];
  const errors: Error[] = [];
  const watcher = store.watch(key, afterRevision, { onEvent: (e) => events.push(e), onError: (e) => errors.push(e) });
  return { events, errors, watcher };
}

/** Writes under p until the watch sees a write: from then on, etcd has created it. */
async function watchCreated(store: Store, p: string, watch: { events: WatchEvent[] }): Promise<void> {
  let probes = 0;
  await until('the watch to be created', async () => {
    await store.create(`${p}probe-${probes++}`, 'x');
    return watch.events.length > 0;
  });
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('etcd store URLs', () => {
  it('parses endpoints (default port 2379), TLS files relative to the working directory and the user', () => {
    assert.deepEqual(parseEtcdUrl('etcd://127.0.0.1:2379'), { endpoints: ['127.0.0.1:2379'] });
    assert.deepEqual(parseEtcdUrl('etcd://etcd-a,etcd-b:32379,[::1]:4001/').endpoints, ['etcd-a:2379', 'etcd-b:32379', '[::1]:4001']);
    const config = parseEtcdUrl('etcd://h:1?cacert=ca.pem&cert=/abs/c.pem&key=k.pem&user=canopy:s%26cret', {});
    assert.deepEqual(config.tls, { cacert: join(process.cwd(), 'ca.pem'), cert: '/abs/c.pem', key: join(process.cwd(), 'k.pem') });
    assert.deepEqual(config.auth, { user: 'canopy', password: 's&cret' });
    assert.deepEqual(parseEtcdUrl('etcd://h?cacert=ca.pem', {}).tls, { cacert: join(process.cwd(), 'ca.pem') });
  });

  it('takes the password from $CANOPY_ETCD_PASSWORD when the URL has none', () => {
    assert.deepEqual(parseEtcdUrl('etcd://h?user=canopy', { CANOPY_ETCD_PASSWORD: 'from-env' }).auth, { user: 'canopy', password: 'from-env' });
    assert.deepEqual(parseEtcdUrl('etcd://h?user=canopy:in-url', { CANOPY_ETCD_PASSWORD: 'from-env' }).auth, { user: 'canopy', password: 'in-url' });
  });

  it('rejects malformed URLs with one line saying what to fix, never showing a password', () => {
    const cases: Array<[string, RegExp]> = [
      ['etcd://', /no endpoint; use etcd:\/\/HOST:PORT/],
      ['etcd://h:0', /"h:0" has no valid port/],
      ['etcd://h:99999', /"h:99999" has no valid port/],
      ['etcd://h:x', /"h:x" is not HOST or HOST:PORT/],
      ['etcd://a,,b', /"" is not HOST or HOST:PORT/],
      ['etcd://root:pw@h', /put credentials in \?user=NAME\[:PASSWORD\]/],
      ['etcd://h/prefix', /a path is not supported/],
      ['etcd://h?endpoints=x', /unknown parameter "endpoints"; accepted: cacert, cert, key, user/],
      ['etcd://h?cert=c.pem', /cert and key go together/],
      ['etcd://h?cacert=', /parameter "cacert" has no value/],
      ['etcd://h?user=a&user=b', /parameter "user" is given twice/],
      ['etcd://h?user=canopy', /no password for user canopy; use user=NAME:PASSWORD or set \$CANOPY_ETCD_PASSWORD/],
      ['etcd://h?user=:pw&x=1', /unknown parameter "x"/],
    ];
    for (const [url, message] of cases) {
      assert.throws(() => parseEtcdUrl(url, {}), (e: Error) => message.test(e.message) && !e.message.includes('\n'), url);
    }
    assert.throws(() => parseEtcdUrl('etcd://h?user=canopy:secret&bad=1', {}),
      (e: Error) => !e.message.includes('secret') && e.message.includes('user=canopy:***'));
  });

  it('openStore opens etcd:// URLs, and an unreachable etcd fails at once with one line', async () => {
    const store = await openStore(etcd.url, '/nonexistent');
    const p = prefix();
    await store.create(p + 'a', 'v');
    assert.equal((await store.get(p + 'a'))?.value, 'v');
    await store.close();
    const dead = `etcd://127.0.0.1:${await freePort()}`;
    await assert.rejects(openStore(dead, '/nonexistent'),
      (e: Error) => /^cannot use etcd at etcd:\/\/127\.0\.0\.1:(\d+): etcd 127\.0\.0\.1:\1: cannot connect \(connect ECONNREFUSED 127\.0\.0\.1:\1\)$/.test(e.message));
  });

  it('computes range ends in bytes', () => {
    assert.deepEqual(rangeEnd(Buffer.from('/a/')), Buffer.from('/a0'));
    assert.deepEqual(rangeEnd(Buffer.from([0x61, 0xff, 0xff])), Buffer.from([0x62]));
    assert.deepEqual(rangeEnd(Buffer.from([0xff])), Buffer.from([0]));
  });
});

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('EtcdStore on one etcd', () => {
  it('finds the compacted revision after a compaction made by another client', async () => {
    const store = await EtcdStore.open(etcd.url);
    const p = prefix();
    const first = await store.create(p + 'a', '1');
    await store.update(p + 'a', '2', first.modRevision);
    const target = await store.currentRevision();
    etcdctl(etcd.members, ['compact', String(target)]);
    assert.equal(await store.compactedRevision(), target);
    await assert.rejects(store.list(p, { revision: target - 1 }),
      (e) => e instanceof CompactedError && e.requested === target - 1 && e.compacted === target);
    const tooOld = record(store, p, target - 1);
    await until('the watch error', () => tooOld.errors.length > 0);
    assert.ok(tooOld.errors[0] instanceof CompactedError);
    await store.compact(target - 1);
    assert.equal(await store.compactedRevision(), target);
    await store.close();
  });

  it('fails with StoreUnavailableError while etcd is down, and works again once it is back', async () => {
    const own = await startEtcd();
    try {
      const store = await EtcdStore.open(own.url);
      const p = prefix();
      const kv = await store.create(p + 'a', '1');
      const watch = record(store, p, kv.modRevision);
      await watchCreated(store, p, watch);
      await own.members[0]!.kill();
      await until('the watch error', () => watch.errors.length > 0);
      assert.ok(watch.errors[0] instanceof StoreUnavailableError, String(watch.errors[0]));
      for (const operation of [() => store.get(p + 'a'), () => store.create(p + 'b', '1'), () => store.list(p), () => store.currentRevision()]) {
        await assert.rejects(operation(), (e) => e instanceof StoreUnavailableError && /etcd 127\.0\.0\.1:\d+/.test(e.message));
      }
      await own.members[0]!.start();
      await until('etcd to answer again', () => store.get(p + 'a').then(() => true, () => false));
      assert.equal((await store.update(p + 'a', '2', kv.modRevision)).value, '2');
      await store.close();
    } finally {
      await own.stop();
    }
  });
});

/** etcd's own count of its watchers (its metric etcd_debugging_mvcc_watcher_total). */
async function etcdWatchers(cluster: EtcdCluster): Promise<number> {
  const metrics = await (await fetch(`${cluster.members[0]!.clientUrl}/metrics`)).text();
  return Number(/^etcd_debugging_mvcc_watcher_total (\S+)$/m.exec(metrics)?.[1]);
}

describe('EtcdStore watches of one prefix', () => {
  it('share one etcd watch when they start at the same revision; an older one gets its own', async () => {
    const own = await startEtcd();
    try {
      const store = await EtcdStore.open(own.url);
      const p = prefix();
      const first = await store.create(p + 'a', '1');
      const before = await etcdWatchers(own);
      const watches = Array.from({ length: 20 }, () => record(store, p, first.modRevision));
      const created = [];
      for (let i = 0; i < 3; i++) created.push((await store.create(`${p}k${i}`, `${i}`)).modRevision);
      await until('every watch to see every create', () => watches.every((w) => w.events.length >= created.length || w.errors.length > 0));
      for (const watch of watches) {
        assert.deepEqual(watch.errors, []);
        assert.deepEqual(watch.events.map((e) => e.revision), created);
      }
      assert.equal(await etcdWatchers(own), before + 1);
      // The shared watch has passed on events after first.modRevision - 1 already: this one cannot join it.
      const older = record(store, p, first.modRevision - 1);
      await until('the older watch to catch up', () => older.events.length >= 4 || older.errors.length > 0);
      assert.deepEqual(older.events.map((e) => e.revision), [first.modRevision, ...created]);
      assert.equal(await etcdWatchers(own), before + 2);
      for (const watch of [...watches, older]) watch.watcher.close();
      await until('etcd to drop the watches', async () => await etcdWatchers(own) === before);
      await store.close();
    } finally {
      await own.stop();
    }
  });
});

describe('EtcdStore over TLS with client certificates', () => {
  let dir: string;
  let secure: EtcdCluster;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'canopy-etcd-tls-'));
    const tls = makeTlsFiles(dir);
    secure = await startEtcd({ tls });
    (secure as EtcdCluster & { tlsFiles: typeof tls }).tlsFiles = tls;
  });
  after(async () => {
    await secure?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with cacert, cert and key; refuses to open without a client certificate', async () => {
    const tls = (secure as EtcdCluster & { tlsFiles: ReturnType<typeof makeTlsFiles> }).tlsFiles;
    const store = await openStore(`${secure.url}?cacert=${tls.ca}&cert=${tls.clientCert}&key=${tls.clientKey}`, dir);
    const p = prefix();
    const kv = await store.create(p + 'a', 'over tls');
    const watch = record(store, p, kv.modRevision);
    await store.update(p + 'a', 'changed', kv.modRevision);
    await until('the watch event', () => watch.events.length > 0 || watch.errors.length > 0);
    assert.deepEqual(watch.events.map((e) => e.kv.value), ['changed']);
    await store.close();
    await assert.rejects(openStore(`${secure.url}?cacert=${tls.ca}`, dir), (e: Error) => /^cannot use etcd at .*: etcd 127\.0\.0\.1:\d+: /.test(e.message));
    await assert.rejects(openStore(secure.url, dir), /cannot use etcd at /);
  });
});

describe('EtcdStore with user and password', () => {
  let secured: EtcdCluster;
  before(async () => {
    secured = await startEtcd({ args: ['--auth-token-ttl', '1'] });
    etcdctl(secured.members, ['user', 'add', 'root:root-secret']);
    etcdctl(secured.members, ['user', 'add', 'canopy:canopy-secret']);
    etcdctl(secured.members, ['role', 'add', 'canopy']);
    etcdctl(secured.members, ['role', 'grant-permission', 'canopy', '--prefix=true', 'readwrite', '/registry/']);
    etcdctl(secured.members, ['user', 'grant-role', 'canopy', 'canopy']);
    etcdctl(secured.members, ['auth', 'enable']);
  });
  after(() => secured?.stop());

  it('authenticates with user=NAME:PASSWORD or $CANOPY_ETCD_PASSWORD; a wrong password fails at open', async () => {
    const store = await openStore(`${secured.url}?user=canopy:canopy-secret`, '/nonexistent');
    const p = prefix();
    await store.create(p + 'a', 'v');
    await store.close();
    process.env.CANOPY_ETCD_PASSWORD = 'canopy-secret';
    try {
      const fromEnv = await openStore(`${secured.url}?user=canopy`, '/nonexistent');
      assert.equal((await fromEnv.get(p + 'a'))?.value, 'v');
      await fromEnv.close();
    } finally {
      delete process.env.CANOPY_ETCD_PASSWORD;
    }
    await assert.rejects(openStore(`${secured.url}?user=canopy:wrong`, '/nonexistent'),
      (e: Error) => /authentication as canopy failed: etcdserver: authentication failed, invalid user ID or password/.test(e.message)
        && !e.message.includes('wrong'));
    await assert.rejects(openStore(secured.url, '/nonexistent'), /user name is empty|permission denied/);
  });

  it('authenticates again when its token expired, for calls and for watches', async () => {
    const store = await EtcdStore.open(`${secured.url}?user=canopy:canopy-secret`);
    const p = prefix();
    const kv = await store.create(p + 'a', '1');
    const first = record(store, p + 'first/', kv.modRevision);
    await watchCreated(store, p + 'first/', first);
    first.watcher.close();
    // The token lives 1 s (--auth-token-ttl) after its last use.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const updated = await store.update(p + 'a', '2', kv.modRevision);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const watch = record(store, p + 'a', kv.modRevision);
    await until('the watch event', () => watch.events.length > 0 || watch.errors.length > 0);
    assert.deepEqual(watch.errors, []);
    assert.deepEqual(watch.events.map((e) => e.revision), [updated.modRevision]);
    await store.close();
  });

  it('names a missing permission', async () => {
    const store = await EtcdStore.open(`${secured.url}?user=canopy:canopy-secret`);
    await assert.rejects(store.get('/elsewhere/x'), /etcd 127\.0\.0\.1:\d+: etcdserver: permission denied/);
    await store.close();
  });
});

describe('EtcdStore on a three-member cluster', () => {
  let cluster: EtcdCluster;
  before(async () => { cluster = await startEtcdCluster(3); });
  after(() => cluster?.stop());

  it('moves to another member when the one it uses goes down', async () => {
    const store = await EtcdStore.open(cluster.url);
    const p = prefix();
    const kv = await store.create(p + 'a', '1');
    const watch = record(store, p, kv.modRevision);
    await watchCreated(store, p, watch);
    // Calls go to the first endpoint until it fails.
    await cluster.members[0]!.kill();
    await until('the watch error', () => watch.errors.length > 0);
    assert.ok(watch.errors[0] instanceof StoreUnavailableError);
    assert.equal((await store.get(p + 'a'))?.value, '1');
    const updated = await store.update(p + 'a', '2', kv.modRevision);
    const again = record(store, p, kv.modRevision);
    await until('the replayed event', () => again.events.length > 0 || again.errors.length > 0);
    assert.deepEqual(again.errors, []);
    assert.equal(again.events.find((e) => e.kv.key === p + 'a')?.revision, updated.modRevision);
    await cluster.members[0]!.start();
    await store.close();
  });
});
