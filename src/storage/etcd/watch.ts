// Watches over etcd's bidirectional Watch stream: one stream carries every watch of a store. etcd answers the
// create requests of a stream in the order they were sent, so each `created` answer belongs to the oldest
// watch still waiting for one.
import type * as grpc from '@grpc/grpc-js';
import { CompactedError, StoreUnavailableError, type KeyValue, type WatchEvent, type Watcher, type WatchHandlers } from '../store.ts';
import type { EtcdConnection } from './connection.ts';
import type { EtcdKeyValue, WatchEventMessage, WatchRequest, WatchResponse } from './messages.ts';

export function toKeyValue(kv: EtcdKeyValue): KeyValue {
  return { key: kv.key.toString(), value: kv.value.toString(), createRevision: kv.create_revision, modRevision: kv.mod_revision };
}

function toWatchEvent(event: WatchEventMessage): WatchEvent {
  const revision = event.kv.mod_revision;
  if (event.type === 'DELETE') {
    // prev_kv is missing only when compaction removed it while the watch was starting.
    const kv = event.prev_kv ? toKeyValue(event.prev_kv) : { key: event.kv.key.toString(), value: '', createRevision: 0, modRevision: 0 };
    return { type: 'delete', kv, revision };
  }
  const put: WatchEvent = { type: 'put', kv: toKeyValue(event.kv), revision };
  if (event.prev_kv) put.prevKv = toKeyValue(event.prev_kv);
  return put;
}

/** etcd answered a create request with a cancellation (e.g. permission denied: a missing role, or the
 *  stream's auth token expired). */
export class WatchRefusedError extends StoreUnavailableError {
  constructor(endpoint: string, readonly reason: string) {
    super(`etcd ${endpoint} refused the watch: ${reason || 'no reason given'}`);
  }
}

export class EtcdWatch implements Watcher {
  id?: number;
  stream?: WatchStream;
  closed = false;

  constructor(readonly key: Buffer, readonly rangeEnd: Buffer | undefined, readonly afterRevision: number,
    private readonly handlers: WatchHandlers) {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.cancel(this);
  }

  deliver(event: WatchEventMessage): void {
    if (this.closed) return;
    try {
      this.handlers.onEvent(toWatchEvent(event));
    } catch (error) {
      this.fail(error as Error);
    }
  }

  fail(error: Error): void {
    if (this.closed) return;
    this.close();
    this.handlers.onError(error);
  }
}

interface Creating {
  watch: EtcdWatch;
  created(): void;
  refused(error: Error): void;
}

export class WatchStream {
  private readonly creating: Creating[] = [];
  private readonly active = new Map<number, EtcdWatch>();
  private ended = false;
  /** Takes no new watches, and ends once its last watch is gone. */
  private retired = false;

  constructor(
    private readonly call: grpc.ClientDuplexStream<WatchRequest, WatchResponse>,
    private readonly connection: EtcdConnection,
    private readonly index: number,
  ) {
    const endpoint = connection.endpoint(index);
    call.on('data', (response: WatchResponse) => this.receive(response));
    call.on('error', (error: grpc.ServiceError) => {
      connection.endpointFailed(index);
      this.end(new StoreUnavailableError(`etcd ${endpoint}: watch stream failed: ${error.details || error.message}`));
    });
    call.on('end', () => this.end(new StoreUnavailableError(`etcd ${endpoint} ended the watch stream`)));
  }

  get open(): boolean {
    return !this.ended;
  }

  get usable(): boolean {
    return !this.ended && !this.retired;
  }

  /** Creates the watch on this stream; rejects when etcd refuses it or the stream ends first. */
  add(watch: EtcdWatch): Promise<void> {
    return new Promise((created, refused) => {
      watch.stream = this;
      this.creating.push({ watch, created, refused });
      this.call.write({
        create_request: { key: watch.key, range_end: watch.rangeEnd, start_revision: watch.afterRevision + 1, prev_kv: true },
      });
    });
  }

  cancel(watch: EtcdWatch): void {
    if (watch.id === undefined || this.active.get(watch.id) !== watch) return;
    this.active.delete(watch.id);
    if (!this.ended) this.call.write({ cancel_request: { watch_id: watch.id } });
    this.endIfRetiredAndIdle();
  }

  retire(): void {
    this.retired = true;
    this.endIfRetiredAndIdle();
  }

  /** Ends every watch of the stream with error, and the stream itself. */
  end(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    const creating = this.creating.splice(0);
    const active = [...this.active.values()];
    this.active.clear();
    for (const entry of creating) entry.refused(error);
    for (const watch of active) watch.fail(error);
    this.call.cancel();
  }

  private endIfRetiredAndIdle(): void {
    if (this.retired && this.creating.length === 0 && this.active.size === 0) this.end(new StoreUnavailableError('watch stream retired'));
  }

  private receive(response: WatchResponse): void {
    if (response.created) {
      const entry = this.creating.shift();
      if (!entry) return;
      if (response.canceled) {
        entry.refused(new WatchRefusedError(this.connection.endpoint(this.index), response.cancel_reason));
        this.endIfRetiredAndIdle();
        return;
      }
      const watch = entry.watch;
      watch.id = response.watch_id;
      this.active.set(watch.id, watch);
      entry.created();
      if (watch.closed) this.cancel(watch);
      return;
    }
    const watch = this.active.get(response.watch_id);
    if (!watch) return;
    for (const event of response.events) watch.deliver(event);
    if (response.canceled) {
      this.active.delete(response.watch_id);
      watch.fail(response.compact_revision > 0
        ? new CompactedError(watch.afterRevision, response.compact_revision)
        : new StoreUnavailableError(`etcd ${this.connection.endpoint(this.index)} cancelled the watch: ${response.cancel_reason || 'no reason given'}`));
    }
  }
}
