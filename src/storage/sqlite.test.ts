import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { runStoreConformance } from './conformance.ts';
import { openStore } from './open.ts';
import { prefixEnd, SqliteStore } from './sqlite.ts';
import type { Store, WatchEvent } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'canopy-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const newPath = () => join(dir, `store-${files++}.db`);
const paths = new WeakMap<Store, string>();

function openFile(path = newPath()): SqliteStore {
  const store = SqliteStore.open(path);
  paths.set(store, path);
  return store;
}

runStoreConformance('sqlite file', async () => openFile(), {
  reopen: async (store) => {
    await store.close();
    return openFile(paths.get(store));
  },
});

runStoreConformance('sqlite :memory:', async () => SqliteStore.open(':memory:'));

function rowCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM kv').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('SqliteStore', () => {
  it('keeps the revision counter across a restart even when compaction removed the newest row', async () => {
    const path = newPath();
    let store = openFile(path);
    const kv = await store.create('/a', '1');
    const deleted = await store.delete('/a', kv.modRevision);
    await store.compact(deleted.revision);
    assert.equal(rowCount(path), 0);
    await store.close();
    store = openFile(path);
    assert.equal(await store.currentRevision(), deleted.revision);
    assert.equal(await store.compactedRevision(), deleted.revision);
    assert.equal((await store.create('/a', '2')).modRevision, deleted.revision + 1);
    await store.close();
  });

  it('compaction deletes superseded rows and tombstones, in chunks', async () => {
    const path = newPath();
    const store = openFile(path);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 6000; i++) writes.push(store.create(`/k/${i}`, 'v1'));
    await Promise.all(writes);
    const kv = await store.update('/k/0', 'v2', 1);
    await store.delete('/k/1');
    await store.compact(kv.modRevision + 1);
    assert.equal(rowCount(path), 5999);
    assert.equal(await store.count('/k/'), 5999);
    assert.equal((await store.get('/k/0'))?.value, 'v2');
    await store.close();
  });

  it('delivers watch events only after the write has resolved', async () => {
    const store = SqliteStore.open(':memory:');
    let resolved = false;
    const seen: boolean[] = [];
    store.watch('/', 0, { onEvent: () => seen.push(resolved), onError: () => {} });
    await store.create('/x', 'v').then(() => { resolved = true; });
    while (seen.length === 0) await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [true]);
    await store.close();
  });

  it('ends a watch whose handler throws, without disturbing other watches', async () => {
    const store = SqliteStore.open(':memory:');
    const errors: Error[] = [];
    const events: WatchEvent[] = [];
    store.watch('/', 0, { onEvent: () => { throw new Error('boom'); }, onError: (e) => errors.push(e) });
    store.watch('/', 0, { onEvent: (e) => events.push(e), onError: (e) => errors.push(e) });
    await store.create('/a', '1');
    await store.create('/b', '1');
    while (events.length < 2) await new Promise((r) => setImmediate(r));
    assert.deepEqual(errors.map((e) => e.message), ['boom']);
    await store.close();
    while (errors.length < 2) await new Promise((r) => setImmediate(r));
    assert.match(errors[1].message, /closed/);
  });

  it('rejects operations after close', async () => {
    const store = SqliteStore.open(':memory:');
    await store.close();
    await assert.rejects(store.create('/a', '1'), /closed/);
    await assert.rejects(store.get('/a'), /closed/);
  });

  it('computes prefix ends in UTF-8 byte order', () => {
    assert.equal(prefixEnd('/a/b/'), '/a/b0');
    assert.equal(prefixEnd(''), undefined);
    assert.equal(prefixEnd('a\u{10ffff}'), 'b');
    assert.equal(prefixEnd('\ud7ff'), '\ue000');
    assert.equal(prefixEnd('😀'), '😁');
  });

  it('keeps every acknowledged write when the process is killed with SIGKILL', async () => {
    const path = newPath();
    const script = fileURLToPath(new URL('./testdata/crash-writer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acknowledged: { key: string; revision: number }[] = [];
    let output = '';
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
    await new Promise<void>((done, fail) => {
      child.on('exit', () => fail(new Error('the writer exited before it was killed')));
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const lines = output.split('\n');
        output = lines.pop()!;
        for (const line of lines) {
          const [key, revision] = line.split(' ');
          acknowledged.push({ key, revision: Number(revision) });
        }
        if (acknowledged.length >= 300) {
          child.kill('SIGKILL');
          done();
        }
      });
    });
    assert.equal(await exited, 'SIGKILL');

    const db = new Database(path);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
    const store = openFile(path);
    for (const { key, revision } of acknowledged) {
      assert.equal((await store.get(key))?.modRevision, revision, `acknowledged ${key} is missing`);
    }
    assert.ok(await store.currentRevision() >= Math.max(...acknowledged.map((a) => a.revision)));
    const next = await store.create('/after-crash', 'v');
    assert.ok(next.modRevision > Math.max(...acknowledged.map((a) => a.revision)));
    await store.close();
  });
});

describe('openStore', () => {
  it('opens sqlite:PATH relative to the working directory', async () => {
    const store = await openStore(`sqlite:${relative(process.cwd(), join(dir, 'relative.db'))}`, dir);
    await store.create('/a', '1');
    await store.close();
    assert.equal(rowCount(resolve(dir, 'relative.db')), 1);
  });

  it('opens <stateDir>/canopy.db when no URL is given', async () => {
    const stateDir = join(dir, 'state', 'nested');
    const store = await openStore('', stateDir);
    await store.create('/a', '1');
    await store.close();
    assert.equal(rowCount(join(stateDir, 'canopy.db')), 1);
  });

  it('rejects unknown schemes with a clear message', async () => {
    await assert.rejects(openStore('postgres://x', dir), /unsupported store URL "postgres:\/\/x"; use sqlite:PATH or etcd:\/\/HOST:PORT/);
  });
});
