// canopy hydrate: what each namespace of each cluster gets from a hierarchical repo (inheritance, NamespaceSelectors,
// ClusterSelectors), written as nomos hydrate writes it; and the metadata the library adds for syncing.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadHierarchicalRepo } from '../src/configsync/repo.ts';
import { canopy, configMapYaml, makeRepo, namespaceYaml, removeTemporaryDirectories, ROOT, temporaryDirectory } from './support/configsync.ts';

const EXAMPLE = join(ROOT, 'examples', 'config-sync');

function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, `${prefix}${name}/`) : [`${prefix}${name}`];
  }).sort();
}

function hydrate(repo: string, ...args: string[]): { code: number; stderr: string; stdout: string; out: string } {
  const out = join(temporaryDirectory('canopy-hydrated-'), 'compiled');
  return { ...canopy(['hydrate', '--path', repo, '--output', out, ...args]), out };
}

/** The example's cluster-scoped objects, and what each namespace inherits or declares. */
function exampleFiles(prodCluster: boolean): string[] {
  return [
    'audit/rolebinding_viewers.yaml',
    'clusterrole_job-creator.yaml', 'clusterrole_namespace-reader.yaml', 'clusterrole_pod-creator.yaml',
    'namespace_audit.yaml', 'namespace_shipping-dev.yaml', 'namespace_shipping-prod.yaml', 'namespace_shipping-staging.yaml',
    // shipping-dev is labelled quota-exempt: exempt, so the quota's NamespaceSelector leaves it out.
    'shipping-dev/rolebinding_job-creators.yaml', 'shipping-dev/rolebinding_pod-creators.yaml', 'shipping-dev/rolebinding_viewers.yaml',
    // The oncall ConfigMap's ClusterSelector selects clusters labelled environment: prod.
    ...(prodCluster ? ['shipping-prod/configmap_oncall.yaml'] : []),
    'shipping-prod/resourcequota_quota.yaml', 'shipping-prod/rolebinding_pod-creators.yaml', 'shipping-prod/rolebinding_viewers.yaml',
    'shipping-staging/resourcequota_quota.yaml', 'shipping-staging/rolebinding_pod-creators.yaml', 'shipping-staging/rolebinding_viewers.yaml',
  ];
}

describe('canopy hydrate', () => {
  after(removeTemporaryDirectories);

  it('gives each namespace of the example exactly what it inherits, per cluster', () => {
    const all = hydrate(EXAMPLE);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(files(all.out), [
      ...exampleFiles(false).map((f) => `defaultcluster/${f}`),
      ...exampleFiles(true).map((f) => `member1/${f}`),
      ...exampleFiles(false).map((f) => `member2/${f}`),
    ]);
    const one = hydrate(EXAMPLE, '--clusters', 'member1');
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(files(one.out), exampleFiles(true));
    assert.equal(one.stdout, `wrote ${exampleFiles(true).length} files to ${one.out}/\n`);
    assert.equal(readFileSync(join(one.out, 'shipping-prod/resourcequota_quota.yaml'), 'utf8'),
      '---\napiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\n  namespace: shipping-prod\nspec:\n  hard:\n    cpu: 100m\n    memory: 100Mi\n    pods: "1"\n');
    assert.equal(readFileSync(join(one.out, 'namespace_shipping-prod.yaml'), 'utf8'),
      '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  annotations:\n    audit: "true"\n  labels:\n    env: prod\n  name: shipping-prod\n');
    assert.equal(readFileSync(join(one.out, 'shipping-dev/rolebinding_viewers.yaml'), 'utf8'),
      '---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: viewers\n  namespace: shipping-dev\nroleRef:\n'
      + '  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:\n- apiGroup: rbac.authorization.k8s.io\n'
      + '  kind: Group\n  name: system:serviceaccounts:audit\n');
  });

  it('gives the library the tree labels and Config Sync metadata a sync needs', () => {
    const repo = loadHierarchicalRepo(EXAMPLE, { clusters: [{ name: 'member1' }, { name: 'elsewhere', labels: { environment: 'prod' } }] });
    assert.deepEqual(repo.errors, []);
    const [member1, elsewhere] = repo.clusters;
    const find = (kind: string, name: string, namespace?: string) => member1!.objects.find((fo) => fo.object.kind === kind
      && fo.object.metadata.name === name && fo.object.metadata.namespace === namespace)!.object;
    const prod = find('Namespace', 'shipping-prod');
    assert.deepEqual(prod.metadata.labels, {
      env: 'prod', 'configsync.gke.io/declared-version': 'v1',
      'root.tree.hnc.x-k8s.io/depth': '3', 'online.tree.hnc.x-k8s.io/depth': '2',
      'shipping-app-backend.tree.hnc.x-k8s.io/depth': '1', 'shipping-prod.tree.hnc.x-k8s.io/depth': '0',
    });
    assert.deepEqual(prod.metadata.annotations, {
      audit: 'true', 'hnc.x-k8s.io/managed-by': 'configmanagement.gke.io',
      'configmanagement.gke.io/cluster-name': 'member1',
      'configmanagement.gke.io/source-path': 'namespaces/online/shipping-app-backend/shipping-prod/namespace.yaml',
    });
    assert.deepEqual(find('Namespace', 'audit').metadata.labels, {
      'configsync.gke.io/declared-version': 'v1', 'root.tree.hnc.x-k8s.io/depth': '1', 'audit.tree.hnc.x-k8s.io/depth': '0',
    });
    const quota = find('ResourceQuota', 'quota', 'shipping-staging');
    assert.equal(quota.metadata.annotations['configmanagement.gke.io/source-path'], 'namespaces/online/shipping-app-backend/quota.yaml');
    assert.equal(quota.metadata.annotations['configmanagement.gke.io/namespace-selector'], 'excludes-exempt-namespaces');
    // Labels given with the cluster take the place of its clusterregistry/ Cluster's.
    assert.ok(elsewhere!.objects.some((fo) => fo.object.kind === 'ConfigMap' && fo.object.metadata.name === 'oncall'));
  });

  it('reads .yaml, .yml and .json files, flattens Lists, drops local-config objects, writes JSON and names clashing files with their group', () => {
    const repo = makeRepo({
      'namespaces/a/namespace.json': JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }),
      'namespaces/a/list.yml': `apiVersion: v1\nkind: List\nitems:\n- ${configMapYaml('one').replace(/\n(?=.)/g, '\n  ')}- ${configMapYaml('two').replace(/\n(?=.)/g, '\n  ')}`,
      'namespaces/a/local.yaml': configMapYaml('local', '  annotations:\n    config.kubernetes.io/local-config: "true"\n'),
      'namespaces/a/role.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\n---\napiVersion: example.com/v1\nkind: Role\nmetadata:\n  name: r\n',
      'namespaces/a/README.md': 'not a config\n',
      'namespaces/.git/config.yaml': 'not: a config\n',
    });
    const r = hydrate(repo, '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(files(r.out), [
      'a/configmap_one.json', 'a/configmap_two.json', 'a/role.example.com_r.json', 'a/role.rbac.authorization.k8s.io_r.json', 'namespace_a.json',
    ]);
    assert.equal(readFileSync(join(r.out, 'a/configmap_one.json'), 'utf8'),
      '{\n\t"apiVersion": "v1",\n\t"items": [\n\t\t{\n\t\t\t"apiVersion": "v1",\n\t\t\t"data": {\n\t\t\t\t"key": "value"\n\t\t\t},\n'
      + '\t\t\t"kind": "ConfigMap",\n\t\t\t"metadata": {\n\t\t\t\t"name": "one",\n\t\t\t\t"namespace": "a"\n\t\t\t}\n\t\t}\n\t],\n\t"kind": "List"\n}');
  });

  it('hydrates for the clusters cluster-name selectors name, and writes one file with --flat', () => {
    const repo = makeRepo({
      'namespaces/a/namespace.yaml': namespaceYaml('a'),
      'namespaces/a/only-c1.yaml': configMapYaml('only-c1', '  annotations:\n    configsync.gke.io/cluster-name-selector: "c1, c2"\n'),
      'namespaces/b/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n  annotations:\n    configsync.gke.io/cluster-name-selector: c2\n',
      'namespaces/b/cm.yaml': configMapYaml('cm'),
    });
    const r = hydrate(repo);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(files(r.out), [
      'c1/a/configmap_only-c1.yaml', 'c1/namespace_a.yaml',
      'c2/a/configmap_only-c1.yaml', 'c2/b/configmap_cm.yaml', 'c2/namespace_a.yaml', 'c2/namespace_b.yaml',
      'defaultcluster/namespace_a.yaml',
    ]);
    const flat = hydrate(repo, '--clusters', 'c1', '--flat');
    assert.equal(flat.code, 0, flat.stderr);
    assert.equal(readFileSync(flat.out, 'utf8'),
      '---\napiVersion: v1\ndata:\n  key: value\nkind: ConfigMap\nmetadata:\n  name: only-c1\n  namespace: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n');
  });

  it('reports the errors of each cluster and writes only what the others get', () => {
    const r = hydrate(makeRepo({ 'namespaces/a/namespace.yaml': namespaceYaml('b') }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^errors for Cluster "defaultcluster": 1 error\(s\)\n\n\n\[1\] KNV1020: /);
    assert.equal(r.stdout, `wrote 0 files to ${r.out}/\n`);
  });

  it('hydrates unstructured repos: NamespaceSelectors copy objects into the Namespaces they select', () => {
    const repo = makeRepo({
      'system/repo.yaml': null,
      'namespaces.yaml': `${namespaceYaml('prod-a', { env: 'prod' })}---\n${namespaceYaml('prod-b', { env: 'prod' })}---\n${namespaceYaml('dev', { env: 'dev' })}`,
      'selector.yaml': 'apiVersion: configmanagement.gke.io/v1\nkind: NamespaceSelector\nmetadata:\n  name: prod\nspec:\n  selector:\n    matchLabels:\n      env: prod\n',
      'configs/cm.yaml': configMapYaml('settings', '  annotations:\n    configmanagement.gke.io/namespace-selector: prod\n'),
      'configs/plain.yaml': configMapYaml('plain'),
    });
    const r = hydrate(repo, '--source-format', 'unstructured');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(files(r.out), [
      'default/configmap_plain.yaml', 'namespace_dev.yaml', 'namespace_prod-a.yaml', 'namespace_prod-b.yaml',
      'prod-a/configmap_settings.yaml', 'prod-b/configmap_settings.yaml',
    ]);
  });
});
