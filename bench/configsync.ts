// Config Sync offline: vet and hydrate of a generated hierarchical repo (3,000 namespaces × 10 objects), in-process,
// against the baseline of only reading and parsing its YAML files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { outputFiles, writeOutput } from '../src/configsync/output.ts';
import { readRepo } from '../src/configsync/reader.ts';
import { loadHierarchicalRepo } from '../src/configsync/repo.ts';
import type { Figure } from './figure.ts';

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
