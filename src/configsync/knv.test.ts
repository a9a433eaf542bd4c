// Each expected text is upstream's format string (kpt-config-sync, file named by the test) filled in by
// hand, laid out as pkg/status prints one error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as knv from './knv.ts';
import type { ObjectSource } from './knv.ts';

const URL = 'For more information, see https://g.co/cloud/acm-errors#knv';

const role: ObjectSource = { path: 'namespaces/foo/role.yaml', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', name: 'admin', namespace: 'foo' };
const roleText = 'source: namespaces/foo/role.yaml\nnamespace: foo\nmetadata.name: admin\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: Role';
const ns: ObjectSource = { path: 'namespaces/foo/namespace.yaml', apiVersion: 'v1', kind: 'Namespace', name: 'foo' };
const nsText = 'source: namespaces/foo/namespace.yaml\nmetadata.name: foo\ngroup:\nversion: v1\nkind: Namespace';
// Raw-validator errors carry no source path upstream.
const rawRole: ObjectSource = { ...role, path: '' };
const rawRoleText = 'namespace: foo\nmetadata.name: admin\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: Role';
const rawNs: ObjectSource = { ...ns, path: '' };
const rawNsText = 'metadata.name: foo\ngroup:\nversion: v1\nkind: Namespace';
const crole: ObjectSource = { path: 'cluster/crole.yaml', apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'reader' };
const croleText = 'source: cluster/crole.yaml\nmetadata.name: reader\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: ClusterRole';
const hc: ObjectSource = { path: 'system/hc.yaml', apiVersion: 'configmanagement.gke.io/v1', kind: 'HierarchyConfig', name: 'rbac' };
const hcText = 'source: system/hc.yaml\nmetadata.name: rbac\ngroup: configmanagement.gke.io\nversion: v1\nkind: HierarchyConfig';
const repo: ObjectSource = { path: 'system/repo.yaml', apiVersion: 'configmanagement.gke.io/v1', kind: 'Repo', name: 'repo' };
const repoText = 'source: system/repo.yaml\nmetadata.name: repo\ngroup: configmanagement.gke.io\nversion: v1\nkind: Repo';
const nsSel: ObjectSource = { path: 'namespaces/bar/sel.yaml', apiVersion: 'configmanagement.gke.io/v1', kind: 'NamespaceSelector', name: 'prod' };
const nsSelText = 'source: namespaces/bar/sel.yaml\nmetadata.name: prod\ngroup: configmanagement.gke.io\nversion: v1\nkind: NamespaceSelector';

const expectText = (e: knv.KnvError, text: string) => assert.equal(knv.formatKnv(e), text);

describe('KNV errors, as nomos vet prints them', () => {
  it('1003 validationvisitor.go', () => expectText(knv.illegalNamespaceSubdirectory('namespaces/prod/us_west_1', 'namespaces/prod'),
    'KNV1003: A Namespace directory MUST NOT have subdirectories. Restructure "prod" so that it does not have subdirectory "us_west_1":\n\npath: namespaces/prod/us_west_1\nname: us_west_1\n\npath: namespaces/prod/\npath: namespaces/prod/us_west_1/\n\n' + URL + '1003'));

  it('1004 selector_annotation_validator.go', () => {
    expectText(knv.illegalNamespaceSelectorAnnotation({ ...crole, path: '' }),
      "KNV1004: Cluster-scoped objects may not be namespace-selected, and so MUST NOT declare the annotation 'configmanagement.gke.io/namespace-selector'. To fix, remove `metadata.annotations.configmanagement.gke.io/namespace-selector` from:\n\nmetadata.name: reader\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: ClusterRole\n\n" + URL + '1004');
    expectText(knv.illegalClusterSelectorAnnotation({ ...nsSel, path: '' }, 'configsync.gke.io/cluster-name-selector'),
      "KNV1004: NamespaceSelectors may not be cluster-selected, and so MUST NOT declare the annotation 'configsync.gke.io/cluster-name-selector'. To fix, remove `metadata.annotations.configsync.gke.io/cluster-name-selector` from:\n\nmetadata.name: prod\ngroup: configmanagement.gke.io\nversion: v1\nkind: NamespaceSelector\n\n" + URL + '1004');
  });

  it('1005 management_annotation_validator.go', () => expectText(knv.illegalManagementAnnotation(rawRole, 'invalid'),
    'KNV1005: Config has invalid management annotation configmanagement.gke.io/managed=invalid. If set, the value must be "disabled".\n\n' + rawRoleText + '\n\n' + URL + '1005'));

  it('1006 object_parse_error.go', () => expectText(knv.objectParse({ ...crole, apiVersion: 'v1', kind: 'ConfigMap' }, 'bad field'),
    'KNV1006: The following config could not be parsed as a /v1, Kind=ConfigMap: bad field\n\nsource: cluster/crole.yaml\nmetadata.name: reader\ngroup:\nversion: v1\nkind: ConfigMap\n\n' + URL + '1006'));

  it('1007 validationvisitor.go', () => expectText(knv.illegalAbstractNamespaceObjectKind(role),
    'KNV1007: Config "admin" illegally declared in an abstract namespace directory. Move this config to a namespace directory:\n\n' + roleText + '\n\n' + URL + '1007'));

  it('1009 metadata/namespace_validator.go', () => expectText(knv.illegalMetadataNamespaceDeclaration(rawRole, 'bar'),
    'KNV1009: A config MUST either declare a `namespace` field exactly matching the directory containing the config, "bar", or leave the field blank:\n\n' + rawRoleText + '\n\n' + URL + '1009'));

  it('1010 annotation_validator.go', () => expectText(knv.illegalAnnotationDefinition(rawRole, ['configsync.gke.io/zz', 'configmanagement.gke.io/foo']),
    'KNV1010: Configs MUST NOT declare unsupported annotations starting with "configmanagement.gke.io/" or "configsync.gke.io/". The config has invalid annotations: "configmanagement.gke.io/foo", "configsync.gke.io/zz"\n\n' + rawRoleText + '\n\n' + URL + '1010'));

  it('1011 label_validator.go', () => expectText(knv.illegalLabelDefinition(rawRole, ['configmanagement.gke.io/x']),
    'KNV1011: Configs MUST NOT declare labels starting with "configmanagement.gke.io/". The config has disallowed labels: "configmanagement.gke.io/x"\n\n' + rawRoleText + '\n\n' + URL + '1011'));

  it('1013 cluster_selectors.go, namespace_selectors.go', () => {
    expectText(knv.objectHasUnknownClusterSelector(role, 'prod-only'),
      'KNV1013: Config "admin" MUST refer to an existing ClusterSelector, but has annotation "configmanagement.gke.io/cluster-selector=prod-only" which maps to no declared ClusterSelector\n\n' + roleText + '\n\n' + URL + '1013');
    expectText(knv.objectHasUnknownNamespaceSelector(role, 'prod'),
      'KNV1013: Config "admin" MUST refer to an existing NamespaceSelector, but has annotation "configmanagement.gke.io/namespace-selector=prod" which maps to no declared NamespaceSelector\n\n' + roleText + '\n\n' + URL + '1013');
    expectText(knv.objectNotInNamespaceSelectorSubdirectory(role, nsSel),
      'KNV1013: Config "admin" MUST refer to a NamespaceSelector in its directory or a parent directory. Either remove the annotation "configmanagement.gke.io/namespace-selector=prod" from "admin" or move NamespaceSelector "prod" to a parent directory of "admin".\n\n' + nsSelText + '\n\n' + roleText + '\n\n' + URL + '1013');
  });

  it('1014 selectors/errors.go', () => {
    expectText(knv.invalidSelector(nsSel, 'unknown operator "Is"'),
      'KNV1014: NamespaceSelector has validation errors that must be corrected: unknown operator "Is"\n\n' + nsSelText + '\n\n' + URL + '1014');
    expectText(knv.emptySelector(nsSel),
      'KNV1014: NamespaceSelectors MUST define `spec.selector`\n\n' + nsSelText + '\n\n' + URL + '1014');
  });

  it('1017 missing_repo_validator.go', () => expectText(knv.missingRepo(),
    'KNV1017: The system/ directory must declare a Repo Resource.\n\npath: system/\n\n' + URL + '1017'));

  it('1019 metadata/name_validator.go', () => expectText(knv.illegalTopLevelNamespace({ ...rawNs, name: 'top' }),
    "KNV1019: Namespaces MUST be declared in subdirectories of 'namespaces/'. Create a subdirectory for the following Namespace configs:\n\nmetadata.name: top\ngroup:\nversion: v1\nkind: Namespace\n\n" + URL + '1019'));

  it('1020 metadata/name_validator.go', () => expectText(knv.invalidNamespaceName({ ...rawNs, name: 'bar' }, 'foo'),
    'KNV1020: A Namespace MUST declare `metadata.name` that matches the name of its directory.\n\nexpected `metadata.name`: foo\n\nmetadata.name: bar\ngroup:\nversion: v1\nkind: Namespace\n\n' + URL + '1020'));

  it('1021 unknown_kind_error.go', () => expectText(knv.unknownObjectKind({ path: 'namespaces/foo/w.yaml', apiVersion: 'acme.com/v1', kind: 'Widget', name: 'w', namespace: 'foo' }),
    'KNV1021: No CustomResourceDefinition is defined for the type "Widget.acme.com" in the cluster.\nResource types that are not native Kubernetes objects must have a CustomResourceDefinition.\n\nConfig Sync will retry until a CustomResourceDefinition is defined for the type "Widget.acme.com" in the cluster.\n\nsource: namespaces/foo/w.yaml\nnamespace: foo\nmetadata.name: w\ngroup: acme.com\nversion: v1\nkind: Widget\n\n' + URL + '1021'));

  it('1027 version_validator.go', () => expectText(knv.unsupportedRepoSpecVersion(repo, '0.0.1'),
    'KNV1027: Unsupported Repo spec.version: "0.0.1". Must use version "1.0.0"\n\n' + repoText + '\n\n' + URL + '1027'));

  it('1029 duplicate_name_validator.go', () => {
    const other = { ...role, path: 'namespaces/foo/role2.yaml' };
    const otherText = roleText.replace('role.yaml', 'role2.yaml');
    expectText(knv.namespaceMetadataNameCollision([other, role]),
      'KNV1029: Namespace-scoped configs of the same Group and Kind MUST have unique names if they are in the same Namespace. Found 2 configs of GroupKind "Role.rbac.authorization.k8s.io" in Namespace "foo" named "admin". Rename or delete the duplicates to fix:\n\n' + roleText + '\n\n' + otherText + '\n\n' + URL + '1029');
    const ns2 = { ...ns, path: 'namespaces/a/foo/namespace.yaml' };
    expectText(knv.namespaceCollision([ns, ns2]),
      'KNV1029: Namespaces MUST have unique names. Found 2 Namespaces named "foo". Rename or merge the Namespaces to fix:\n\nsource: namespaces/a/foo/namespace.yaml\nmetadata.name: foo\ngroup:\nversion: v1\nkind: Namespace\n\n' + nsText + '\n\n' + URL + '1029');
    expectText(knv.clusterMetadataNameCollision([crole, crole]),
      'KNV1029: Cluster-scoped configs of the same Group and Kind MUST have unique names. Found 2 configs of GroupKind "ClusterRole.rbac.authorization.k8s.io" named "reader". Rename or delete the duplicates to fix:\n\n' + croleText + '\n\n' + croleText + '\n\n' + URL + '1029');
    expectText(knv.selectorMetadataNameCollision([nsSel, nsSel]),
      'KNV1029: NamespaceSelectors MUST have globally-unique names. Found 2 NamespaceSelectors named "prod". Rename or delete the duplicates to fix:\n\n' + nsSelText + '\n\n' + nsSelText + '\n\n' + URL + '1029');
  });

  it('1031 nonhierarchical/name_validator.go', () => expectText(knv.missingObjectName({ ...rawRole, name: '' }),
    'KNV1031: Configs must declare `metadata.name`:\n\nnamespace: foo\nmetadata.name:\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: Role\n\n' + URL + '1031'));

  it('1032 hierarchical_kind_validator.go', () => expectText(knv.illegalHierarchicalKind(repo),
    'KNV1032: The type Repo.configmanagement.gke.io is not allowed if `sourceFormat` is set to `unstructured`. To fix, remove the problematic config, or convert your repo to use `sourceFormat: hierarchy`.\n\n' + repoText + '\n\n' + URL + '1032'));

  it('1033 disallow_system_objects_validator.go', () => expectText(knv.illegalSystemResourcePlacement(hc),
    'KNV1033: A config of the below kind MUST NOT be declared outside system/:\n\n' + hcText + '\n\n' + URL + '1033'));

  it('1034 illegal_namespace_validator.go', () => {
    expectText(knv.illegalNamespace({ ...rawNs, name: 'config-management-system' }),
      'KNV1034: The "config-management-system" Namespace must not be declared\n\nmetadata.name: config-management-system\ngroup:\nversion: v1\nkind: Namespace\n\n' + URL + '1034');
    expectText(knv.objectInIllegalNamespace({ ...rawRole, namespace: 'config-management-system' }),
      'KNV1034: Only RootSync configs are allowed in the "config-management-system" namespace\n\nnamespace: config-management-system\nmetadata.name: admin\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: Role\n\n' + URL + '1034');
  });

  it('1036 nonhierarchical/name_validator.go', () => expectText(knv.invalidMetadataName({ ...rawRole, name: 'Admin' }),
    "KNV1036: Configs MUST define a `metadata.name` that is shorter than 254 characters, consists of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character. Rename or remove the config:\n\nnamespace: foo\nmetadata.name: Admin\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: Role\n\n" + URL + '1036'));

  it('1038 namespaces_kind_validator.go', () => expectText(knv.illegalKindInNamespaces(crole),
    'KNV1038: Configs of the below Kind MUST not be declared in `namespaces`/:\n\n' + croleText + '\n\n' + URL + '1038'));

  it('1039 validation/scope.go', () => {
    expectText(knv.shouldBeInSystem(hc), 'KNV1039: Repo and HierarchyConfig configs MUST be declared in `system/`. To fix, move the HierarchyConfig to `system/`.\n\n' + hcText + '\n\n' + URL + '1039');
    expectText(knv.shouldBeInCluster(crole), 'KNV1039: Cluster-scoped configs except Namespaces MUST be declared in `cluster/`. To fix, move the ClusterRole to `cluster/`.\n\n' + croleText + '\n\n' + URL + '1039');
    expectText(knv.shouldBeInNamespaces(role), 'KNV1039: Namespace-scoped and Namespace configs MUST be declared in `namespaces/`. To fix, move the Role to `namespaces/`.\n\n' + roleText + '\n\n' + URL + '1039');
    expectText(knv.shouldBeInClusterRegistry(nsSel), 'KNV1039: Cluster and ClusterSelector configs MUST be declared in `clusterregistry/`. To fix, move the NamespaceSelector to `clusterregistry/`.\n\n' + nsSelText + '\n\n' + URL + '1039');
  });

  it('1041 hierarchyconfig/kind_validator.go', () => expectText(knv.unsupportedResourceInHierarchyConfig(hc, { group: '', kind: 'Namespace' }),
    'KNV1041: The "Namespace" APIResource MUST NOT be declared in a HierarchyConfig:\n\n' + hcText + '\n\n' + URL + '1041'));

  it('1042 hierarchyconfig/inheritance_validator.go', () => expectText(knv.illegalHierarchyMode(hc, { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' }, 'hierarchicalQuota'),
    'KNV1042: HierarchyMode "hierarchicalQuota" is not a valid value for the APIResource "RoleBinding.rbac.authorization.k8s.io". Allowed values are [none,inherit].\n\n' + hcText + '\n\n' + URL + '1042'));

  it('1044 abstract_resource_validator.go', () => {
    expectText(knv.unsyncableResourcesInLeaf('namespaces/eng'),
      'KNV1044: The directory "eng" has configs, but is missing a Namespace config. All bottom level subdirectories MUST have a Namespace config.\n\npath: namespaces/eng/\n\n' + URL + '1044');
    expectText(knv.unsyncableResourcesInNonLeaf('namespaces/eng'),
      'KNV1044: The Abstract Namespace directory named "eng" has resources and subdirectories, but none of its subdirectories are Namespaces. An Abstract Namespace MUST have at least one Namespace subdirectory.\n\npath: namespaces/eng/\n\n' + URL + '1044');
  });

  it('1045 disallowed_fields_validator.go', () => expectText(knv.illegalFieldsInConfig(rawRole, 'metadata.ownerReference'),
    'KNV1045: Configs with "metadata.ownerReference" specified are not allowed. To fix, either remove the config or remove the "metadata.ownerReference" field in the config:\n\n' + rawRoleText + '\n\n' + URL + '1045'));

  it('1052, 1053 nonhierarchical/scope_validator.go', () => {
    expectText(knv.illegalNamespaceOnClusterScopedResource({ ...crole, namespace: 'foo' }),
      'KNV1052: cluster-scoped resources MUST NOT declare metadata.namespace\n\nsource: cluster/crole.yaml\nnamespace: foo\nmetadata.name: reader\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: ClusterRole\n\n' + URL + '1052');
    const bare = { ...role, namespace: undefined };
    const bareText = 'source: namespaces/foo/role.yaml\nmetadata.name: admin\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: Role';
    expectText(knv.missingNamespaceOnNamespacedResource(bare),
      'KNV1053: namespace-scoped resources MUST either declare either metadata.namespace or metadata.annotations.configmanagement.gke.io/namespace-selector\n\n' + bareText + '\n\n' + URL + '1053');
    expectText(knv.namespaceAndSelectorResource(role),
      'KNV1053: namespace-scoped resources MUST NOT declare both metadata.namespace and metadata.annotations.configmanagement.gke.io/namespace-selector\n\n' + roleText + '\n\n' + URL + '1053');
  });

  it('1055 nonhierarchical/namespace_validator.go', () => expectText(knv.invalidNamespace({ ...rawRole, namespace: 'Foo_Bar' }),
    "KNV1055: metadata.namespace MUST be valid Kubernetes Namespace names. Rename \"Foo_Bar\" so that it:\n\n1. has a length of 63 characters or fewer;\n2. consists only of lowercase letters (a-z), digits (0-9), and hyphen '-'; and\n3. begins and ends with a lowercase letter or digit.\n\n\nnamespace: Foo_Bar\nmetadata.name: admin\ngroup: rbac.authorization.k8s.io\nversion: v1\nkind: Role\n\n" + URL + '1055'));

  it('1056 managed_namespace_validator.go', () => expectText(knv.managedResourceInUnmanagedNamespace('foo', [role]),
    'KNV1056: Managed resources must not be declared in unmanaged Namespaces. Namespace "foo" is is declared unmanaged but contains managed resources. Either remove the managed: disabled annotation from Namespace "foo" or declare its resources as unmanaged by adding configmanagement.gke.io/managed:disabled annotation.\n\n' + roleText + '\n\n' + URL + '1056'));

  it('1057 hnc/depth_label_validator.go', () => expectText(knv.illegalDepthLabel(rawRole, ['foo.tree.hnc.x-k8s.io/depth']),
    'KNV1057: Configs MUST NOT declare labels ending with ".tree.hnc.x-k8s.io/depth". The config has disallowed labels: "foo.tree.hnc.x-k8s.io/depth"\n\n' + rawRoleText + '\n\n' + URL + '1057'));

  it('2001 status/path_error.go (unreadable or undecodable file)', () => expectText(knv.unreadableFile('/repo/namespaces/foo/bad.yaml', 'error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context'),
    'KNV2001: error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context\n\npath: /repo/namespaces/foo/bad.yaml\n\n' + URL + '2001'));

  it('2006 status/empty_source_error.go', () => expectText(knv.emptySource(3, 'namespaces'),
    'KNV2006: mounted git repo appears to contain no managed namespaces, which would delete 3 existing namespaces from the cluster\n\n' + URL + '2006'));

  it('2012 status/multiple_singletons_error.go', () => expectText(knv.multipleSingletons([repo, repo]),
    'KNV2012: Unsupported number of Repo.configmanagement.gke.io resource found: 2, want: 1.\n\n' + repoText + '\n\n' + repoText + '\n\n' + URL + '2012'));
});

describe('error lists, as status.FormatMultiLine and nomos vet print them', () => {
  // Mirrors multierror_test.go's multiLineError(): "2 error(s)\n\n\n[1] ...\n\n\n[2] ...\n".
  it('sorts, deduplicates and numbers the errors', () => {
    const a = knv.emptySource(3, 'namespaces');
    const b = knv.missingRepo();
    assert.equal(knv.formatKnvList([a, b, b]),
      '2 error(s)\n\n\n[1] KNV1017: The system/ directory must declare a Repo Resource.\n\npath: system/\n\n' + URL + '1017\n\n\n'
      + '[2] KNV2006: mounted git repo appears to contain no managed namespaces, which would delete 3 existing namespaces from the cluster\n\n' + URL + '2006\n');
  });

  it('prints nothing for no errors', () => assert.equal(knv.formatKnvList([]), ''));

  it('names a selected cluster, but not the default configuration', () => {
    const list = knv.formatKnvList([knv.missingRepo()]);
    assert.equal(knv.formatClusterKnvList('defaultcluster', [knv.missingRepo()]), list);
    assert.equal(knv.formatClusterKnvList('prod', [knv.missingRepo()]), `errors for cluster "prod":\n${list}\n`);
  });
});
