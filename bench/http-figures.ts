// GET, LIST and CREATE over HTTPS against canopy serve, with their baselines.
import type { Client, Response } from './client.ts';
import { Client as HttpsClient } from './client.ts';
import { describeRun, standardRows, type Figure } from './figure.ts';
import { interleave, runLoad } from './load.ts';
import { configMap, configMapsPath, createNamespace, seedConfigMaps } from './objects.ts';
import { startBareServer, type Canopy } from './processes.ts';
import { fmt } from './report.ts';
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

/** The requests of a figure, sent alike to canopy and to its bare-server baseline: each side's nth request
 *  (n = 0, 1, ...) is the same bytes. */
interface Requests {
  method: 'GET' | 'POST';
  path: string;
  /** The body of the nth request (none for a GET). */
  body?: (n: number) => string;
  /** The status of a success, and so what the bare server answers. */
  status: number;
  /** Canopy answers every request with the same bytes (a GET of objects that do not change), so their length is
   *  checked too; a create's answer differs with the new object's name and resourceVersion. */
  sameAnswer: boolean;
}

const get = (path: string): Requests => ({ method: 'GET', path, status: 200, sameAnswer: true });

/** One side's requests from n = 1 on (n = 0 was the sample or the check); each must answer r.status and, when
 *  bytes is given, exactly that many bytes. */
function requestOp(client: Client, r: Requests, bytes?: number): () => Promise<boolean> {
  let n = 1;
  return async () => {
    const res = await client.send(r.method, r.path, r.body?.(n++));
    return res.status === r.status && (bytes === undefined || res.bytes === bytes);
  };
}

/** Measures requests on canopy and the same requests on a bare node:https server, in alternating slices; the bare
 *  server answers each with the status, headers and bytes of canopy's answer to the first (n = 0). */
async function againstBareServer(canopy: Canopy, client: Client, r: Requests, s: Settings, concurrency = s.concurrency) {
  const send = (c: Client) => c.send(r.method, r.path, r.body?.(0), true);
  const sample = await send(client);
  if (sample.status !== r.status) throw new Error(`${r.method} ${r.path}: ${sample.status} ${sample.body!.toString()}`);
  const bare = await startBareServer({ cert: canopy.cert, key: canopy.key }, sample.status, sample.body!, replayHeaders(sample));
  const bareClient = new HttpsClient(bare.url, canopy.ca, canopy.token, s.concurrency);
  try {
    const check = await send(bareClient);
    if (check.status !== sample.status || !check.body!.equals(sample.body!)) throw new Error('the bare server answered differently');
    const [measured, baseline] = await interleave(
      { concurrency, durationMs: s.durationMs, warmupMs: s.warmupMs, maxOps: s.maxOps, slices: s.slices },
      requestOp(client, r, r.sameAnswer ? sample.bytes : undefined), requestOp(bareClient, r, sample.bytes));
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
  const { measured, baseline, body } = await againstBareServer(canopy, client, get(path), s);
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
  const { measured, baseline, body } = await againstBareServer(canopy, client, get(path), s, concurrency);
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

/** The share of the raw store's create rate canopy's should reach. */
const CREATE_TARGET = 0.3;

export async function createFigure(canopy: Canopy, client: Client, s: Settings, backend: Backend): Promise<Figure> {
  const ns = 'bench-create';
  await createNamespace(client, ns);
  const path = configMapsPath(ns);
  // Distinct ConfigMaps c-0, c-1, ... on each side; the bare server answers every POST with canopy's answer to c-0.
  const { measured, baseline: bare, body: created } = await againstBareServer(canopy, client,
    { method: 'POST', path, body: (n) => JSON.stringify(configMap(`c-${n}`)), status: 201, sameAnswer: false }, s);
  // The value bytes canopy stores: the created object as the server returns it.
  const sample = await client.json('GET', `${path}/c-0`);
  if (sample.status !== 200) throw new Error(`GET ${path}/c-0: ${sample.status}`);
  const value = sample.text;
  const baseline = await storeCreates(value, ns, s, backend);
  const targetRate = CREATE_TARGET * baseline.rate;
  return {
    title: 'CREATE ConfigMaps',
    description: `\`POST ${path}\` of distinct ConfigMaps at concurrency ${s.concurrency}; stored value ${value.length} bytes.`,
    baselineName: `${backend.storeClass}.create in-process, same value bytes and concurrency`,
    rows: standardRows('creates/s', '/s', measured, baseline, CREATE_TARGET),
    notes: [`canopy: ${describeRun(measured)}; baseline: ${describeRun(baseline)}`],
    secondBaseline: {
      name: 'bare node:https server answering the same POSTs',
      detail: 'same body bytes, path, concurrency and client; each request read whole and answered 201 with the bytes '
        + `canopy returned for one create (${created.length} bytes); measured in alternating slices with canopy`,
      rows: standardRows('creates/s', '/s', measured, bare),
      notes: [
        `bare server: ${describeRun(bare)}`,
        `${(CREATE_TARGET * 100).toFixed(0)}% of the raw store rate is ${fmt(targetRate, '/s')}: `
          + `${targetRate > bare.rate ? 'above' : 'below'} the bare server's ${fmt(bare.rate, '/s')}`,
      ],
    },
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
