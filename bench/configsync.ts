// Config Sync offline: vet and hydrate of a generated hierarchical repo (3,000 namespaces × 10 objects), in-process,
// against the baseline of only reading and parsing its YAML files; and online: a RootSync syncing 10,000 ConfigMaps, and
// 3,000 namespaces with a ConfigMap each, to one member, against creating them on the member directly.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { controlPlaneClient, joinCluster } from '../src/clusters/membership.ts';
import { outputFiles, writeOutput } from '../src/configsync/output.ts';
import { readRepo } from '../src/configsync/reader.ts';
import { loadHierarchicalRepo } from '../src/configsync/repo.ts';
import { MemberClient } from '../src/members/client.ts';
import { Client } from './client.ts';
import type { Figure, Row } from './figure.ts';
import { configMap as benchConfigMap, configMapsPath, createNamespace, seedConfigMaps } from './objects.ts';
import { startCanopy, startMemberHost } from './processes.ts';

const TEAMS = 30;
const NAMESPACES_PER_TEAM = 100;
/** Per namespace directory: its Namespace and 9 more objects. */
const OBJECTS_PER_NAMESPACE = 10;
const RUNS = 3;

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  key: value-${name}\n`;

/**
 * namespaces/team-T/ns-T-N: a Namespace, 9 ConfigMaps; each team directory a RoleBinding and a ResourceQuota with a
 * NamespaceSelector that every namespace inherits; the root a RoleBinding for all. Returns the number of files.
 */
function generateRepo(root: string): number {
  let count = 0;
  const add = (path: string, text: string) => { write(root, path, text); count++; };
  add('system/repo.yaml', 'apiVersion: configmanagement.gke.io/v1\nkind: Repo\nmetadata:\n  name: repo\nspec:\n  version: 1.0.0\n');
  add('cluster/reader.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n');
  const binding = (name: string, group: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ${name}\n`
    + `subjects:\n- kind: Group\n  name: ${group}\n  apiGroup: rbac.authorization.k8s.io\nroleRef:\n  kind: ClusterRole\n  name: view\n  apiGroup: rbac.authorization.k8s.io\n`;
  add('namespaces/viewers.yaml', binding('viewers', 'auditors'));
  add('namespaces/not-exempt.yaml', 'apiVersion: configmanagement.gke.io/v1\nkind: NamespaceSelector\nmetadata:\n  name: not-exempt\nspec:\n  selector:\n'
    + '    matchExpressions:\n    - key: quota-exempt\n      operator: NotIn\n      values: [exempt]\n');
  for (let t = 0; t < TEAMS; t++) {
    add(`namespaces/team-${t}/team.yaml`, binding('team', `team-${t}`));
    add(`namespaces/team-${t}/quota.yaml`, 'apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\n  annotations:\n'
      + '    configmanagement.gke.io/namespace-selector: not-exempt\nspec:\n  hard:\n    pods: "10"\n');
    for (let n = 0; n < NAMESPACES_PER_TEAM; n++) {
      const ns = `ns-${t}-${n}`;
      add(`namespaces/team-${t}/${ns}/namespace.yaml`, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    team: team-${t}\n`
        + (n % 10 === 0 ? '    quota-exempt: exempt\n' : ''));
      for (let i = 1; i < OBJECTS_PER_NAMESPACE; i++) add(`namespaces/team-${t}/${ns}/cm-${i}.yaml`, configMap(`cm-${i}`));
    }
  }
  return count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeMs(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

export async function configSyncFigure(step: (name: string) => void): Promise<Figure> {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-configsync-'));
  try {
    step('Config Sync: generating the repo');
    const root = join(dir, 'repo');
    const fileCount = generateRepo(root);
    const parse: number[] = [];
    const vet: number[] = [];
    const hydrate: number[] = [];
    let objectCount = 0;
    for (let run = 0; run < RUNS; run++) {
      step(`Config Sync: run ${run + 1} of ${RUNS}`);
      parse.push(timeMs(() => readRepo(root, 'hierarchy')));
      vet.push(timeMs(() => {
        const repo = loadHierarchicalRepo(root, { clusters: [{ name: 'member1' }] });
        if (repo.errors.length) throw new Error(`the generated repo does not vet: ${repo.errors[0]!.message}`);
        objectCount = repo.clusters[0]!.objects.length;
      }));
      const out = join(dir, `compiled-${run}`);
      hydrate.push(timeMs(() => {
        const repo = loadHierarchicalRepo(root, { clusters: [{ name: 'member1' }] });
        writeOutput(out, outputFiles([{ cluster: 'member1', objects: repo.clusters[0]!.objects }], 'yaml'), 'yaml');
      }));
      rmSync(out, { recursive: true, force: true });
    }
    const baseline = median(parse);
    return {
      title: `Config Sync: vet and hydrate ${(TEAMS * NAMESPACES_PER_TEAM).toLocaleString('en-US')} namespaces`,
      description: `A generated hierarchical repo: ${TEAMS} abstract team directories of ${NAMESPACES_PER_TEAM} namespace directories, `
        + `each with its Namespace and ${OBJECTS_PER_NAMESPACE - 1} ConfigMaps, plus a RoleBinding and a NamespaceSelected `
        + 'ResourceQuota per team and a RoleBinding for all. In-process `loadHierarchicalRepo` for one cluster (what `canopy vet` '
        + 'does after starting) and the same plus writing every object to its own file (`canopy hydrate`), each the median of '
        + `${RUNS} runs, against only reading and parsing the repo's YAML files.`,
      baselineName: 'read and parse the YAML files',
      rows: [
        { metric: 'vet (read, validate, hydrate in memory)', unit: 'ms', value: median(vet), baseline, kind: 'latency' },
        { metric: 'hydrate (vet, then write one file per object)', unit: 'ms', value: median(hydrate), baseline, kind: 'latency' },
      ],
      notes: [`${fileCount.toLocaleString('en-US')} files in, ${objectCount.toLocaleString('en-US')} objects out for the cluster.`],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SYNC_TIMEOUT_MS = 30 * 60_000;
const ROOT_SYNCS = '/apis/configsync.gke.io/v1beta1/namespaces/config-management-system/rootsyncs';
const MANAGED = encodeURIComponent('app.kubernetes.io/managed-by=configmanagement.gke.io');

/** What one RootSync figure syncs: the repo's namespace directories and ConfigMaps, and Config Sync 1.12's own figure. */
interface SyncScenario {
  what: string;
  /** Namespace directory → how many ConfigMaps it holds. */
  namespaces: Map<string, number>;
  /** The RootSync must finish within a tenth of Config Sync's time (ms). */
  configSyncMs: number;
}

const SCENARIOS: SyncScenario[] = [
  { what: '10,000 ConfigMaps in one namespace', namespaces: new Map([['synced', 10_000]]), configSyncMs: 120_000 },
  {
    what: '3,000 namespaces with a ConfigMap each',
    namespaces: new Map(Array.from({ length: 3_000 }, (_, i) => [`synced-${i}`, 1] as [string, number])), configSyncMs: 90_000,
  },
];
const CONFIGMAPS_PER_FILE = 100;

/** The scenario as a hierarchical repo in a git repository, the bench's ConfigMaps 100 to a file; returns the commit. */
function generateSyncRepo(root: string, scenario: SyncScenario): string {
  write(root, 'system/repo.yaml', 'apiVersion: configmanagement.gke.io/v1\nkind: Repo\nmetadata:\n  name: repo\nspec:\n  version: 1.0.0\n');
  for (const [namespace, count] of scenario.namespaces) {
    write(root, `namespaces/${namespace}/namespace.yaml`, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`);
    for (let file = 0; file * CONFIGMAPS_PER_FILE < count; file++) {
      const docs = Array.from({ length: Math.min(CONFIGMAPS_PER_FILE, count - file * CONFIGMAPS_PER_FILE) },
        (_, i) => stringify(benchConfigMap(`cm-${file * CONFIGMAPS_PER_FILE + i}`)));
      write(root, `namespaces/${namespace}/configmaps-${file}.yaml`, docs.join('---\n'));
    }
  }
  const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@canopy.invalid', GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@canopy.invalid', GIT_CONFIG_GLOBAL: '/dev/null' };
  const git = (args: string[]) => execFileSync('git', ['-C', root, ...args], { env, encoding: 'utf8' });
  git(['init', '--quiet', '--initial-branch', 'main']);
  git(['add', '--all']);
  git(['commit', '--quiet', '--message', 'bench']);
  return git(['rev-parse', 'HEAD']).trim();
}

/** Counts the ConfigMaps Config Sync creates on the member, through a watch; arrived() resolves once there are `expected`. */
function watchManagedConfigMaps(member: MemberClient, expected: number): { arrived: Promise<void>; close(): void } {
  const names = new Set<string>();
  let done: () => void;
  let failed: (e: Error) => void;
  const arrived = new Promise<void>((resolve, reject) => { done = resolve; failed = reject; });
  const watch = member.watch(`/api/v1/configmaps?watch=true&labelSelector=${MANAGED}`, (event) => {
    if (event.type !== 'ADDED') return;
    names.add(`${event.object.metadata?.namespace}/${event.object.metadata?.name}`);
    if (names.size >= expected) done();
  }, (error) => failed(error ?? new Error('the watch of the member\'s ConfigMaps ended')));
  return { arrived, close: () => watch.close() };
}

async function waitUntil(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + SYNC_TIMEOUT_MS;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Per scenario, on a new control plane and local member: the time from creating a RootSync to every ConfigMap
 * existing on the member, and to the RootSync reporting the commit synced, against creating the same namespaces and
 * ConfigMaps on the member directly.
 */
export async function rootSyncFigure(nodeArgs: string[], step: (name: string) => void): Promise<Figure> {
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) rows.push(...await syncScenario(scenario, nodeArgs, step));
  return {
    title: 'Config Sync: a RootSync syncs a repo to one member',
    description: 'A git repository (file://) in the hierarchical format, ConfigMaps 100 to a file. From creating the RootSync to '
      + 'every ConfigMap existing on the member (fetch, hydrate, Works, the execution controller creating each object on the '
      + 'member), and to the RootSync reporting the commit synced, against creating the same namespaces and ConfigMaps on the '
      + 'member directly, 8 at a time. The limit is a tenth of what Config Sync 1.12 reports for the same amount (120 s for '
      + '10K ConfigMaps, 90 s for 3K objects in 3K namespaces).',
    baselineName: 'create them on the member directly',
    rows,
    notes: ['A new control plane and local member process per repo, on the same machine; one run each.'],
  };
}

async function syncScenario(scenario: SyncScenario, nodeArgs: string[], step: (name: string) => void): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-rootsync-'));
  step(`Config Sync, ${scenario.what}: starting a control plane and a member`);
  const [canopy, host] = await Promise.all([startCanopy(nodeArgs), startMemberHost(1, nodeArgs)]);
  try {
    const member = host.members[0]!;
    const memberConfig = parse(readFileSync(member.kubeconfig, 'utf8'));
    const direct = new Client(member.url, Buffer.from(memberConfig.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
      memberConfig.users[0].user.token, 8);
    const cp = new Client(canopy.url, canopy.ca, canopy.token, 4);
    await joinCluster(controlPlaneClient(`${canopy.dir}/kubeconfig`), { name: member.name, kubeconfig: member.kubeconfig });
    await waitUntil('the member Ready', async () => ((await cp.json('GET', '/apis/cluster.karmada.io/v1alpha1/clusters')).json?.items ?? [])
      .some((c: any) => c.status?.conditions?.some((k: any) => k.type === 'Ready' && k.status === 'True')));

    step(`Config Sync, ${scenario.what}: creating them on the member directly`);
    let baseline = 0;
    for (const [namespace, count] of scenario.namespaces) {
      if (count === 1) continue;
      const started = performance.now();
      await createNamespace(direct, `direct-${namespace}`);
      baseline += performance.now() - started + (await seedConfigMaps(direct, `direct-${namespace}`, 'cm', count, 8)) * 1000;
    }
    const singles = [...scenario.namespaces].filter(([, count]) => count === 1).map(([namespace]) => `direct-${namespace}`);
    baseline += (await createConcurrently(direct, singles, 8)) * 1000;

    step(`Config Sync, ${scenario.what}: syncing them with a RootSync`);
    const root = join(dir, 'repo');
    const commit = generateSyncRepo(root, scenario);
    const expected = [...scenario.namespaces.values()].reduce((a, b) => a + b, 0);
    const arrivals = watchManagedConfigMaps(MemberClient.fromKubeconfig(readFileSync(member.kubeconfig, 'utf8')), expected);
    const started = performance.now();
    const created = await cp.json('POST', ROOT_SYNCS, {
      apiVersion: 'configsync.gke.io/v1beta1', kind: 'RootSync', metadata: { name: 'root-sync', namespace: 'config-management-system' },
      spec: { sourceFormat: 'hierarchy', git: { repo: `file://${root}`, branch: 'main', auth: 'none' } },
    });
    if (created.status !== 201) throw new Error(`creating the RootSync: ${created.status} ${created.text}`);
    await arrivals.arrived.finally(() => arrivals.close());
    const onMember = performance.now() - started;
    await waitUntil('the RootSync to report the commit synced', async () =>
      (await cp.json('GET', `${ROOT_SYNCS}/root-sync`)).json?.status?.lastSyncedCommit === commit);
    const reported = performance.now() - started;
    const limit = scenario.configSyncMs / 10;
    return [
      { metric: `${scenario.what}: RootSync created → all on the member`, unit: 'ms', value: onMember, baseline, kind: 'latency', limit },
      { metric: `${scenario.what}: RootSync created → lastSyncedCommit`, unit: 'ms', value: reported, baseline, kind: 'latency', limit },
    ];
  } finally {
    await Promise.all([canopy.stop(), host.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates a namespace and one ConfigMap in it for each name, `concurrency` namespaces at a time; returns the seconds it took. */
async function createConcurrently(client: Client, namespaces: string[], concurrency: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < namespaces.length) {
      const namespace = namespaces[next++]!;
      await createNamespace(client, namespace);
      const res = await client.send('POST', configMapsPath(namespace), JSON.stringify(benchConfigMap('cm-0')));
      if (res.status !== 201) throw new Error(`creating a ConfigMap in ${namespace}: ${res.status}`);
    }
  }));
  return (performance.now() - started) / 1000;
}
