// canopy vet: each KNV error a hierarchical repo can have, with upstream's text, found by the real CLI on a minimal repo.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { canopy, configMapYaml, makeRepo, namespaceYaml, removeTemporaryDirectories } from './support/configsync.ts';

const HELP = 'For more information, see https://g.co/cloud/acm-errors#knv';

function vet(files: Record<string, string | null>, ...args: string[]): { code: number; stdout: string; stderr: string } {
  return canopy(['vet', '--path', makeRepo(files), ...args]);
}

/** vet fails and reports exactly these errors, in order, each starting with its text and carrying its help link. */
function assertErrors(files: Record<string, string | null>, texts: string[]): string {
  const r = vet(files);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.ok(r.stderr.startsWith(`${texts.length} error(s)\n`), r.stderr);
  texts.forEach((text, i) => {
    assert.ok(r.stderr.includes(`[${i + 1}] ${text}`), `expected [${i + 1}] ${text}\n--- got:\n${r.stderr}`);
    assert.ok(r.stderr.includes(`${HELP}${text.slice(3, 7)}`), r.stderr);
  });
  return r.stderr;
}

function assertOnlyError(files: Record<string, string | null>, text: string): string {
  return assertErrors(files, [text]);
}

const NS_A = { 'namespaces/a/namespace.yaml': namespaceYaml('a') };
const CLUSTER_SELECTOR = 'apiVersion: configmanagement.gke.io/v1\nkind: ClusterSelector\nmetadata:\n  name: s\nspec:\n  selector:\n    matchLabels:\n      a: b\n';
const NAMESPACE_SELECTOR = 'apiVersion: configmanagement.gke.io/v1\nkind: NamespaceSelector\nmetadata:\n  name: sel\nspec:\n  selector:\n    matchLabels:\n      env: prod\n';
const RBAC_VIEW = 'roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\n';

describe('canopy vet', () => {
  after(removeTemporaryDirectories);

  it('prints the success line for a valid repo, and for the example', () => {
    const r = vet(NS_A);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '✅ No validation issues found.\n');
    const example = canopy(['vet', '--path', 'examples/config-sync']);
    assert.equal(example.code, 0, example.stderr);
    assert.equal(example.stdout, '✅ No validation issues found.\n');
  });

  it('says in one line what to fix when the path is no directory', () => {
    const r = canopy(['vet', '--path', '/nonexistent/repo']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: cannot read /nonexistent/repo: no such directory; give the repo directory with --path\n');
    const badFormat = canopy(['vet', '--source-format', 'flat']);
    assert.equal(badFormat.code, 1);
    assert.equal(badFormat.stderr.split('\n')[0], "error: option '--source-format <format>' argument 'flat' is invalid. must be hierarchy or unstructured");
  });

  it('KNV1004, 1005, 1009, 1010, 1011, 1019, 1020, 1027, 1029, 1031, 1034, 1036, 1039, 1045, 1055, 1057: objects as declared', () => {
    assertErrors({
      'system/repo.yaml': 'apiVersion: configmanagement.gke.io/v1\nkind: Repo\nmetadata:\n  name: repo\nspec:\n  version: 2.0.0\n',
      'clusterregistry/c.yaml': 'apiVersion: clusterregistry.k8s.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: c\n  annotations:\n    configsync.gke.io/cluster-name-selector: c\n',
      'clusterregistry/s1.yaml': CLUSTER_SELECTOR,
      'clusterregistry/s2.yaml': CLUSTER_SELECTOR,
      'cluster/c2.yaml': 'apiVersion: clusterregistry.k8s.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: c2\n',
      'cluster/cr.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n  namespace: Bad_NS\n',
      ...NS_A,
      'namespaces/a/managed.yaml': configMapYaml('managed', '  annotations:\n    configmanagement.gke.io/managed: enabled\n'),
      'namespaces/a/other-ns.yaml': configMapYaml('other-ns', '  namespace: b\n'),
      'namespaces/a/annotations.yaml': configMapYaml('annotations', '  annotations:\n    configsync.gke.io/declared-fields: x\n    configmanagement.gke.io/source-path: y\n'),
      'namespaces/a/labels.yaml': configMapYaml('labels', '  labels:\n    configmanagement.gke.io/x: y\n'),
      'namespaces/a/no-name.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n',
      'namespaces/a/bad-name.yaml': configMapYaml('Not_Valid'),
      'namespaces/a/uid.yaml': configMapYaml('uid', '  uid: 1234\n'),
      'namespaces/namespace.yaml': namespaceYaml('top'),
      'namespaces/b/namespace.yaml': namespaceYaml('c'),
      'namespaces/config-management-system/namespace.yaml': namespaceYaml('config-management-system'),
      'namespaces/d/namespace.yaml': namespaceYaml('d', { 'd.tree.hnc.x-k8s.io/depth': '0' }),
    }, [
      "KNV1004: Clusters may not be cluster-selected, and so MUST NOT declare the annotation 'configsync.gke.io/cluster-name-selector'. To fix, remove `metadata.annotations.configsync.gke.io/cluster-name-selector` from:\n\nmetadata.name: c\ngroup: clusterregistry.k8s.io\nversion: v1alpha1\nkind: Cluster\n\n",
      'KNV1005: Config has invalid management annotation configmanagement.gke.io/managed=enabled. If set, the value must be "disabled".\n\nmetadata.name: managed\n',
      'KNV1009: A config MUST either declare a `namespace` field exactly matching the directory containing the config, "a", or leave the field blank:\n\nnamespace: b\nmetadata.name: other-ns\ngroup:\nversion: v1\nkind: ConfigMap\n',
      'KNV1009: A config MUST either declare a `namespace` field exactly matching the directory containing the config, "cluster", or leave the field blank:\n\nnamespace: Bad_NS\n',
      'KNV1010: Configs MUST NOT declare unsupported annotations starting with "configmanagement.gke.io/" or "configsync.gke.io/". The config has invalid annotations: "configmanagement.gke.io/source-path", "configsync.gke.io/declared-fields"\n',
      'KNV1011: Configs MUST NOT declare labels starting with "configmanagement.gke.io/". The config has disallowed labels: "configmanagement.gke.io/x"\n',
      "KNV1019: Namespaces MUST be declared in subdirectories of 'namespaces/'. Create a subdirectory for the following Namespace configs:\n\nmetadata.name: top\ngroup:\nversion: v1\nkind: Namespace\n",
      'KNV1020: A Namespace MUST declare `metadata.name` that matches the name of its directory.\n\nexpected `metadata.name`: b\n\nmetadata.name: c\n',
      'KNV1027: Unsupported Repo spec.version: "2.0.0". Must use version "1.0.0"\n\nmetadata.name: repo\ngroup: configmanagement.gke.io\nversion: v1\nkind: Repo\n',
      'KNV1029: ClusterSelectors MUST have globally-unique names. Found 2 ClusterSelectors named "s". Rename or delete the duplicates to fix:\n\nmetadata.name: s\n',
      'KNV1031: Configs must declare `metadata.name`:\n\nmetadata.name:\ngroup:\nversion: v1\nkind: ConfigMap\n',
      'KNV1034: The "config-management-system" Namespace must not be declared\n\nmetadata.name: config-management-system\n',
      "KNV1036: Configs MUST define a `metadata.name` that is shorter than 254 characters, consists of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character. Rename or remove the config:\n\nmetadata.name: Not_Valid\n",
      'KNV1039: Cluster and ClusterSelector configs MUST be declared in `clusterregistry/`. To fix, move the Cluster to `clusterregistry/`.\n\nmetadata.name: c2\n',
      'KNV1045: Configs with "metadata.uid" specified are not allowed. To fix, either remove the config or remove the "metadata.uid" field in the config:\n\nmetadata.name: uid\n',
      'KNV1055: metadata.namespace MUST be valid Kubernetes Namespace names. Rename "Bad_NS" so that it:\n\n1. has a length of 63 characters or fewer;\n2. consists only of lowercase letters (a-z), digits (0-9), and hyphen \'-\'; and\n3. begins and ends with a lowercase letter or digit.\n\n\nnamespace: Bad_NS\n',
      'KNV1057: Configs MUST NOT declare labels ending with ".tree.hnc.x-k8s.io/depth". The config has disallowed labels: "d.tree.hnc.x-k8s.io/depth"\n\nmetadata.name: d\n',
    ]);
  });

  it('KNV1034: every namespace Config Sync reserves', () => {
    assertErrors({
      'namespaces/resource-group-system/namespace.yaml': namespaceYaml('resource-group-system'),
      'namespaces/config-management-monitoring/namespace.yaml': namespaceYaml('config-management-monitoring'),
    }, [
      'KNV1034: The "config-management-monitoring" Namespace must not be declared\n\nmetadata.name: config-management-monitoring\n',
      'KNV1034: The "resource-group-system" Namespace must not be declared\n\nmetadata.name: resource-group-system\n',
    ]);
  });

  it('KNV1017: no Repo', () => {
    assertOnlyError({ 'system/repo.yaml': null, ...NS_A }, `KNV1017: The system/ directory must declare a Repo Resource.\n\npath: system/\n\n${HELP}1017`);
  });

  it('KNV1013 and KNV1014: ClusterSelectors that are unknown or invalid', () => {
    assertOnlyError({ ...NS_A, 'namespaces/a/cm.yaml': configMapYaml('cm', '  annotations:\n    configmanagement.gke.io/cluster-selector: nope\n') },
      'KNV1013: Config "cm" MUST refer to an existing ClusterSelector, but has annotation "configmanagement.gke.io/cluster-selector=nope" which maps to no declared ClusterSelector\n\nnamespace: a\n');
    assertOnlyError({ ...NS_A, 'clusterregistry/sel.yaml': 'apiVersion: configmanagement.gke.io/v1\nkind: ClusterSelector\nmetadata:\n  name: sel\nspec:\n  selector:\n    matchExpressions:\n    - key: env\n      operator: In\n' },
      'KNV1014: ClusterSelector has validation errors that must be corrected: values: Invalid value: null: for \'in\', \'notin\' operators, values set can\'t be empty\n\nmetadata.name: sel\n');
  });

  it('KNV1004, 1029, 1052, 1053: scopes', () => {
    assertErrors({
      ...NS_A,
      'cluster/cr.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n  namespace: cluster\n',
      'cluster/selected.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: selected\n  annotations:\n    configmanagement.gke.io/namespace-selector: sel\n',
      'namespaces/a/cm.yaml': configMapYaml('cm', '  annotations:\n    configmanagement.gke.io/namespace-selector: sel\n'),
      'namespaces/sel1.yaml': NAMESPACE_SELECTOR,
      'namespaces/sel2.yaml': NAMESPACE_SELECTOR,
    }, [
      "KNV1004: Cluster-scoped objects may not be namespace-selected, and so MUST NOT declare the annotation 'configmanagement.gke.io/namespace-selector'. To fix, remove `metadata.annotations.configmanagement.gke.io/namespace-selector` from:\n\nsource: cluster/selected.yaml\nmetadata.name: selected\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: ClusterRole\n\n",
      'KNV1029: NamespaceSelectors MUST have globally-unique names. Found 2 NamespaceSelectors named "sel". Rename or delete the duplicates to fix:\n\nsource: namespaces/sel1.yaml\n',
      'KNV1052: cluster-scoped resources MUST NOT declare metadata.namespace\n\nsource: cluster/cr.yaml\nnamespace: cluster\n',
      // Objects in a namespace directory get its namespace before this check, as upstream's do.
      'KNV1053: namespace-scoped resources MUST NOT declare both metadata.namespace and metadata.annotations.configmanagement.gke.io/namespace-selector\n\nsource: namespaces/a/cm.yaml\nnamespace: a\n',
    ]);
  });

  it('KNV1039: objects in the wrong top-level directory', () => {
    assertErrors({
      ...NS_A,
      'cluster/cm.yaml': configMapYaml('cm'),
      'cluster/hc.yaml': 'apiVersion: configmanagement.gke.io/v1\nkind: HierarchyConfig\nmetadata:\n  name: hc\nspec: {}\n',
      'namespaces/cr.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n',
    }, [
      'KNV1039: Cluster-scoped configs except Namespaces MUST be declared in `cluster/`. To fix, move the ClusterRole to `cluster/`.\n\nsource: namespaces/cr.yaml\n',
      'KNV1039: Namespace-scoped and Namespace configs MUST be declared in `namespaces/`. To fix, move the ConfigMap to `namespaces/`.\n\nsource: cluster/cm.yaml\n',
      'KNV1039: Repo and HierarchyConfig configs MUST be declared in `system/`. To fix, move the HierarchyConfig to `system/`.\n\nsource: cluster/hc.yaml\n',
    ]);
  });

  it('KNV1013, 1028, 1038, 1041, 1042, 1044, 2012: the namespaces/ tree', () => {
    assertErrors({
      'system/hc.yaml': 'apiVersion: configmanagement.gke.io/v1\nkind: HierarchyConfig\nmetadata:\n  name: hc\nspec:\n  resources:\n  - group: ""\n    kinds: [Namespace]\n  - group: ""\n    kinds: [ConfigMap]\n    hierarchyMode: sometimes\n',
      ...NS_A,
      'namespaces/a/sel-here.yaml': NAMESPACE_SELECTOR.replace('name: sel', 'name: sel-here'),
      'namespaces/unknown.yaml': configMapYaml('unknown', '  annotations:\n    configmanagement.gke.io/namespace-selector: nope\n'),
      'namespaces/x/xa/namespace.yaml': namespaceYaml('xa'),
      'namespaces/x/sel.yaml': NAMESPACE_SELECTOR,
      'namespaces/y/yb/namespace.yaml': namespaceYaml('yb'),
      'namespaces/y/elsewhere.yaml': configMapYaml('elsewhere', '  annotations:\n    configmanagement.gke.io/namespace-selector: sel\n'),
      'namespaces/b/cm.yaml': configMapYaml('cm'),
      'namespaces/b/c/cm.yaml': configMapYaml('cm2'),
      'namespaces/root/r/namespace.yaml': namespaceYaml('r'),
      'namespaces/twice/namespace.yaml': `${namespaceYaml('twice')}---\n${namespaceYaml('twice')}`,
    }, [
      'KNV1013: Config "elsewhere" MUST refer to a NamespaceSelector in its directory or a parent directory. Either remove the annotation "configmanagement.gke.io/namespace-selector=sel" from "elsewhere" or move NamespaceSelector "sel" to a parent directory of "elsewhere".\n\nsource: namespaces/x/sel.yaml\n',
      'KNV1013: Config "unknown" MUST refer to an existing NamespaceSelector, but has annotation "configmanagement.gke.io/namespace-selector=nope" which maps to no declared NamespaceSelector\n\nsource: namespaces/unknown.yaml\nmetadata.name: unknown\n',
      'KNV1028: Directories in namespaces/ MUST NOT be named "root": every Namespace gets the tree label root.tree.hnc.x-k8s.io/depth for the namespaces/ directory itself. Rename the "root" directory.\n\npath: namespaces/root/\n',
      'KNV1038: Configs of the below Kind MUST not be declared in `namespaces`/:\n\nsource: namespaces/a/sel-here.yaml\nmetadata.name: sel-here\ngroup: configmanagement.gke.io\nversion: v1\nkind: NamespaceSelector\n',
      'KNV1041: The "Namespace" APIResource MUST NOT be declared in a HierarchyConfig:\n\nsource: system/hc.yaml\n',
      'KNV1042: HierarchyMode "sometimes" is not a valid value for the APIResource "ConfigMap". Allowed values are [none,inherit].\n\nsource: system/hc.yaml\n',
      'KNV1044: The Abstract Namespace directory named "b" has resources and subdirectories, but none of its subdirectories are Namespaces. An Abstract Namespace MUST have at least one Namespace subdirectory.\n\npath: namespaces/b/\n',
      'KNV1044: The directory "c" has configs, but is missing a Namespace config. All bottom level subdirectories MUST have a Namespace config.\n\npath: namespaces/b/c/\n',
      'KNV2012: Unsupported number of Namespace resource found: 2, want: 1.\n\nsource: namespaces/twice/namespace.yaml\n',
    ]);
  });

  it('KNV1003, 1007, 1014: inheritance', () => {
    assertErrors({
      'system/hc.yaml': 'apiVersion: configmanagement.gke.io/v1\nkind: HierarchyConfig\nmetadata:\n  name: rbac\nspec:\n  resources:\n  - group: rbac.authorization.k8s.io\n    kinds: [RoleBinding]\n    hierarchyMode: none\n',
      ...NS_A,
      'namespaces/a/b/namespace.yaml': namespaceYaml('b'),
      'namespaces/rb.yaml': `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\n${RBAC_VIEW}`,
      'namespaces/empty.yaml': 'apiVersion: configmanagement.gke.io/v1\nkind: NamespaceSelector\nmetadata:\n  name: empty\nspec:\n  selector: {}\n',
    }, [
      `KNV1003: A Namespace directory MUST NOT have subdirectories. Restructure "a" so that it does not have subdirectory "b":\n\npath: namespaces/a/b\nname: b\n\npath: namespaces/a/\npath: namespaces/a/b/\n\n${HELP}1003`,
      'KNV1007: Config "rb" illegally declared in an abstract namespace directory. Move this config to a namespace directory:\n\nsource: namespaces/rb.yaml\nmetadata.name: rb\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: RoleBinding\n',
      'KNV1014: NamespaceSelectors MUST define `spec.selector`\n\nsource: namespaces/empty.yaml\nmetadata.name: empty\ngroup: configmanagement.gke.io\nversion: v1\nkind: NamespaceSelector\n',
    ]);
  });

  it('KNV1029 and KNV1056: the final objects', () => {
    const clusterRole = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\n';
    assertErrors({
      'cluster/cr1.yaml': clusterRole,
      'cluster/cr2.yaml': clusterRole,
      ...NS_A,
      'namespaces/a/cm1.yaml': configMapYaml('cm'),
      'namespaces/a/cm2.yaml': configMapYaml('cm'),
      'namespaces/x/dup/namespace.yaml': namespaceYaml('dup'),
      'namespaces/y/dup/namespace.yaml': namespaceYaml('dup'),
      'namespaces/off/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: off\n  annotations:\n    configmanagement.gke.io/managed: disabled\n',
      'namespaces/off/cm.yaml': configMapYaml('cm'),
    }, [
      'KNV1029: Cluster-scoped configs of the same Group and Kind MUST have unique names. Found 2 configs of GroupKind "ClusterRole.rbac.authorization.k8s.io" named "cr". Rename or delete the duplicates to fix:\n\nsource: cluster/cr1.yaml\n',
      'KNV1029: Namespace-scoped configs of the same Group and Kind MUST have unique names if they are in the same Namespace. Found 2 configs of GroupKind "ConfigMap" in Namespace "a" named "cm". Rename or delete the duplicates to fix:\n\nsource: namespaces/a/cm1.yaml\n',
      'KNV1029: Namespaces MUST have unique names. Found 2 Namespaces named "dup". Rename or merge the Namespaces to fix:\n\nsource: namespaces/x/dup/namespace.yaml\n',
      'KNV1056: Managed resources must not be declared in unmanaged Namespaces. Namespace "off" is is declared unmanaged but contains managed resources. Either remove the managed: disabled annotation from Namespace "off" or declare its resources as unmanaged by adding configmanagement.gke.io/managed:disabled annotation.\n\nsource: namespaces/off/cm.yaml\nnamespace: off\n',
    ]);
  });

  it('KNV2001: files that do not parse', () => {
    const text = assertOnlyError({ ...NS_A, 'namespaces/a/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: [\n' }, 'KNV2001: ');
    assert.ok(text.includes('\n\npath: namespaces/a/bad.yaml\n'), text);
  });

  it('KNV2001: duplicate keys, and aliases that would expand a file a billionfold', () => {
    const duplicate = assertOnlyError({ ...NS_A, 'namespaces/a/dup.yaml': 'apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: x\n' }, 'KNV2001: ');
    assert.match(duplicate, /duplicated mapping key/);
    const levels = Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(', ')}]`);
    const laughs = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\nl0: &l0 lol\n${levels.join('\n')}\ndata:\n  a: b\n`;
    const bomb = assertOnlyError({ ...NS_A, 'namespaces/a/lol.yaml': laughs }, 'KNV2001: ');
    assert.match(bomb, /YAML aliases expand the document too much/);
  });

  it('reads YAML with the core schema: a date is a string, as an annotation must be', () => {
    const r = vet({ ...NS_A, 'namespaces/a/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations:\n    since: 2001-12-14\n' });
    assert.equal(r.code, 0, r.stderr);
  });

  it('reports per cluster as nomos vet does', () => {
    const r = vet({
      ...NS_A,
      'clusterregistry/clusters.yaml': 'apiVersion: clusterregistry.k8s.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: prod-1\n  labels:\n    env: prod\n',
      'clusterregistry/prod.yaml': 'apiVersion: configmanagement.gke.io/v1\nkind: ClusterSelector\nmetadata:\n  name: prod\nspec:\n  selector:\n    matchLabels:\n      env: prod\n',
      'namespaces/a/cm1.yaml': configMapYaml('cm', '  annotations:\n    configmanagement.gke.io/cluster-selector: prod\n'),
      'namespaces/a/cm2.yaml': configMapYaml('cm'),
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^errors for cluster "prod-1":\n1 error\(s\)\n\n\n\[1\] KNV1029: /, r.stderr);
    assert.ok(!r.stderr.includes('defaultcluster'), r.stderr);
    const onlyDefault = canopy(['vet', '--path', makeRepo({ ...NS_A }), '--clusters', 'member1,member2']);
    assert.equal(onlyDefault.code, 0, onlyDefault.stderr);
  });

  it('--format json gives the errors of each cluster', () => {
    const r = vet({ 'namespaces/a/namespace.yaml': namespaceYaml('b') }, '--format', 'json', '--clusters', 'c1');
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    assert.equal(report.clusters.length, 1);
    assert.equal(report.clusters[0].cluster, 'c1');
    assert.deepEqual(report.clusters[0].errors.map((e: { code: string }) => e.code), ['KNV1020']);
  });

  it('vets unstructured repos', () => {
    const dir = makeRepo({ 'system/repo.yaml': null, 'all.yaml': `${namespaceYaml('a')}---\n${configMapYaml('cm', '  namespace: a\n')}` });
    const ok = canopy(['vet', '--path', dir, '--source-format', 'unstructured']);
    assert.equal(ok.code, 0, ok.stderr);
    const withRepo = makeRepo({ 'repo.yaml': 'apiVersion: configmanagement.gke.io/v1\nkind: Repo\nmetadata:\n  name: repo\nspec:\n  version: 1.0.0\n' });
    const r = canopy(['vet', '--path', withRepo, '--source-format', 'unstructured']);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes('KNV1032: The type Repo.configmanagement.gke.io is not allowed if `sourceFormat` is set to `unstructured`.'), r.stderr);
  });
});
