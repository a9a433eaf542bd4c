// A Store on an etcd cluster (v3 API over gRPC). Revisions are etcd's own: createRevision and modRevision are
// etcd's create_revision and mod_revision, and every compare-and-swap is an etcd transaction.
import {
  CompactedError, ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError, StoreUnavailableError,
  type KeyValue, type ListOptions, type ListResult, type Store, type Watcher, type WatchHandlers,
} from './store.ts';
import { EtcdConnection, EtcdRequestError } from './etcd/connection.ts';
import type { Compare, DeleteRangeResponse, RangeRequest, RangeResponse, TxnRequest, TxnResponse } from './etcd/messages.ts';
import { parseEtcdUrl, redact, type EtcdConfig } from './etcd/url.ts';
import { Fanout, Subscriber } from './etcd/fanout.ts';
import { EtcdWatch, toKeyValue, WatchRefusedError, WatchStream } from './etcd/watch.ts';

/** The end of the range of keys starting with prefix: prefix with its last byte below 0xff incremented. */
export function rangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  // Every key (etcd's convention for "no end").
  return Buffer.from([0]);
}

const isCompacted = (e: unknown) => e instanceof EtcdRequestError && /required revision has been compacted/.test(e.details);
const isFuture = (e: unknown) => e instanceof EtcdRequestError && /required revision is a future revision/.test(e.details);

/** A key no object has: ranges on it only read the header (and tell whether a revision is readable). */
const PROBE_KEY = Buffer.from('/registry/');

const compare = (key: Buffer, target: Compare['target'], result: Compare['result'], revision: number): Compare =>
  target === 'CREATE'
    ? { key, target, result, create_revision: revision }
    : { key, target, result, mod_revision: revision };

export class EtcdStore implements Store {
  private closed = false;
  /** A lower bound of etcd's compacted revision: compactions made here and ones etcd reported. */
  private knownCompacted = 0;
  /** The stream new watches go to; retired streams stay in streams until their watches are gone. */
  private stream?: WatchStream;
  private readonly streams = new Set<WatchStream>();
  private opening?: Promise<WatchStream>;
  /** etcd watches being created (not on a stream yet). */
  private readonly watches = new Set<EtcdWatch>();
  /** The etcd watch that new store watches of a prefix may share. */
  private readonly shared = new Map<string, Fanout>();

  /** Connects and checks that etcd answers (and accepts the credentials), failing with a one-line message. */
  static async open(url: string): Promise<EtcdStore> {
    const store = new EtcdStore(parseEtcdUrl(url));
    try {
      await store.currentRevision();
    } catch (error) {
      await store.close();
      throw new Error(`cannot use etcd at ${redact(url)}: ${(error as Error).message}`);
    }
    return store;
  }

  private readonly connection: EtcdConnection;

  constructor(config: EtcdConfig) {
    this.connection = new EtcdConnection(config);
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const response = await this.read({ key: Buffer.from(key) });
    return response.kvs[0] && toKeyValue(response.kvs[0]);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const start = Buffer.from(prefix);
    const after = options.startAfter === undefined ? undefined : Buffer.concat([Buffer.from(options.startAfter), Buffer.from([0])]);
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const revision = options.revision && options.revision > 0 ? options.revision : 0;
    const response = await this.read({
      key: after && Buffer.compare(after, start) > 0 ? after : start, range_end: rangeEnd(start), limit, revision,
    }, revision);
    return { kvs: response.kvs.map(toKeyValue), more: response.more, revision: revision || response.header.revision };
  }

  async count(prefix: string): Promise<number> {
    const key = Buffer.from(prefix);
    return (await this.read({ key, range_end: rangeEnd(key), count_only: true })).count;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const k = Buffer.from(key);
    const response = await this.txn({
      compare: [compare(k, 'CREATE', 'EQUAL', 0)],
      success: [{ request_put: { key: k, value: Buffer.from(value) } }],
      failure: [],
    });
    if (!response.succeeded) throw new KeyExistsError(key);
    const revision = response.header.revision;
    return { key, value, createRevision: revision, modRevision: revision };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const k = Buffer.from(key);
    const response = await this.txn({
      compare: [compare(k, 'CREATE', 'GREATER', 0), compare(k, 'MOD', 'EQUAL', expectedModRevision)],
      // The key's createRevision, read after the put in the same transaction (keys_only leaves the value out).
      success: [{ request_put: { key: k, value: Buffer.from(value) } }, { request_range: { key: k, keys_only: true } }],
      failure: [{ request_range: { key: k, keys_only: true } }],
    });
    const current = response.responses.at(-1)?.response_range?.kvs[0];
    if (!response.succeeded) throw this.casFailure(key, current?.mod_revision);
    return { key, value, createRevision: current!.create_revision, modRevision: response.header.revision };
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    const k = Buffer.from(key);
    const compares = [compare(k, 'CREATE', 'GREATER', 0)];
    if (expectedModRevision !== undefined) compares.push(compare(k, 'MOD', 'EQUAL', expectedModRevision));
    const response = await this.txn({
      compare: compares,
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k, keys_only: true } }],
    });
    if (!response.succeeded) throw this.casFailure(key, response.responses[0]?.response_range?.kvs[0]?.mod_revision);
    const deleted = response.responses[0]!.response_delete_range as DeleteRangeResponse;
    return { kv: toKeyValue(deleted.prev_kvs[0]!), revision: response.header.revision };
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): Watcher {
    const subscriber = new Subscriber(afterRevision, handlers);
    if (this.closed) {
      setImmediate(() => subscriber.fail(new StoreUnavailableError('store is closed')));
      return subscriber;
    }
    const shared = this.shared.get(prefix);
    // Joining needs no compaction check of its own: the shared watch's start was checked (or is the same).
    if (shared?.accepts(afterRevision) && afterRevision >= this.knownCompacted && (shared.checked || afterRevision === shared.start)) {
      shared.add(subscriber);
    } else {
      this.share(prefix, subscriber);
    }
    return subscriber;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.connection.call('Compact', { revision, physical: false }, 'read');
    } catch (error) {
      if (isFuture(error)) throw new FutureRevisionError(revision, await this.currentRevision());
      // etcd refuses to compact at or before its compacted revision: nothing to do.
      if (!isCompacted(error)) throw error;
    }
    this.knownCompacted = Math.max(this.knownCompacted, revision);
  }

  async currentRevision(): Promise<number> {
    return (await this.read({ key: PROBE_KEY, count_only: true })).header.revision;
  }

  /**
   * etcd does not report its compacted revision, but a read at revision r succeeds exactly when r is at or
   * after it: a binary search between the lowest revision known compacted and the current one finds it.
   * It reads etcd's own state, so it sees compactions made by any client.
   */
  async compactedRevision(): Promise<number> {
    let low = Math.max(this.knownCompacted, 1);
    let high = await this.currentRevision();
    if (await this.readable(low)) return low === 1 ? this.knownCompacted : low;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await this.readable(middle)) high = middle;
      else low = middle;
    }
    this.knownCompacted = Math.max(this.knownCompacted, high);
    return high;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new StoreUnavailableError('store is closed');
    for (const stream of this.streams) stream.end(error);
    for (const watch of this.watches) watch.fail(error);
    this.watches.clear();
    this.connection.close();
  }

  private async readable(revision: number): Promise<boolean> {
    try {
      await this.connection.call('Range', { key: PROBE_KEY, count_only: true, revision }, 'read');
      return true;
    } catch (error) {
      if (isCompacted(error)) return false;
      throw error;
    }
  }

  /** A range; at a past revision, compaction and future revisions become their store errors. */
  private async read(request: RangeRequest, revision = 0): Promise<RangeResponse> {
    try {
      return await this.connection.range(request);
    } catch (error) {
      if (isCompacted(error)) {
        this.knownCompacted = Math.max(this.knownCompacted, revision + 1);
        throw new CompactedError(revision, await this.compactedRevision());
      }
      if (isFuture(error)) throw new FutureRevisionError(revision, await this.currentRevision());
      throw error;
    }
  }

  private txn(request: TxnRequest): Promise<TxnResponse> {
    return this.connection.call<TxnResponse>('Txn', request, 'write');
  }

  private casFailure(key: string, modRevision: number | undefined): Error {
    return modRevision === undefined ? new KeyNotFoundError(key) : new ConflictError(key, modRevision);
  }

  /** Starts an etcd watch for subscriber, which later watches of the prefix may join. */
  private share(prefix: string, subscriber: Subscriber): void {
    const key = Buffer.from(prefix);
    const fanout: Fanout = new Fanout(subscriber.afterRevision, () => {
      if (this.shared.get(prefix) === fanout) this.shared.delete(prefix);
      watch.close();
    });
    const watch = new EtcdWatch(key, rangeEnd(key), subscriber.afterRevision, fanout);
    this.shared.set(prefix, fanout);
    fanout.add(subscriber);
    this.watches.add(watch);
    void this.startWatch(watch, fanout);
  }

  private async startWatch(watch: EtcdWatch, fanout: Fanout): Promise<void> {
    try {
      // A read at afterRevision fails exactly when that revision is compacted (etcd would start the watch
      // one revision later and not notice).
      if (watch.afterRevision > 0) {
        await this.read({ key: PROBE_KEY, count_only: true, revision: watch.afterRevision }, watch.afterRevision)
          .catch((error) => { if (!(error instanceof FutureRevisionError)) throw error; });
      }
      fanout.checked = true;
      for (let attempt = 1; !watch.closed; attempt++) {
        const stream = await this.watchStream();
        if (watch.closed) return;
        try {
          await stream.add(watch);
          return;
        } catch (error) {
          // A stream's auth token is checked at each create: once it expired, watches need a new stream.
          if (!(error instanceof WatchRefusedError && /invalid auth token|permission denied/.test(error.reason)) || attempt > 1) throw error;
          this.connection.forgetToken();
          stream.retire();
        }
      }
    } catch (error) {
      watch.fail(error as Error);
    } finally {
      this.watches.delete(watch);
    }
  }

  /** The store's watch stream, opened on first use and again after it ended. */
  private async watchStream(): Promise<WatchStream> {
    if (this.stream?.usable) return this.stream;
    this.opening ??= this.connection.watchStream().then(({ call, index }) => {
      if (this.closed) {
        call.cancel();
        throw new StoreUnavailableError('store is closed');
      }
      for (const stream of this.streams) if (!stream.open) this.streams.delete(stream);
      this.stream = new WatchStream(call, this.connection, index);
      this.streams.add(this.stream);
      return this.stream;
    }).finally(() => { this.opening = undefined; });
    return this.opening;
  }
}
