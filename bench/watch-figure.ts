// Watch delivery: N watchers on a namespace while ConfigMaps are created in it under load.
import { Agent, request, type RequestOptions } from 'node:https';
import { onEachLine } from '../src/lines.ts';
import type { Watcher } from '../src/storage/store.ts';
import type { Client } from './client.ts';
import type { Figure, Row } from './figure.ts';
import type { Settings } from './http-figures.ts';
import { runLoad } from './load.ts';
import { configMap, configMapsPath, createNamespace } from './objects.ts';
import type { Canopy } from './processes.ts';
import { now, Samples } from './stats.ts';
import type { Backend } from './stores.ts';

/** At most this many events in total (creates × watchers) per figure, to bound the run. */
const MAX_EVENTS = 400_000;
const DRAIN_MS = 15_000;

interface Delivery {
  /** Events delivered, over all watchers. */
  events: number;
  /** Events expected: creates acknowledged × watchers. */
  expected: number;
  creates: number;
  createSeconds: number;
  /** From the first create to the last event received. */
  seconds: number;
  rate: number;
  latency: Samples;
  /** Events received before their create was acknowledged (counted as 0 ms). */
  early: number;
  errors: string[];
}

/** Records, per watcher, which object arrived when; latencies are computed once all acks are known. */
class Receiver {
  readonly seqs: number[] = [];
  readonly times: number[] = [];
  record(seq: number): void {
    this.seqs.push(seq);
    this.times.push(now());
  }
}

function summarizeDelivery(receivers: Receiver[], acks: Float64Array, creates: number, begin: number,
  createSeconds: number, errors: string[]): Delivery {
  const latency = new Samples();
  let early = 0;
  let events = 0;
  let last = begin;
  for (const r of receivers) {
    for (let i = 0; i < r.seqs.length; i++) {
      const ack = acks[r.seqs[i]!]!;
      const t = r.times[i]!;
      events++;
      if (t > last) last = t;
      if (Number.isNaN(ack)) continue;
      const d = t - ack;
      if (d < 0) early++;
      latency.add(Math.max(0, d));
    }
  }
  const seconds = (last - begin) / 1000;
  return {
    events, expected: creates * receivers.length, creates, createSeconds, seconds,
    rate: seconds > 0 ? events / seconds : 0, latency, early, errors,
  };
}

/** Waits (bounded) until every receiver has `count` events. */
async function drain(receivers: Receiver[], count: () => number): Promise<void> {
  const deadline = now() + DRAIN_MS;
  while (now() < deadline && receivers.some((r) => r.seqs.length < count())) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

function createBudget(s: Settings, watchers: number): number {
  return Math.min(s.maxOps, Math.floor(MAX_EVENTS / watchers));
}

async function canopyDelivery(canopy: Canopy, client: Client, s: Settings, watchers: number): Promise<Delivery> {
  const ns = `bench-watch-${watchers}`;
  await createNamespace(client, ns);
  const path = configMapsPath(ns);
  const list = await client.json('GET', `${path}?limit=1`);
  const rv = list.json?.metadata?.resourceVersion;
  if (list.status !== 200 || !rv) throw new Error(`LIST ${path}: ${list.status} ${list.text}`);

  const url = new URL(canopy.url);
  const agent = new Agent({ keepAlive: false, maxSockets: watchers + 1, ca: canopy.ca });
  const receivers: Receiver[] = [];
  const errors: string[] = [];
  const requests: ReturnType<typeof request>[] = [];
  try {
    const opening = Array.from({ length: watchers }, () => new Promise<void>((resolve, reject) => {
      const receiver = new Receiver();
      receivers.push(receiver);
      const options: RequestOptions = {
        agent, host: url.hostname, port: url.port, method: 'GET',
        path: `${path}?watch=true&resourceVersion=${rv}&timeoutSeconds=300`,
        headers: { Authorization: `Bearer ${canopy.token}`, Accept: 'application/json' },
      };
      const req = request(options, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch ${path}: ${res.statusCode}`));
          res.resume();
          return;
        }
        resolve();
        onEachLine(res, (line) => {
          const m = /"name":"w-(\d+)"/.exec(line);
          if (m && line.startsWith('{"type":"ADDED"')) receiver.record(Number(m[1]));
          else if (errors.length < 5) errors.push(line.slice(0, 200));
        });
        res.on('error', () => {});
      });
      req.setTimeout(60_000, () => req.destroy(new Error('watch timed out while opening')));
      req.on('error', (e) => { reject(e); });
      req.end();
      requests.push(req);
    }));
    await Promise.all(opening);

    const budget = createBudget(s, watchers);
    const acks = new Float64Array(budget).fill(NaN);
    let acked = 0;
    const begin = now();
    const created = await runLoad({ concurrency: s.concurrency, durationMs: s.durationMs, maxOps: budget }, async (seq) => {
      const res = await client.send('POST', path, JSON.stringify(configMap(`w-${seq}`)));
      if (res.status !== 201) return false;
      acks[seq] = now();
      acked++;
      return true;
    });
    await drain(receivers, () => acked);
    return summarizeDelivery(receivers, acks, acked, begin, created.seconds, errors);
  } finally {
    for (const req of requests) req.destroy();
    agent.destroy();
  }
}

async function storeDelivery(s: Settings, watchers: number, backend: Backend): Promise<Delivery> {
  const raw = await backend.openRaw();
  const store = raw.store;
  const prefix = `${raw.prefix}core/configmaps/bench-watch-${watchers}/`;
  const value = JSON.stringify(configMap('w-0'));
  const receivers: Receiver[] = [];
  const handles: Watcher[] = [];
  const errors: string[] = [];
  try {
    const rev = await store.currentRevision();
    for (let i = 0; i < watchers; i++) {
      const receiver = new Receiver();
      receivers.push(receiver);
      handles.push(store.watch(prefix, rev, {
        onEvent: (e) => receiver.record(Number(e.kv.key.slice(prefix.length + 2))),
        onError: (e) => { errors.push(e.message); },
      }));
    }
    await new Promise((r) => setImmediate(r));
    // Workers yield one event-loop turn after each create, as a server does between requests; otherwise the
    // chain of microtasks would starve the store's (setImmediate) event dispatch until the load ends. They
    // share the turn, so their next creates still go into one group commit.
    let turn: Promise<void> | undefined;
    const nextTurn = () => turn ??= new Promise<void>((r) => setImmediate(() => { turn = undefined; r(); }));
    const budget = createBudget(s, watchers);
    const acks = new Float64Array(budget).fill(NaN);
    let acked = 0;
    const begin = now();
    const created = await runLoad({ concurrency: s.concurrency, durationMs: s.durationMs, maxOps: budget }, async (seq) => {
      await store.create(`${prefix}w-${seq}`, value);
      acks[seq] = now();
      acked++;
      await nextTurn();
      return true;
    });
    await drain(receivers, () => acked);
    return summarizeDelivery(receivers, acks, acked, begin, created.seconds, errors);
  } finally {
    for (const h of handles) h.close();
    await raw.close();
  }
}

export async function watchFigure(canopy: Canopy, client: Client, s: Settings, watchers: number, backend: Backend): Promise<Figure> {
  const measured = await canopyDelivery(canopy, client, s, watchers);
  const baseline = await storeDelivery(s, watchers, backend);
  const rows: Row[] = [
    { metric: 'events delivered/s', unit: '/s', value: measured.rate, baseline: baseline.rate, kind: 'rate' },
    { metric: 'create-ack → event p50', unit: 'ms', value: measured.latency.quantile(0.5), baseline: baseline.latency.quantile(0.5), kind: 'latency' },
    { metric: 'create-ack → event p99', unit: 'ms', value: measured.latency.quantile(0.99), baseline: baseline.latency.quantile(0.99), kind: 'latency' },
  ];
  const describe = (d: Delivery) => `${d.events}/${d.expected} events in ${d.seconds.toFixed(1)} s from ${d.creates} creates `
    + `(${(d.creates / d.createSeconds).toFixed(0)} creates/s)${d.early ? `, ${d.early} events arrived before the create's ack (counted as 0 ms)` : ''}`
    + `${d.errors.length ? `, unexpected: ${d.errors.join(' | ')}` : ''}`;
  return {
    title: `Watch delivery, ${watchers} watcher${watchers === 1 ? '' : 's'}`,
    description: `${watchers} watch stream${watchers === 1 ? '' : 's'} on one namespace while ConfigMaps are created in it at `
      + `concurrency ${s.concurrency} (at most ${createBudget(s, watchers)} creates); latency is from the create's `
      + `response to the event's arrival, per watcher.`,
    baselineName: `${backend.storeClass}.watch in-process, same creates`,
    rows,
    notes: [`canopy: ${describe(measured)}`, `baseline: ${describe(baseline)}`],
  };
}
