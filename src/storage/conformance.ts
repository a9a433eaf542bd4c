// The behaviour every Store backend must have. A backend's test file calls runStoreConformance unchanged.
// Each test works under its own random key prefix, so backends whose stores share data (one etcd for all
// tests) work too; revisions are only assumed to grow, never to be consecutive or to start anywhere.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CompactedError, ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError, StoreUnavailableError,
  type Store, type WatchEvent,
} from './store.ts';

export interface ConformanceOptions {
  /** Closes the store and opens the same data again; enables the persistence tests. */
  reopen?: (store: Store) => Promise<Store>;
  /** How long to wait for watch events before failing (default 5000 ms). */
  timeoutMs?: number;
}

export function runStoreConformance(name: string, open: () => Promise<Store>, opts: ConformanceOptions = {}): void {
  const timeoutMs = opts.timeoutMs ?? 5000;

  /** Runs body with a fresh store and a key prefix no other test uses, then closes the store: the one body
   *  returns if it reopened it, none if body returns 'closed'. */
  function test(title: string, body: (store: Store, p: string) => Promise<Store | 'closed' | void>): void {
    it(title, async () => {
      let store: Store | 'closed' = await open();
      try {
        store = (await body(store, `/conformance/${randomUUID()}/`)) ?? store;
      } finally {
        if (store !== 'closed') await store.close();
      }
    });
  }

  async function eventually(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  function record(store: Store, prefix: string, afterRevision: number) {
    const events: WatchEvent[] = [];
    const errors: Error[] = [];
    const watcher = store.watch(prefix, afterRevision, {
      onEvent: (event) => events.push(event),
      onError: (error) => errors.push(error),
    });
    return {
      events,
      errors,
      watcher,
      async waitForEvents(count: number): Promise<WatchEvent[]> {
        await eventually(() => events.length >= count || errors.length > 0, `${count} events under ${prefix}`);
        assert.deepEqual(errors, []);
        return events;
      },
      async waitForError(): Promise<Error> {
        await eventually(() => errors.length > 0, `a watch error under ${prefix}`);
        return errors[0];
      },
    };
  }

  const summary = (events: WatchEvent[]) => events.map((e) => `${e.type} ${e.kv.key}=${e.kv.value}`);
  const keysOf = (kvs: { key: string }[]) => kvs.map((kv) => kv.key);
  const byteOrder = (keys: string[]) => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

  describe(`Store conformance: ${name}`, () => {
    describe('single keys', () => {
      test('create then get returns the value with create and mod revisions', async (store, p) => {
        const kv = await store.create(p + 'a', 'v1');
        assert.equal(kv.key, p + 'a');
        assert.equal(kv.value, 'v1');
        assert.ok(kv.createRevision > 0);
        assert.equal(kv.modRevision, kv.createRevision);
        assert.deepEqual(await store.get(p + 'a'), kv);
        assert.equal(await store.get(p + 'missing'), undefined);
      });

      test('create of an existing key fails with KeyExistsError', async (store, p) => {
        await store.create(p + 'a', 'v1');
        await assert.rejects(store.create(p + 'a', 'v2'), (e) => e instanceof KeyExistsError && e.key === p + 'a');
        assert.equal((await store.get(p + 'a'))?.value, 'v1');
      });

      test('update is a compare-and-swap on modRevision', async (store, p) => {
        const created = await store.create(p + 'a', 'v1');
        const updated = await store.update(p + 'a', 'v2', created.modRevision);
        assert.equal(updated.value, 'v2');
        assert.equal(updated.createRevision, created.createRevision);
        assert.ok(updated.modRevision > created.modRevision);
        await assert.rejects(store.update(p + 'a', 'v3', created.modRevision),
          (e) => e instanceof ConflictError && e.key === p + 'a' && e.actualModRevision === updated.modRevision);
        assert.deepEqual(await store.get(p + 'a'), updated);
      });

      test('update of a missing key fails with KeyNotFoundError', async (store, p) => {
        await assert.rejects(store.update(p + 'missing', 'v', 1), KeyNotFoundError);
        const kv = await store.create(p + 'gone', 'v');
        await store.delete(p + 'gone');
        await assert.rejects(store.update(p + 'gone', 'v2', kv.modRevision), KeyNotFoundError);
      });

      test('delete without an expected revision returns the deleted value', async (store, p) => {
        const kv = await store.create(p + 'a', 'v1');
        const deleted = await store.delete(p + 'a');
        assert.deepEqual(deleted.kv, kv);
        assert.ok(deleted.revision > kv.modRevision);
        assert.equal(await store.get(p + 'a'), undefined);
        await assert.rejects(store.delete(p + 'a'), KeyNotFoundError);
        await assert.rejects(store.delete(p + 'never'), KeyNotFoundError);
      });

      test('delete with an expected revision is a compare-and-delete', async (store, p) => {
        const v1 = await store.create(p + 'a', 'v1');
        const v2 = await store.update(p + 'a', 'v2', v1.modRevision);
        await assert.rejects(store.delete(p + 'a', v1.modRevision),
          (e) => e instanceof ConflictError && e.actualModRevision === v2.modRevision);
        assert.equal((await store.get(p + 'a'))?.value, 'v2');
        const deleted = await store.delete(p + 'a', v2.modRevision);
        assert.deepEqual(deleted.kv, v2);
        await assert.rejects(store.delete(p + 'a', v2.modRevision), KeyNotFoundError);
      });

      test('a key created again after a delete gets a new createRevision', async (store, p) => {
        const first = await store.create(p + 'a', 'v1');
        const deleted = await store.delete(p + 'a');
        const second = await store.create(p + 'a', 'v2');
        assert.ok(second.createRevision > deleted.revision);
        assert.equal(second.modRevision, second.createRevision);
        assert.notEqual(second.createRevision, first.createRevision);
      });

      test('every write gets a new, greater global revision', async (store, p) => {
        const start = await store.currentRevision();
        const revisions: number[] = [];
        const a = await store.create(p + 'a', '1');
        revisions.push(a.modRevision);
        revisions.push((await store.create(p + 'b', '1')).modRevision);
        revisions.push((await store.update(p + 'a', '2', a.modRevision)).modRevision);
        revisions.push((await store.delete(p + 'b')).revision);
        assert.ok(revisions[0] > start);
        for (let i = 1; i < revisions.length; i++) assert.ok(revisions[i] > revisions[i - 1], `${revisions}`);
        assert.ok(await store.currentRevision() >= revisions[revisions.length - 1]);
      });

      test('large values (1 MiB) round-trip', async (store, p) => {
        const big = 'x'.repeat(1024 * 1024 - 10) + 'ünïcødé';
        const watch = record(store, p, await store.currentRevision());
        const kv = await store.create(p + 'big', big);
        assert.equal((await store.get(p + 'big'))?.value, big);
        assert.equal((await store.list(p)).kvs[0].value, big);
        assert.equal((await watch.waitForEvents(1))[0].kv.value, big);
        watch.watcher.close();
        await store.update(p + 'big', big + '!', kv.modRevision);
        assert.equal((await store.get(p + 'big'))?.value, big + '!');
      });

      test('unicode keys are stored, listed in UTF-8 byte order and watched', async (store, p) => {
        const names = ['zebra', 'é', '日本/東京', '日本/大阪', '😀', '\uff5e', 'a b', 'ß/%2F'];
        const watch = record(store, p + '日本/', await store.currentRevision());
        for (const n of names) await store.create(p + n, `value of ${n}`);
        for (const n of names) assert.equal((await store.get(p + n))?.value, `value of ${n}`);
        assert.deepEqual(keysOf((await store.list(p)).kvs), byteOrder(names.map((n) => p + n)));
        assert.deepEqual(keysOf((await store.list(p + '日本/')).kvs), [p + '日本/大阪', p + '日本/東京']);
        assert.deepEqual(summary(await watch.waitForEvents(2)),
          [`put ${p}日本/東京=value of 日本/東京`, `put ${p}日本/大阪=value of 日本/大阪`]);
        watch.watcher.close();
      });
    });

    describe('lists', () => {
      test('list returns the keys under a prefix, sorted, and respects prefix boundaries', async (store, p) => {
        for (const k of ['a/b/2', 'a/b/1', 'a/bc/1', 'a/b', 'a/c', 'b/1']) await store.create(p + k, k);
        const last = await store.create(p + 'a/b/0', 'a/b/0');
        const list = await store.list(p + 'a/b/');
        assert.deepEqual(keysOf(list.kvs), [p + 'a/b/0', p + 'a/b/1', p + 'a/b/2']);
        assert.equal(list.more, false);
        assert.ok(list.revision >= last.modRevision);
        assert.deepEqual(list.kvs.map((kv) => kv.value), ['a/b/0', 'a/b/1', 'a/b/2']);
        assert.deepEqual(keysOf((await store.list(p + 'a/b')).kvs),
          [p + 'a/b', p + 'a/b/0', p + 'a/b/1', p + 'a/b/2', p + 'a/bc/1']);
        assert.equal((await store.list(p)).kvs.length, 7);
        assert.deepEqual((await store.list(p + 'nothing/')).kvs, []);
      });

      test('list does not return deleted keys; count counts live keys', async (store, p) => {
        for (let i = 0; i < 5; i++) await store.create(`${p}k${i}`, 'v');
        await store.create(p + 'other/x', 'v');
        await store.delete(p + 'k1');
        await store.delete(p + 'k3');
        assert.deepEqual(keysOf((await store.list(p + 'k')).kvs), [p + 'k0', p + 'k2', p + 'k4']);
        assert.equal(await store.count(p + 'k'), 3);
        assert.equal(await store.count(p), 4);
        assert.equal(await store.count(p + 'nothing/'), 0);
      });

      test('limit and startAfter page through the keys', async (store, p) => {
        const keys: string[] = [];
        for (let i = 0; i < 10; i++) keys.push((await store.create(`${p}k${String(i).padStart(2, '0')}`, `${i}`)).key);
        const seen: string[] = [];
        let startAfter: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await store.list(p, { limit: 3, startAfter });
          pages++;
          assert.ok(page.kvs.length <= 3);
          seen.push(...keysOf(page.kvs));
          if (!page.more) break;
          startAfter = page.kvs[page.kvs.length - 1].key;
        }
        assert.deepEqual(seen, keys);
        assert.equal(pages, 4);
        const exact = await store.list(p, { limit: 10 });
        assert.equal(exact.kvs.length, 10);
        assert.equal(exact.more, false);
        assert.deepEqual(keysOf((await store.list(p, { startAfter: keys[7] })).kvs), keys.slice(8));
        assert.deepEqual(keysOf((await store.list(p + 'k0', { startAfter: p + 'a' })).kvs), keys);
      });

      test('list at a past revision sees that snapshot', async (store, p) => {
        const a = await store.create(p + 'a', 'a1');
        const b = await store.create(p + 'b', 'b1');
        const c = await store.create(p + 'c', 'c1');
        const snapshot = c.modRevision;
        await store.update(p + 'a', 'a2', a.modRevision);
        await store.delete(p + 'b');
        await store.create(p + 'd', 'd1');
        await store.delete(p + 'c');
        await store.create(p + 'c', 'c2');

        const past = await store.list(p, { revision: snapshot });
        assert.equal(past.revision, snapshot);
        assert.deepEqual(past.kvs, [a, b, c]);
        const beforeB = await store.list(p, { revision: b.modRevision - 1 });
        assert.deepEqual(beforeB.kvs, [a]);
        const now = await store.list(p);
        assert.deepEqual(now.kvs.map((kv) => `${kv.key}=${kv.value}`), [`${p}a=a2`, `${p}c=c2`, `${p}d=d1`]);
      });

      test('paged lists at a fixed revision are consistent while keys change', async (store, p) => {
        const kvs = [];
        for (let i = 0; i < 6; i++) kvs.push(await store.create(`${p}k${i}`, 'old'));
        const first = await store.list(p, { limit: 2 });
        await store.delete(p + 'k3');
        await store.update(p + 'k4', 'new', kvs[4].modRevision);
        await store.create(p + 'k2a', 'new');
        const rest = await store.list(p, { revision: first.revision, startAfter: first.kvs[1].key });
        assert.equal(rest.revision, first.revision);
        assert.deepEqual([...first.kvs, ...rest.kvs], kvs);
        const paged = await store.list(p, { revision: first.revision, startAfter: first.kvs[1].key, limit: 2 });
        assert.deepEqual(paged.kvs, kvs.slice(2, 4));
        assert.equal(paged.more, true);
      });

      test('list at a future revision fails with FutureRevisionError', async (store, p) => {
        await store.create(p + 'a', 'v');
        const current = await store.currentRevision();
        await assert.rejects(store.list(p, { revision: current + 1_000_000 }), FutureRevisionError);
      });
    });

    describe('watches', () => {
      test('watch replays history after a revision, then streams live events in order', async (store, p) => {
        const a = await store.create(p + 'a', 'a1');
        const a2 = await store.update(p + 'a', 'a2', a.modRevision);
        await store.create(p + 'b', 'b1');
        await store.create(p + 'elsewhere', 'x');
        const watch = record(store, p + 'a', a.modRevision);
        await store.create(p + 'a/child', 'c1');
        await store.delete(p + 'a');
        const a3 = await store.create(p + 'a', 'a3');
        const events = await watch.waitForEvents(4);
        assert.deepEqual(summary(events), [`put ${p}a=a2`, `put ${p}a/child=c1`, `delete ${p}a=a2`, `put ${p}a=a3`]);
        assert.deepEqual(events[0].prevKv, a);
        assert.deepEqual(events[0].kv, a2);
        assert.equal(events[0].revision, a2.modRevision);
        assert.equal(events[3].prevKv, undefined);
        assert.equal(events[3].revision, a3.modRevision);
        for (let i = 1; i < events.length; i++) assert.ok(events[i].revision > events[i - 1].revision);
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(events.length, 4);
        watch.watcher.close();
      });

      test('delete events carry the deleted value and the revision of the delete', async (store, p) => {
        const kv = await store.create(p + 'a', 'v1');
        const watch = record(store, p, kv.modRevision);
        const deleted = await store.delete(p + 'a');
        const [event] = await watch.waitForEvents(1);
        assert.equal(event.type, 'delete');
        assert.equal(event.revision, deleted.revision);
        assert.deepEqual(event.kv, kv);
        watch.watcher.close();
      });

      test('replayed and live events have no gap and no duplicate under concurrent writes', async (store, p) => {
        const first = await store.create(p + 'k0', '0');
        const writes: Promise<unknown>[] = [];
        for (let i = 1; i < 50; i++) writes.push(store.create(`${p}k${i}`, `${i}`));
        const watch = record(store, p, first.modRevision);
        for (let i = 50; i < 100; i++) writes.push(store.create(`${p}k${i}`, `${i}`));
        await Promise.all(writes);
        const events = await watch.waitForEvents(99);
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(events.length, 99);
        assert.deepEqual(new Set(events.map((e) => e.kv.key)).size, 99);
        for (let i = 1; i < events.length; i++) assert.ok(events[i].revision > events[i - 1].revision);
        watch.watcher.close();
      });

      test('a watch from the current revision sees only new events; close stops it', async (store, p) => {
        await store.create(p + 'old', 'v');
        const watch = record(store, p, await store.currentRevision());
        await store.create(p + 'new', 'v');
        assert.deepEqual(summary(await watch.waitForEvents(1)), [`put ${p}new=v`]);
        watch.watcher.close();
        await store.create(p + 'after-close', 'v');
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(watch.events.length, 1);
        assert.deepEqual(watch.errors, []);
      });

      test('many watchers on different prefixes each get exactly their events', async (store, p) => {
        const start = await store.currentRevision();
        const watches = Array.from({ length: 200 }, (_, i) => record(store, `${p}w${i}/`, start));
        await Promise.all(watches.map((_, i) => store.create(`${p}w${i}/x`, `${i}`)));
        await Promise.all(watches.map((_, i) => store.create(`${p}w${i}/y`, `${i}`)));
        for (const [i, watch] of watches.entries()) {
          assert.deepEqual(summary(await watch.waitForEvents(2)), [`put ${p}w${i}/x=${i}`, `put ${p}w${i}/y=${i}`]);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        for (const watch of watches) {
          assert.equal(watch.events.length, 2);
          watch.watcher.close();
        }
      });

      test('closing the store ends its watches with StoreUnavailableError', async (store, p) => {
        const watch = record(store, p, await store.currentRevision());
        await store.close();
        const error = await watch.waitForError();
        assert.ok(error instanceof StoreUnavailableError, String(error));
        return 'closed';
      });
    });

    describe('compaction', () => {
      test('compaction forgets history but keeps the newest value of every live key', async (store, p) => {
        const a = await store.create(p + 'a', 'a1');
        const b = await store.create(p + 'b', 'b1');
        const b2 = await store.update(p + 'b', 'b2', b.modRevision);
        await store.create(p + 'c', 'c1');
        const cDeleted = await store.delete(p + 'c');
        const compactAt = cDeleted.revision;
        const d = await store.create(p + 'd', 'd1');
        const b3 = await store.update(p + 'b', 'b3', b2.modRevision);
        await store.compact(compactAt);
        assert.ok(await store.compactedRevision() >= compactAt);

        await assert.rejects(store.list(p, { revision: compactAt - 1 }),
          (e) => e instanceof CompactedError && e.requested === compactAt - 1);
        assert.deepEqual((await store.list(p, { revision: compactAt })).kvs, [a, b2]);
        assert.deepEqual((await store.list(p)).kvs, [a, b3, d]);
        assert.deepEqual(await store.get(p + 'a'), a);
        assert.equal(await store.count(p), 3);

        const tooOld = record(store, p, compactAt - 1);
        assert.ok(await tooOld.waitForError() instanceof CompactedError);
        const fromCompacted = record(store, p, compactAt);
        assert.deepEqual(summary(await fromCompacted.waitForEvents(2)), [`put ${p}d=d1`, `put ${p}b=b3`]);
        fromCompacted.watcher.close();

        await store.update(p + 'a', 'a2', a.modRevision);
        await store.create(p + 'c', 'c2');
        assert.equal(await store.count(p), 4);
      });

      test('compaction at a future revision fails with FutureRevisionError', async (store, p) => {
        await store.create(p + 'a', 'v');
        await assert.rejects(store.compact(await store.currentRevision() + 1_000_000), FutureRevisionError);
      });
    });

    describe('concurrency', () => {
      test('parallel creates all succeed with distinct revisions', async (store, p) => {
        const created = await Promise.all(Array.from({ length: 200 }, (_, i) => store.create(`${p}k${i}`, `${i}`)));
        assert.equal(new Set(created.map((kv) => kv.modRevision)).size, 200);
        assert.equal(await store.count(p), 200);
        const current = await store.currentRevision();
        assert.ok(created.every((kv) => kv.modRevision <= current));
      });

      test('parallel updates with the same expected revision: exactly one wins', async (store, p) => {
        const kv = await store.create(p + 'a', '0');
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.update(p + 'a', `${i + 1}`, kv.modRevision)));
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError);
        assert.equal((await store.get(p + 'a'))?.value, (won[0] as PromiseFulfilledResult<{ value: string }>).value.value);
      });

      test('parallel creates of one key: exactly one wins', async (store, p) => {
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => store.create(p + 'a', `${i}`)));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof KeyExistsError);
      });
    });

    if (opts.reopen) {
      const reopen = opts.reopen;
      describe('persistence', () => {
        test('data, revisions and history survive a reopen', async (store, p) => {
          const a = await store.create(p + 'a', 'a1');
          const a2 = await store.update(p + 'a', 'a2', a.modRevision);
          const b = await store.create(p + 'b', 'b1');
          const bDeleted = await store.delete(p + 'b');
          const before = await store.currentRevision();
          store = await reopen(store);
          assert.ok(await store.currentRevision() >= before);
          assert.deepEqual(await store.get(p + 'a'), a2);
          assert.equal(await store.get(p + 'b'), undefined);
          assert.deepEqual((await store.list(p, { revision: b.modRevision })).kvs, [a2, b]);
          const next = await store.create(p + 'c', 'c1');
          assert.ok(next.modRevision > bDeleted.revision);
          const watch = record(store, p, a.modRevision);
          assert.deepEqual(summary(await watch.waitForEvents(4)),
            [`put ${p}a=a2`, `put ${p}b=b1`, `delete ${p}b=b1`, `put ${p}c=c1`]);
          watch.watcher.close();
          return store;
        });

        test('the compacted revision survives a reopen', async (store, p) => {
          await store.create(p + 'a', 'a1');
          const deleted = await store.delete(p + 'a');
          const kept = await store.create(p + 'b', 'b1');
          await store.compact(kept.modRevision);
          store = await reopen(store);
          assert.ok(await store.compactedRevision() >= kept.modRevision);
          assert.ok(await store.currentRevision() >= kept.modRevision);
          await assert.rejects(store.list(p, { revision: deleted.revision }), CompactedError);
          assert.deepEqual(await store.get(p + 'b'), kept);
          assert.ok((await store.create(p + 'c', 'c1')).modRevision > kept.modRevision);
          return store;
        });
      });
    }
  });
}
