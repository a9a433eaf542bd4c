// npm run bench: measures canopy serve over real HTTPS against baselines and rewrites docs/benchmarks.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from './client.ts';
import { configSyncFigure, rootSyncFigure } from './configsync.ts';
import type { Figure } from './figure.ts';
import { createFigure, getFigure, listFigure, type Settings } from './http-figures.ts';
import { cleanupSync, ROOT, startCanopy, type Canopy } from './processes.ts';
import { propagationFigures } from './propagation-figure.ts';
import { markdown, summary } from './report.ts';
import { SQLITE, startEtcdBackend, type Backend } from './stores.ts';
import { watchFigure } from './watch-figure.ts';

function nproc(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || availableParallelism();
  } catch {
    return availableParallelism();
  }
}

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? '');
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const settings: Settings = {
  concurrency: envNumber('BENCH_CONCURRENCY', 16),
  durationMs: envNumber('BENCH_DURATION_MS', 5000),
  warmupMs: 1000,
  maxOps: 200_000,
  slices: 5,
};
/** Lists of 10k items are megabytes each: fewer in flight. */
const LIST_10K_CONCURRENCY = 4;
/** The whole run is abandoned past this. */
const OVERALL_TIMEOUT_MS = 15 * 60_000;
/** BENCH_ONLY runs some groups of figures (and leaves docs/benchmarks.md alone): http (on SQLite), etcd (the same
 *  figures on etcd), storage (both, and their comparison), propagation or configsync. */
const GROUPS: Record<string, string[]> = {
  http: ['http'], etcd: ['etcd'], storage: ['http', 'etcd', 'storage'], propagation: ['propagation'], configsync: ['configsync'],
};
const only = process.env.BENCH_ONLY;
if (only !== undefined && !GROUPS[only]) throw new Error(`BENCH_ONLY must be one of ${Object.keys(GROUPS).join(', ')}`);
const runs = (group: string) => only === undefined || GROUPS[only]!.includes(group);
/** Member counts of the propagation figures (BENCH_PROPAGATION_MEMBERS=1,10,100). */
const propagationMembers = (process.env.BENCH_PROPAGATION_MEMBERS ?? '1,10,100').split(',').map(Number);
if (!propagationMembers.every((n) => Number.isInteger(n) && n > 0)) throw new Error('BENCH_PROPAGATION_MEMBERS: positive integers');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanupSync();
    process.exit(130);
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  const loadAverage = loadavg()[0]!;
  const figures: Figure[] = [];
  const step = (name: string) => process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${name}\n`);
  const profDir = process.env.BENCH_CPU_PROF;
  if (profDir) mkdirSync(profDir, { recursive: true });
  const nodeArgs = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  const onSqlite = runs('http') ? await httpFigures(SQLITE, nodeArgs, step) : [];
  figures.push(...onSqlite);
  if (runs('etcd')) {
    step('starting etcd');
    const etcd = await startEtcdBackend();
    try {
      const onEtcd = await httpFigures(etcd, nodeArgs, step);
      figures.push(...onEtcd);
      if (runs('storage')) figures.push(storageComparison(onSqlite, onEtcd));
    } finally {
      await etcd.stop();
    }
  }
  if (runs('propagation')) figures.push(...await propagationFigures(propagationMembers, nodeArgs, step));
  if (runs('configsync')) figures.push(await rootSyncFigure(nodeArgs, step), await configSyncFigure(step));
  const totalSeconds = (performance.now() - started) / 1000;
  step('done');
  if (only !== undefined) {
    process.stdout.write(`\n${summary(figures)}\n\ndocs/benchmarks.md left as it is (BENCH_ONLY=${only})\n`);
    return;
  }
  const doc = markdown(figures, {
    cpus: nproc(), cpuModel: cpus()[0]?.model ?? 'unknown CPU', loadAverage, node: process.version,
    platform: `${process.platform} ${process.arch}`, date: new Date().toISOString().slice(0, 10), totalSeconds,
    concurrency: settings.concurrency, durationMs: settings.durationMs,
  });
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), doc);
  process.stdout.write(`\n${summary(figures)}\n\nwrote docs/benchmarks.md\n`);
}

/** GET, LIST, CREATE and watch figures against one `canopy serve` on backend; on etcd, titled so. */
async function httpFigures(backend: Backend, nodeArgs: string[], step: (name: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const on = backend === SQLITE ? '' : ` (${backend.name})`;
  step(`starting canopy serve${on}`);
  const canopy: Canopy = await startCanopy(nodeArgs, backend.storeUrl);
  const client = new Client(canopy.url, canopy.ca, canopy.token, settings.concurrency);
  try {
    step(`GET${on}`);
    figures.push(await getFigure(canopy, client, settings));
    step(`LIST 1k${on}`);
    figures.push(await listFigure(canopy, client, settings, 1000, settings.concurrency));
    step(`LIST 10k${on}`);
    figures.push(await listFigure(canopy, client, settings, 10_000, LIST_10K_CONCURRENCY));
    step(`CREATE${on}`);
    figures.push(await createFigure(canopy, client, settings, backend));
    step(`watch, 1 watcher${on}`);
    figures.push(await watchFigure(canopy, client, settings, 1, backend));
    step(`watch, 100 watchers${on}`);
    figures.push(await watchFigure(canopy, client, settings, 100, backend));
  } finally {
    client.close();
    await canopy.stop();
  }
  for (const figure of figures) figure.title += on;
  return figures;
}

/** The figures on etcd against the same figures on SQLite, row by row. */
function storageComparison(onSqlite: Figure[], onEtcd: Figure[]): Figure {
  return {
    title: 'Storage: canopy serve on etcd against SQLite',
    description: 'The rows of the figures above, canopy serve on a local single-member etcd (default flags, same '
      + 'machine) against canopy serve on its SQLite file, both measured in this run.',
    baselineName: 'the same figure on SQLite',
    rows: onEtcd.flatMap((figure, i) => figure.rows.map((row, j) => ({
      metric: `${onSqlite[i]!.title}: ${row.metric}`, unit: row.unit, kind: row.kind,
      value: row.value, baseline: onSqlite[i]!.rows[j]!.value,
    }))),
    notes: [],
  };
}

const timeout = setTimeout(() => {
  process.stderr.write('bench: overall timeout\n');
  cleanupSync();
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
timeout.unref();

try {
  await main();
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  cleanupSync();
  clearTimeout(timeout);
}
// Open sockets or timers must not keep a finished run alive.
process.exit(process.exitCode ?? 0);
