// Plumbing shared by controllers: feeding a work queue from a resource's watch, with re-list on failure.
import { ApiError } from '../apiserver/errors.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import type { ResourceInfo } from '../registry/types.ts';
import type { WorkQueue } from './queue.ts';

export interface Controller {
  stop(): Promise<void>;
}

const RESTART_DELAY_MS = 1000;

/** Enqueues keyOf(obj) for every object of a resource now and on every change, until stopped. */
export function watchResource(objects: ObjectService, resource: ResourceInfo, queue: WorkQueue,
  keyOf: (obj: KObject) => string): Controller {
  let stopped = false;
  let watcher: { close(): void } | undefined;
  const start = () => {
    if (stopped) return;
    watcher = objects.watch(resource, undefined, { sendInitialState: true },
      (event) => queue.add(keyOf(event.object)),
      () => {
        if (!stopped) setTimeout(start, RESTART_DELAY_MS).unref();
      });
  };
  start();
  return {
    async stop() {
      stopped = true;
      watcher?.close();
      queue.stop();
    },
  };
}

/** A controller's writes that its shutdown waits for; none starts once closed. */
export class ShutdownWrites {
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  /** Runs the write, or nothing (undefined) once closed. */
  async run<T>(op: () => Promise<T>): Promise<T | undefined> {
    if (this.closed) return undefined;
    const p = op();
    this.pending.add(p);
    try {
      return await p;
    } finally {
      this.pending.delete(p);
    }
  }

  /** Refuses new writes and waits for those in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.pending]);
  }
}

/** The first line of an error's message. */
export function errorText(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0]!;
}

/** For .catch(): a 404 means the object is gone already, which is what the caller wanted. */
export function ignoreNotFound(e: unknown): void {
  if (!(e instanceof ApiError && e.code === 404)) throw e;
}

/** JSON with object keys sorted, for comparing objects whatever the order of their keys. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

/** metav1.MicroTime: RFC 3339 with microseconds (Lease times). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Runs fn on every item, at most `limit` at a time. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
