// GET, LIST and CREATE over HTTPS against canopy serve, with their baselines.
import type { Client, Response } from './client.ts';
import { Client as HttpsClient } from './client.ts';
import { describeRun, standardRows, type Figure } from './figure.ts';
import { interleave, runLoad } from './load.ts';
import { configMap, configMapsPath, createNamespace, seedConfigMaps } from './objects.ts';
import { startBareServer, type Canopy } from './processes.ts';
import type { Measurement } from './stats.ts';
import type { Backend } from './stores.ts';

export interface Settings {
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  maxOps: number;
  /** Canopy and a bare-server baseline are measured in this many alternating slices. */
  slices: number;
}

const HOP_BY_HOP = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** The response headers worth replaying from the bare server. */
function replayHeaders(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** GETs of path, each of which must answer 200 with exactly `bytes` bytes. */
function getOp(client: Client, path: string, bytes: number): () => Promise<boolean> {
  return async () => {
    const res = await client.send('GET', path);
    return res.status === 200 && res.bytes === bytes;
  };
}

/** Measures GETs of path on canopy and the same GETs of the same bytes from a bare node:https server, in
 *  alternating slices. */
async function againstBareServer(canopy: Canopy, client: Client, path: string, s: Settings, concurrency = s.concurrency) {
  const sample = await client.send('GET', path, undefined, true);
  if (sample.status !== 200) throw new Error(`GET ${path}: ${sample.status} ${sample.body!.toString()}`);
  const bare = await startBareServer({ cert: canopy.cert, key: canopy.key }, sample.body!, replayHeaders(sample));
  const bareClient = new HttpsClient(bare.url, canopy.ca, canopy.token, s.concurrency);
  try {
    const check = await bareClient.send('GET', path, undefined, true);
    if (!check.body!.equals(sample.body!)) throw new Error('the bare server answered different bytes');
    const [measured, baseline] = await interleave(
      { concurrency, durationMs: s.durationMs, warmupMs: s.warmupMs, maxOps: s.maxOps, slices: s.slices },
      getOp(client, path, sample.bytes), getOp(bareClient, path, sample.bytes));
    return { measured, baseline, body: sample.body! };
  } finally {
    bareClient.close();
    await bare.stop();
  }
}

export async function getFigure(canopy: Canopy, client: Client, s: Settings): Promise<Figure> {
  const ns = 'bench-get';
  await createNamespace(client, ns);
  const created = await client.json('POST', configMapsPath(ns), configMap('one'));
  if (created.status !== 201) throw new Error(`creating the ConfigMap: ${created.status} ${created.text}`);
  const path = `${configMapsPath(ns)}/one`;
  const { measured, baseline, body } = await againstBareServer(canopy, client, path, s);
  return {
    title: 'GET one ConfigMap',
    description: `\`GET ${path}\` (${body.length} bytes) at concurrency ${s.concurrency}.`,
    baselineName: 'bare node:https server, same bytes',
    rows: standardRows('requests/s', '/s', measured, baseline, 0.5),
    notes: [`canopy: ${describeRun(measured)}; baseline: ${describeRun(baseline)}`],
  };
}

export async function listFigure(canopy: Canopy, client: Client, s: Settings, count: number,
  concurrency: number): Promise<Figure> {
  const ns = `bench-list-${count}`;
  await createNamespace(client, ns);
  const seedSeconds = await seedConfigMaps(client, ns, 'cm', count, s.concurrency);
  const path = configMapsPath(ns);
  const list = await client.json('GET', path);
  if (list.json?.items?.length !== count) throw new Error(`LIST ${path}: expected ${count} items, got ${list.json?.items?.length}`);
  const { measured, baseline, body } = await againstBareServer(canopy, client, path, s, concurrency);
  return {
    title: `LIST ${count} ConfigMaps`,
    description: `\`GET ${path}\` (${count} items, ${(body.length / 1024).toFixed(0)} KiB) at concurrency ${concurrency}.`,
    baselineName: 'bare node:https server, same bytes',
    rows: standardRows('lists/s', '/s', measured, baseline),
    notes: [
      `canopy: ${describeRun(measured)}; baseline: ${describeRun(baseline)}`,
      `seeding: ${count} concurrent creates in ${seedSeconds.toFixed(1)} s (${(count / seedSeconds).toFixed(0)}/s)`,
    ],
  };
}

export async function createFigure(client: Client, s: Settings, backend: Backend): Promise<Figure> {
  const ns = 'bench-create';
  await createNamespace(client, ns);
  const path = configMapsPath(ns);
  const create = (prefix: string) => async (seq: number) => {
    const res = await client.send('POST', path, JSON.stringify(configMap(`${prefix}-${seq}`)));
    return res.status === 201;
  };
  await runLoad({ concurrency: s.concurrency, durationMs: s.warmupMs, maxOps: s.maxOps }, create('warm'));
  const measured = await runLoad({ concurrency: s.concurrency, durationMs: s.durationMs, maxOps: s.maxOps }, create('c'));
  // The value bytes canopy stores: the created object as the server returns it.
  const sample = await client.json('GET', `${path}/c-0`);
  if (sample.status !== 200) throw new Error(`GET ${path}/c-0: ${sample.status}`);
  const value = sample.text;
  const baseline = await storeCreates(value, ns, s, backend);
  return {
    title: 'CREATE ConfigMaps',
    description: `\`POST ${path}\` of distinct ConfigMaps at concurrency ${s.concurrency}; stored value ${value.length} bytes.`,
    baselineName: `${backend.storeClass}.create in-process, same value bytes and concurrency`,
    rows: standardRows('creates/s', '/s', measured, baseline, 0.3),
    notes: [`canopy: ${describeRun(measured)}; baseline: ${describeRun(baseline)}`],
  };
}

/** The raw store: concurrent creates in this process (SQLite: a temporary file; etcd: the same etcd). */
async function storeCreates(value: string, ns: string, s: Settings, backend: Backend): Promise<Measurement> {
  const raw = await backend.openRaw();
  try {
    const create = (prefix: string) => async (seq: number) => {
      await raw.store.create(`${raw.prefix}core/configmaps/${ns}/${prefix}-${seq}`, value);
      return true;
    };
    await runLoad({ concurrency: s.concurrency, durationMs: s.warmupMs, maxOps: s.maxOps }, create('warm'));
    return await runLoad({ concurrency: s.concurrency, durationMs: s.durationMs, maxOps: s.maxOps }, create('c'));
  } finally {
    await raw.close();
  }
}
