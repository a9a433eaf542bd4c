// Config Sync's KNV errors, worded and laid out exactly as upstream's `nomos vet` prints them
// (GoogleContainerTools/kpt-config-sync, formerly google/nomos), since users grep for these texts.
//
// Layout of one error (pkg/status/error.go format(), resource_error_impl.go, path_error_impl.go):
//
//   KNV<code>: <message>[\n\n<resources or paths>]\n\nFor more information, see https://g.co/cloud/acm-errors#knv<code>
//
// A resource prints as `source: <path>\n` (only when the object has a source path), `namespace: <ns>\n`
// (only when namespaced), `metadata.name: <name>\n`, `group: <group>\n` ("group:" alone for the core
// group), `version: <v>\n`, `kind: <kind>`; several resources are sorted and joined by a blank line.
// Paths print as `path: <p>` (with a trailing "/" when the last element has no extension), sorted,
// one per line. Upstream never mixes paths and resources in one error.
//
// Upstream runs its "raw" validators before it annotates objects with their source path, so errors
// from those checks (codes 1004, 1005, 1009, 1010, 1011, 1019, 1020, 1031, 1034, 1036, 1045, 1055,
// 1057, and 1029 for selectors) print no `source:` line; pass `path: ''` to get that output.
//
// Every text below was read from upstream source; none is unverified. Upstream's 1034 check only
// reserves "config-management-system" (configmanagement.IsControllerNamespace); the builders here
// take the namespace from the object, so they word other reserved namespaces the same way.

import { goQuote } from '../gofmt.ts';

/** The object information the builders take: where it was declared and what it is. */
export interface ObjectSource {
  /** File the object came from, as it should print after `source:`; '' prints no source line. */
  path: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** What upstream prints for a resource in a resource error. */
export interface KnvResourceRef {
  sourcePath?: string;
  namespace?: string;
  name: string;
  group: string;
  version: string;
  kind: string;
}

export interface KnvError {
  /** 'KNV1003' */
  code: string;
  /** The message body, without the resources or paths printed after it. */
  message: string;
  /** Repository paths (slash-separated) for path errors. */
  paths: string[];
  resources: KnvResourceRef[];
}

/** A Kubernetes GroupKind; group is '' for the core group. */
export interface GroupKind {
  group: string;
  kind: string;
}

const URL_BASE = 'For more information, see https://g.co/cloud/acm-errors#knv';
const CONFIG_MANAGEMENT_PREFIX = 'configmanagement.gke.io/';
const CONFIG_SYNC_PREFIX = 'configsync.gke.io/';
const NAMESPACE_SELECTOR_ANNOTATION = `${CONFIG_MANAGEMENT_PREFIX}namespace-selector`;
const LEGACY_CLUSTER_SELECTOR_ANNOTATION = `${CONFIG_MANAGEMENT_PREFIX}cluster-selector`;
const MANAGEMENT_ANNOTATION = `${CONFIG_MANAGEMENT_PREFIX}managed`;
const CONTROLLER_NAMESPACE = 'config-management-system';
const PRODUCT_NAME = 'Anthos Configuration Management';
const REPO_VERSION = '1.0.0';
const DEPTH_SUFFIX = '.tree.hnc.x-k8s.io/depth';

/** What `nomos vet` prints when there is nothing to report. */
export const NOMOS_VET_OK = '✅ No validation issues found.';

/** Upstream's name for the configuration of a repo without ClusterSelectors; its errors print unwrapped. */
export const DEFAULT_CLUSTER = 'defaultcluster';

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function ref(obj: ObjectSource): KnvResourceRef {
  const { group, version } = splitApiVersion(obj.apiVersion);
  return {
    ...(obj.path ? { sourcePath: obj.path } : {}),
    ...(obj.namespace ? { namespace: obj.namespace } : {}),
    name: obj.name, group, version, kind: obj.kind,
  };
}

/** schema.GroupKind.String(): "Kind" for the core group, else "Kind.group". */
function gkString(gk: GroupKind): string {
  return gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
}

function groupKindOf(obj: ObjectSource): GroupKind {
  return { group: splitApiVersion(obj.apiVersion).group, kind: obj.kind };
}

/** The last element of a slash path, as TreeNode.Name() gives a directory's name. */
function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function resourceError(code: string, message: string, objs: readonly ObjectSource[]): KnvError {
  return { code: `KNV${code}`, message, paths: [], resources: objs.map(ref) };
}

function pathError(code: string, message: string, paths: readonly string[]): KnvError {
  return { code: `KNV${code}`, message, paths: [...paths], resources: [] };
}

function plainError(code: string, message: string): KnvError {
  return { code: `KNV${code}`, message, paths: [], resources: [] };
}

function printResource(r: KnvResourceRef): string {
  let out = '';
  if (r.sourcePath) out += `source: ${r.sourcePath}\n`;
  if (r.namespace) out += `namespace: ${r.namespace}\n`;
  out += `metadata.name:${r.name ? ` ${r.name}` : ''}\n`;
  out += `group:${r.group ? ` ${r.group}` : ''}\nversion: ${r.version}\nkind: ${r.kind}`;
  return out;
}

function printPath(path: string): string {
  const clean = path.replace(/\/+$/, '');
  return `path: ${clean}${baseName(clean).includes('.') ? '' : '/'}`;
}

/** The body after "KNVxxxx: ": the message, then a blank line and the resources or paths, if any. */
function body(e: KnvError): string {
  const context = e.resources.length
    ? e.resources.map(printResource).sort(byteOrder).join('\n\n')
    : e.paths.map(printPath).sort(byteOrder).join('\n');
  return context ? `${e.message}\n\n${context}` : e.message;
}

/** One error, exactly as upstream's Error() prints it. */
export function formatKnv(e: KnvError): string {
  const digits = e.code.replace(/^KNV/, '');
  return `KNV${digits}: ${body(e)}\n\n${URL_BASE}${digits}`;
}

/**
 * A list of errors as upstream's status.FormatMultiLine prints it (the text of a MultiError):
 * texts sorted and deduplicated, "N error(s)\n", then "[i] <error>\n" each, all joined by a blank line.
 * '' for no errors.
 */
export function formatKnvList(errors: readonly KnvError[]): string {
  const unique = [...new Set(errors.map(formatKnv))].sort(byteOrder);
  if (unique.length === 0) return '';
  return [`${unique.length} error(s)\n`, ...unique.map((text, i) => `[${i + 1}] ${text}\n`)].join('\n\n');
}

/**
 * One cluster's part of `nomos vet`'s report: the list as is for the default configuration, else
 * `errors for cluster "<name>":\n<list>\n`. nomos vet joins the parts with a blank line and cobra
 * prints the whole to stderr as "Error: <text>\n".
 */
export function formatClusterKnvList(cluster: string, errors: readonly KnvError[]): string {
  const list = formatKnvList(errors);
  return cluster === DEFAULT_CLUSTER ? list : `errors for cluster ${goQuote(cluster)}:\n${list}\n`;
}

// pkg/importer/analyzer/validation/validationvisitor.go

/** KNV1003: a Namespace directory has a subdirectory. Directories are repository slash paths. */
export function illegalNamespaceSubdirectory(childDir: string, parentDir: string): KnvError {
  const child = baseName(childDir);
  return pathError('1003', `A Namespace directory MUST NOT have subdirectories. Restructure ${goQuote(baseName(parentDir))} so that it does not have subdirectory ${goQuote(child)}:\n\npath: ${childDir}\nname: ${child}`, [childDir, parentDir]);
}

/** KNV1007: an object whose kind may not be inherited sits in an abstract namespace directory. */
export function illegalAbstractNamespaceObjectKind(obj: ObjectSource): KnvError {
  return resourceError('1007', `Config ${goQuote(obj.name)} illegally declared in an abstract namespace directory. Move this config to a namespace directory:`, [obj]);
}

// pkg/importer/analyzer/validation/nonhierarchical/selector_annotation_validator.go

/** KNV1004: a Cluster, ClusterSelector or NamespaceSelector declares a cluster-selector annotation. */
export function illegalClusterSelectorAnnotation(obj: ObjectSource, annotation: string): KnvError {
  return resourceError('1004', `${obj.kind}s may not be cluster-selected, and so MUST NOT declare the annotation '${annotation}'. To fix, remove \`metadata.annotations.${annotation}\` from:`, [obj]);
}

/** KNV1004: a cluster-scoped object declares the namespace-selector annotation. */
export function illegalNamespaceSelectorAnnotation(obj: ObjectSource): KnvError {
  return resourceError('1004', `Cluster-scoped objects may not be namespace-selected, and so MUST NOT declare the annotation '${NAMESPACE_SELECTOR_ANNOTATION}'. To fix, remove \`metadata.annotations.${NAMESPACE_SELECTOR_ANNOTATION}\` from:`, [obj]);
}

// pkg/importer/analyzer/validation/nonhierarchical/management_annotation_validator.go

/** KNV1005: configmanagement.gke.io/managed has a value other than "disabled". */
export function illegalManagementAnnotation(obj: ObjectSource, value: string): KnvError {
  return resourceError('1005', `Config has invalid management annotation ${MANAGEMENT_ANNOTATION}=${value}. If set, the value must be "disabled".`, [obj]);
}

// pkg/status/object_parse_error.go

/** KNV1006: an object of a known type does not match its schema. */
export function objectParse(obj: ObjectSource, cause: string): KnvError {
  const { group, version } = splitApiVersion(obj.apiVersion);
  return resourceError('1006', `The following config could not be parsed as a ${group}/${version}, Kind=${obj.kind}: ${cause}`, [obj]);
}

// pkg/importer/analyzer/validation/metadata/namespace_validator.go

/** KNV1009: metadata.namespace does not match the namespace directory holding the object. */
export function illegalMetadataNamespaceDeclaration(obj: ObjectSource, expectedNamespace: string): KnvError {
  return resourceError('1009', `A config MUST either declare a \`namespace\` field exactly matching the directory containing the config, ${goQuote(expectedNamespace)}, or leave the field blank:`, [obj]);
}

// pkg/importer/analyzer/validation/metadata/annotation_validator.go, label_validator.go

/** KNV1010: annotations with a Config Sync prefix that Config Sync does not support. */
export function illegalAnnotationDefinition(obj: ObjectSource, annotations: readonly string[]): KnvError {
  const listed = [...annotations].sort(byteOrder).map(goQuote).join(', ');
  return resourceError('1010', `Configs MUST NOT declare unsupported annotations starting with ${goQuote(CONFIG_MANAGEMENT_PREFIX)} or ${goQuote(CONFIG_SYNC_PREFIX)}. The config has invalid annotations: ${listed}`, [obj]);
}

/** KNV1011: labels starting with configmanagement.gke.io/. */
export function illegalLabelDefinition(obj: ObjectSource, labels: readonly string[]): KnvError {
  const listed = [...labels].sort(byteOrder).map(goQuote).join(', ');
  return resourceError('1011', `Configs MUST NOT declare labels starting with ${goQuote(CONFIG_MANAGEMENT_PREFIX)}. The config has disallowed labels: ${listed}`, [obj]);
}

// pkg/importer/analyzer/transform/selectors/cluster_selectors.go, namespace_selectors.go

/** KNV1013: the cluster-selector annotation names no declared ClusterSelector. */
export function objectHasUnknownClusterSelector(obj: ObjectSource, selector: string): KnvError {
  return resourceError('1013', `Config ${goQuote(obj.name)} MUST refer to an existing ClusterSelector, but has annotation "${LEGACY_CLUSTER_SELECTOR_ANNOTATION}=${selector}" which maps to no declared ClusterSelector`, [obj]);
}

/** KNV1013: the namespace-selector annotation names no declared NamespaceSelector. */
export function objectHasUnknownNamespaceSelector(obj: ObjectSource, selector: string): KnvError {
  return resourceError('1013', `Config ${goQuote(obj.name)} MUST refer to an existing NamespaceSelector, but has annotation "${NAMESPACE_SELECTOR_ANNOTATION}=${selector}" which maps to no declared NamespaceSelector`, [obj]);
}

/** KNV1013: the NamespaceSelector an object names is not in its directory or a parent of it. */
export function objectNotInNamespaceSelectorSubdirectory(obj: ObjectSource, selector: ObjectSource): KnvError {
  const o = goQuote(obj.name);
  const s = goQuote(selector.name);
  return resourceError('1013', `Config ${o} MUST refer to a NamespaceSelector in its directory or a parent directory. Either remove the annotation "${NAMESPACE_SELECTOR_ANNOTATION}=${selector.name}" from ${o} or move NamespaceSelector ${s} to a parent directory of ${o}.`, [selector, obj]);
}

// pkg/importer/analyzer/transform/selectors/errors.go

/** KNV1014: a ClusterSelector or NamespaceSelector fails validation; cause is the underlying error text. */
export function invalidSelector(selector: ObjectSource, cause: string): KnvError {
  return resourceError('1014', `${selector.kind} has validation errors that must be corrected: ${cause}`, [selector]);
}

/** KNV1014: a ClusterSelector or NamespaceSelector has no spec.selector. */
export function emptySelector(selector: ObjectSource): KnvError {
  return resourceError('1014', `${selector.kind}s MUST define \`spec.selector\``, [selector]);
}

// pkg/importer/analyzer/validation/system/missing_repo_validator.go, version_validator.go

/** KNV1017: system/ declares no Repo. */
export function missingRepo(): KnvError {
  return pathError('1017', 'The system/ directory must declare a Repo Resource.', ['system']);
}

/** KNV1027: the Repo's spec.version is not supported. */
export function unsupportedRepoSpecVersion(repo: ObjectSource, version: string): KnvError {
  return resourceError('1027', `Unsupported Repo spec.version: ${goQuote(version)}. Must use version ${goQuote(REPO_VERSION)}`, [repo]);
}

// pkg/importer/analyzer/validation/metadata/name_validator.go

/** KNV1019: a Namespace is declared directly in namespaces/. */
export function illegalTopLevelNamespace(obj: ObjectSource): KnvError {
  return resourceError('1019', "Namespaces MUST be declared in subdirectories of 'namespaces/'. Create a subdirectory for the following Namespace configs:", [obj]);
}

/** KNV1020: a Namespace's name does not match its directory; expected is the directory's name. */
export function invalidNamespaceName(obj: ObjectSource, expected: string): KnvError {
  return resourceError('1020', `A Namespace MUST declare \`metadata.name\` that matches the name of its directory.\n\nexpected \`metadata.name\`: ${expected}`, [obj]);
}

// pkg/status/unknown_kind_error.go

/** KNV1021: the object's type is neither built in nor defined by a CustomResourceDefinition. */
export function unknownObjectKind(obj: ObjectSource): KnvError {
  const gk = goQuote(gkString(groupKindOf(obj)));
  return resourceError('1021', `No CustomResourceDefinition is defined for the type ${gk} in the cluster.\nResource types that are not native Kubernetes objects must have a CustomResourceDefinition.\n\nConfig Sync will retry until a CustomResourceDefinition is defined for the type ${gk} in the cluster.`, [obj]);
}

// pkg/importer/analyzer/validation/nonhierarchical/duplicate_name_validator.go

/** KNV1029: several Namespaces share a name. */
export function namespaceCollision(duplicates: readonly ObjectSource[]): KnvError {
  return resourceError('1029', `Namespaces MUST have unique names. Found ${duplicates.length} Namespaces named ${goQuote(duplicates[0]?.name ?? '')}. Rename or merge the Namespaces to fix:`, duplicates);
}

/** KNV1029: namespaced objects of one GroupKind share a namespace and name. */
export function namespaceMetadataNameCollision(duplicates: readonly ObjectSource[]): KnvError {
  const first = duplicates[0];
  const gk = first ? gkString(groupKindOf(first)) : '';
  return resourceError('1029', `Namespace-scoped configs of the same Group and Kind MUST have unique names if they are in the same Namespace. Found ${duplicates.length} configs of GroupKind ${goQuote(gk)} in Namespace ${goQuote(first?.namespace ?? '')} named ${goQuote(first?.name ?? '')}. Rename or delete the duplicates to fix:`, duplicates);
}

/** KNV1029: cluster-scoped objects of one GroupKind share a name. */
export function clusterMetadataNameCollision(duplicates: readonly ObjectSource[]): KnvError {
  const first = duplicates[0];
  const gk = first ? gkString(groupKindOf(first)) : '';
  return resourceError('1029', `Cluster-scoped configs of the same Group and Kind MUST have unique names. Found ${duplicates.length} configs of GroupKind ${goQuote(gk)} named ${goQuote(first?.name ?? '')}. Rename or delete the duplicates to fix:`, duplicates);
}

/** KNV1029: ClusterSelectors (or NamespaceSelectors) share a name. */
export function selectorMetadataNameCollision(duplicates: readonly ObjectSource[]): KnvError {
  const kind = duplicates[0]?.kind ?? '';
  return resourceError('1029', `${kind}s MUST have globally-unique names. Found ${duplicates.length} ${kind}s named ${goQuote(duplicates[0]?.name ?? '')}. Rename or delete the duplicates to fix:`, duplicates);
}

// pkg/importer/analyzer/validation/nonhierarchical/name_validator.go

/** KNV1031: the object has no metadata.name. */
export function missingObjectName(obj: ObjectSource): KnvError {
  return resourceError('1031', 'Configs must declare `metadata.name`:', [obj]);
}

/** KNV1036: metadata.name is not a valid name. */
export function invalidMetadataName(obj: ObjectSource): KnvError {
  return resourceError('1036', "Configs MUST define a `metadata.name` that is shorter than 254 characters, consists of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character. Rename or remove the config:", [obj]);
}

// pkg/importer/analyzer/validation/nonhierarchical/hierarchical_kind_validator.go

/** KNV1032: Repo or HierarchyConfig in an unstructured repo. */
export function illegalHierarchicalKind(obj: ObjectSource): KnvError {
  return resourceError('1032', `The type ${gkString(groupKindOf(obj))} is not allowed if \`sourceFormat\` is set to \`unstructured\`. To fix, remove the problematic config, or convert your repo to use \`sourceFormat: hierarchy\`.`, [obj]);
}

// pkg/importer/analyzer/validation/syntax/disallow_system_objects_validator.go

/** KNV1033: a Repo or HierarchyConfig outside system/. */
export function illegalSystemResourcePlacement(obj: ObjectSource): KnvError {
  return resourceError('1033', 'A config of the below kind MUST NOT be declared outside system/:', [obj]);
}

// pkg/importer/analyzer/validation/nonhierarchical/illegal_namespace_validator.go

/** KNV1034: a reserved Namespace (upstream: config-management-system) is declared; its name is obj.name. */
export function illegalNamespace(obj: ObjectSource): KnvError {
  return resourceError('1034', `The ${goQuote(obj.name)} Namespace must not be declared`, [obj]);
}

/** KNV1034: an object other than a RootSync is declared in a reserved namespace (obj.namespace). */
export function objectInIllegalNamespace(obj: ObjectSource): KnvError {
  return resourceError('1034', `Only RootSync configs are allowed in the ${goQuote(obj.namespace ?? CONTROLLER_NAMESPACE)} namespace`, [obj]);
}

// pkg/importer/analyzer/validation/syntax/namespaces_kind_validator.go

/** KNV1038: objects of a kind that may not be declared in namespaces/. */
export function illegalKindInNamespaces(...objs: ObjectSource[]): KnvError {
  return resourceError('1038', 'Configs of the below Kind MUST not be declared in `namespaces`/:', objs);
}

// pkg/importer/analyzer/validation/scope.go

/** KNV1039: a Repo or HierarchyConfig outside system/. */
export function shouldBeInSystem(obj: ObjectSource): KnvError {
  return resourceError('1039', `Repo and HierarchyConfig configs MUST be declared in \`system/\`. To fix, move the ${obj.kind} to \`system/\`.`, [obj]);
}

/** KNV1039: a Cluster or ClusterSelector outside clusterregistry/. */
export function shouldBeInClusterRegistry(obj: ObjectSource): KnvError {
  return resourceError('1039', `Cluster and ClusterSelector configs MUST be declared in \`clusterregistry/\`. To fix, move the ${obj.kind} to \`clusterregistry/\`.`, [obj]);
}

/** KNV1039: a cluster-scoped object (other than a Namespace) outside cluster/. */
export function shouldBeInCluster(obj: ObjectSource): KnvError {
  return resourceError('1039', `Cluster-scoped configs except Namespaces MUST be declared in \`cluster/\`. To fix, move the ${obj.kind} to \`cluster/\`.`, [obj]);
}

/** KNV1039: a Namespace or namespaced object outside namespaces/. */
export function shouldBeInNamespaces(obj: ObjectSource): KnvError {
  return resourceError('1039', `Namespace-scoped and Namespace configs MUST be declared in \`namespaces/\`. To fix, move the ${obj.kind} to \`namespaces/\`.`, [obj]);
}

// pkg/importer/analyzer/validation/hierarchyconfig/kind_validator.go, inheritance_validator.go

/** KNV1041: a HierarchyConfig names a kind that may not be configured there. */
export function unsupportedResourceInHierarchyConfig(config: ObjectSource, gk: GroupKind): KnvError {
  return resourceError('1041', `The ${goQuote(gkString(gk))} APIResource MUST NOT be declared in a HierarchyConfig:`, [config]);
}

/** KNV1042: a HierarchyConfig sets a hierarchyMode other than none or inherit. */
export function illegalHierarchyMode(config: ObjectSource, gk: GroupKind, mode: string): KnvError {
  return resourceError('1042', `HierarchyMode ${goQuote(mode)} is not a valid value for the APIResource ${goQuote(gkString(gk))}. Allowed values are [none,inherit].`, [config]);
}

// pkg/importer/analyzer/validation/semantic/abstract_resource_validator.go

/** KNV1044: a bottom-level directory has objects but no Namespace. */
export function unsyncableResourcesInLeaf(dir: string): KnvError {
  return pathError('1044', `The directory ${goQuote(baseName(dir))} has configs, but is missing a Namespace config. All bottom level subdirectories MUST have a Namespace config.`, [dir]);
}

/** KNV1044: a directory has objects and subdirectories, none of which is a Namespace. */
export function unsyncableResourcesInNonLeaf(dir: string): KnvError {
  return pathError('1044', `The Abstract Namespace directory named ${goQuote(baseName(dir))} has resources and subdirectories, but none of its subdirectories are Namespaces. An Abstract Namespace MUST have at least one Namespace subdirectory.`, [dir]);
}

// pkg/importer/analyzer/validation/syntax/disallowed_fields_validator.go

/** KNV1045: the object sets a field the API server owns, e.g. "metadata.uid" or "status". */
export function illegalFieldsInConfig(obj: ObjectSource, field: string): KnvError {
  const f = goQuote(field);
  return resourceError('1045', `Configs with ${f} specified are not allowed. To fix, either remove the config or remove the ${f} field in the config:`, [obj]);
}

// pkg/importer/analyzer/validation/nonhierarchical/scope_validator.go

/** KNV1052: a cluster-scoped object declares metadata.namespace. */
export function illegalNamespaceOnClusterScopedResource(obj: ObjectSource): KnvError {
  return resourceError('1052', 'cluster-scoped resources MUST NOT declare metadata.namespace', [obj]);
}

/** KNV1053: a namespaced object in an unstructured repo has neither a namespace nor a namespace selector. */
export function missingNamespaceOnNamespacedResource(obj: ObjectSource): KnvError {
  return resourceError('1053', `namespace-scoped resources MUST either declare either metadata.namespace or metadata.annotations.${NAMESPACE_SELECTOR_ANNOTATION}`, [obj]);
}

/** KNV1053: a namespaced object declares both a namespace and a namespace selector. */
export function namespaceAndSelectorResource(obj: ObjectSource): KnvError {
  return resourceError('1053', `namespace-scoped resources MUST NOT declare both metadata.namespace and metadata.annotations.${NAMESPACE_SELECTOR_ANNOTATION}`, [obj]);
}

// pkg/importer/analyzer/validation/nonhierarchical/namespace_validator.go

/**
 * KNV1055: metadata.namespace (or a Namespace's name) is not a valid Namespace name. Upstream quotes
 * the object's metadata.namespace even when reporting a Namespace object; badNamespace defaults to that.
 */
export function invalidNamespace(obj: ObjectSource, badNamespace: string = obj.namespace ?? ''): KnvError {
  return resourceError('1055', `metadata.namespace MUST be valid Kubernetes Namespace names. Rename ${goQuote(badNamespace)} so that it:\n\n1. has a length of 63 characters or fewer;\n2. consists only of lowercase letters (a-z), digits (0-9), and hyphen '-'; and\n3. begins and ends with a lowercase letter or digit.\n`, [obj]);
}

// pkg/importer/analyzer/validation/nonhierarchical/managed_namespace_validator.go

/** KNV1056: managed objects in a Namespace declared with configmanagement.gke.io/managed: disabled. */
export function managedResourceInUnmanagedNamespace(namespace: string, objs: readonly ObjectSource[]): KnvError {
  const ns = goQuote(namespace);
  return resourceError('1056', `Managed resources must not be declared in unmanaged Namespaces. Namespace ${ns} is is declared unmanaged but contains managed resources. Either remove the managed: disabled annotation from Namespace ${ns} or declare its resources as unmanaged by adding configmanagement.gke.io/managed:disabled annotation.`, objs);
}

// pkg/importer/analyzer/hnc/depth_label_validator.go

/** KNV1057: labels ending with .tree.hnc.x-k8s.io/depth. */
export function illegalDepthLabel(obj: ObjectSource, labels: readonly string[]): KnvError {
  const listed = [...labels].sort(byteOrder).map(goQuote).join(', ');
  return resourceError('1057', `Configs MUST NOT declare labels ending with ${goQuote(DEPTH_SUFFIX)}. The config has disallowed labels: ${listed}`, [obj]);
}

// pkg/status/path_error.go (pkg/importer/reader/reader.go wraps file read and YAML/JSON decode errors with it)

/** KNV2001: a file could not be read or decoded; cause is the underlying error text. */
export function unreadableFile(path: string, cause: string): KnvError {
  return pathError('2001', cause, [path]);
}

// pkg/status/empty_source_error.go

/** KNV2006: the source has none of a kind of resource the cluster still has, e.g. ("namespaces", 3). */
export function emptySource(current: number, resourceType: string): KnvError {
  return plainError('2006', `mounted git repo appears to contain no managed ${resourceType}, which would delete ${current} existing ${resourceType} from the cluster`);
}

// pkg/status/multiple_singletons_error.go

/** KNV2012: more than one of a resource there must be exactly one of. */
export function multipleSingletons(duplicates: readonly ObjectSource[]): KnvError {
  const name = duplicates[0] ? gkString(groupKindOf(duplicates[0])) : 'singleton';
  return resourceError('2012', `Unsupported number of ${name} resource found: ${duplicates.length}, want: 1.`, duplicates);
}
