// Prometheus metrics of one API server: requests, watches, store operations.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../storage/store.ts';

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'apiserver_request_total', help: 'Requests by verb, group, resource and HTTP code.',
    labelNames: ['verb', 'group', 'resource', 'code'], registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'apiserver_request_duration_seconds', help: 'Request latency by verb, group and resource (watches excluded).',
    labelNames: ['verb', 'group', 'resource'], registers: [this.registry],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  readonly watchers = new Gauge({
    name: 'apiserver_registered_watchers', help: 'Open watch streams by group and resource.',
    labelNames: ['group', 'resource'], registers: [this.registry],
  });
  readonly storeLatency = new Histogram({
    name: 'canopy_store_request_duration_seconds', help: 'Store operation latency by operation.',
    labelNames: ['operation'], registers: [this.registry],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  });
}

const TIMED = ['get', 'list', 'count', 'create', 'update', 'delete', 'compact', 'currentRevision'] as const;

/** Wraps a store so each operation's latency is recorded. */
export function instrumentStore(store: Store, metrics: ApiMetrics): Store {
  const wrapped: Store = Object.create(store);
  for (const operation of TIMED) {
    const original = store[operation].bind(store) as (...args: unknown[]) => Promise<unknown>;
    (wrapped as unknown as Record<string, unknown>)[operation] = async (...args: unknown[]) => {
      const end = metrics.storeLatency.startTimer({ operation });
      try {
        return await original(...args);
      } finally {
        end();
      }
    };
  }
  wrapped.watch = store.watch.bind(store);
  wrapped.compactedRevision = store.compactedRevision.bind(store);
  wrapped.close = store.close.bind(store);
  return wrapped;
}
