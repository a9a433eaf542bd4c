// Store watches of one prefix share one etcd watch where they can, so that etcd sends each event once rather
// than once per watcher (many API clients watch the same resource). A watch after revision R can join a shared
// etcd watch that has passed on no event after R yet (so it started at or before R): every later event reaches
// it, and it skips those up to R.
import { CompactedError, type WatchEvent, type Watcher, type WatchHandlers } from '../store.ts';

export class Subscriber implements Watcher {
  closed = false;
  fanout?: Fanout;

  constructor(readonly afterRevision: number, private readonly handlers: WatchHandlers) {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fanout?.remove(this);
  }

  offer(event: WatchEvent): void {
    if (this.closed || event.revision <= this.afterRevision) return;
    try {
      this.handlers.onEvent(event);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  fail(error: Error): void {
    if (this.closed) return;
    this.close();
    this.handlers.onError(error instanceof CompactedError ? new CompactedError(this.afterRevision, error.compacted) : error);
  }
}

/** The handlers of one etcd watch, passing its events on to its subscribers. */
export class Fanout implements WatchHandlers {
  private readonly subscribers = new Set<Subscriber>();
  private ended = false;
  /** Every event up to this revision has been passed on (or came before the etcd watch's start). */
  private delivered: number;
  /** The start revision was found not compacted. */
  checked = false;

  /** release is called once, when the last subscriber left or the etcd watch failed. */
  constructor(readonly start: number, private readonly release: () => void) {
    this.delivered = start;
  }

  accepts(afterRevision: number): boolean {
    return !this.ended && this.delivered <= afterRevision;
  }

  add(subscriber: Subscriber): void {
    subscriber.fanout = this;
    this.subscribers.add(subscriber);
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.end();
  }

  onEvent(event: WatchEvent): void {
    this.delivered = event.revision;
    for (const subscriber of [...this.subscribers]) subscriber.offer(event);
  }

  onError(error: Error): void {
    this.end();
    for (const subscriber of [...this.subscribers]) subscriber.fail(error);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
  }
}
