// The first round of checks on the objects as declared (pkg/validate/raw/validate): metadata, names, namespaces,
// directories, the fields the API server owns, ClusterSelectors and the Repo. Upstream prints these errors without a
// `source:` line, since objects get their source path only afterwards.
import { dns1123Label, dns1123Subdomain, pathSegmentName } from '../registry/validation.ts';
import * as knv from './knv.ts';
import {
  annotationsOf, ANNOTATION, baseName, CLUSTER, CLUSTER_REGISTRY_DIR, CLUSTER_SELECTOR, CONFIG_MANAGEMENT_GROUP,
  CONTROLLER_NAMESPACE, DEPTH_LABEL_SUFFIX, directoryOf, type FileObject, groupOf, hasConfigSyncPrefix, HIERARCHY_CONFIG, isKind, labelsOf,
  MANAGEMENT_DISABLED, NAMESPACE, NAMESPACE_SELECTOR, NAMESPACES_DIR, nameOf, namespaceOf, REPO, RESERVED_NAMESPACES, SOURCE_ANNOTATIONS,
  topLevelDirectory,
} from './objects.ts';
import type { SourceFormat } from './reader.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const ROOT_SYNC_KIND = 'RootSync';
const SUPPORTED_REPO_VERSIONS = new Set(['1.0.0', '0.1.0']);

/** The object as errors name it; `withPath` false for the errors of this round, which upstream prints without one. */
export function sourceOf(fo: FileObject, withPath = true): knv.ObjectSource {
  const namespace = namespaceOf(fo.object);
  return {
    path: withPath ? fo.path : '', apiVersion: String(fo.object.apiVersion), kind: String(fo.object.kind),
    name: nameOf(fo.object), ...(namespace ? { namespace } : {}),
  };
}

type ObjectCheck = (fo: FileObject) => knv.KnvError | undefined;

const annotationCheck: ObjectCheck = (fo) => {
  const invalid = Object.keys(annotationsOf(fo.object)).filter((k) => hasConfigSyncPrefix(k) && !SOURCE_ANNOTATIONS.has(k));
  return invalid.length ? knv.illegalAnnotationDefinition(sourceOf(fo, false), invalid) : undefined;
};

const labelCheck: ObjectCheck = (fo) => {
  const invalid = Object.keys(labelsOf(fo.object)).filter(hasConfigSyncPrefix);
  return invalid.length ? knv.illegalLabelDefinition(sourceOf(fo, false), invalid) : undefined;
};

const nameCheck: ObjectCheck = (fo) => {
  const name = nameOf(fo.object);
  if (name === '') return knv.missingObjectName(sourceOf(fo, false));
  const problems = groupOf(fo.object) === RBAC_GROUP ? pathSegmentName(name) : dns1123Subdomain(name);
  return problems.length ? knv.invalidMetadataName(sourceOf(fo, false)) : undefined;
};

const namespaceCheck: ObjectCheck = (fo) => {
  if (isKind(fo.object, NAMESPACE)) {
    const name = nameOf(fo.object);
    if (dns1123Label(name).length) return knv.invalidNamespace(sourceOf(fo, false));
    return RESERVED_NAMESPACES.has(name) ? knv.illegalNamespace(sourceOf(fo, false)) : undefined;
  }
  const namespace = namespaceOf(fo.object);
  if (namespace === '') return undefined;
  if (dns1123Label(namespace).length) return knv.invalidNamespace(sourceOf(fo, false));
  const allowed = namespace === CONTROLLER_NAMESPACE && fo.object.kind === ROOT_SYNC_KIND;
  return RESERVED_NAMESPACES.has(namespace) && !allowed ? knv.objectInIllegalNamespace(sourceOf(fo, false)) : undefined;
};

/** A Namespace sits in the directory of its name; an object's namespace is that of its directory (validate.Directory). */
const directoryCheck: ObjectCheck = (fo) => {
  const directory = baseName(directoryOf(fo.path));
  if (isKind(fo.object, NAMESPACE)) {
    if (directory === NAMESPACES_DIR) return knv.illegalTopLevelNamespace(sourceOf(fo, false));
    return nameOf(fo.object) !== directory ? knv.invalidNamespaceName(sourceOf(fo, false), directory) : undefined;
  }
  const namespace = namespaceOf(fo.object);
  return namespace !== '' && namespace !== directory ? knv.illegalMetadataNamespaceDeclaration(sourceOf(fo, false), directory) : undefined;
};

const depthLabelCheck: ObjectCheck = (fo) => {
  const invalid = Object.keys(labelsOf(fo.object)).filter((k) => k.endsWith(DEPTH_LABEL_SUFFIX));
  return invalid.length ? knv.illegalDepthLabel(sourceOf(fo, false), invalid) : undefined;
};

const managementCheck: ObjectCheck = (fo) => {
  const value = annotationsOf(fo.object)[ANNOTATION.managementMode];
  return value === undefined || value === MANAGEMENT_DISABLED ? undefined : knv.illegalManagementAnnotation(sourceOf(fo, false), value);
};

/** Checks of every object, in upstream's order (raw.Hierarchical); the directory checks only for hierarchy repos. */
function objectChecks(format: SourceFormat): ObjectCheck[] {
  return format === 'hierarchy'
    ? [annotationCheck, labelCheck, nameCheck, namespaceCheck, directoryCheck, depthLabelCheck, managementCheck]
    : [annotationCheck, labelCheck, nameCheck, namespaceCheck, managementCheck];
}

/** Fields the API server sets, which a config may not (validate.DisallowedFields, and the reader's status check). */
function disallowedFields(fo: FileObject): string[] {
  const { metadata } = fo.object;
  const fields: string[] = [];
  if (Array.isArray(metadata.ownerReferences) && metadata.ownerReferences.length) fields.push('metadata.ownerReference');
  if (metadata.selfLink) fields.push('metadata.selfLink');
  if (metadata.uid) fields.push('metadata.uid');
  if (metadata.resourceVersion) fields.push('metadata.resourceVersion');
  if (metadata.generation) fields.push('metadata.generation');
  if (metadata.creationTimestamp) fields.push('metadata.creationTimestamp');
  if (metadata.deletionTimestamp) fields.push('metadata.deletionTimestamp');
  if (metadata.deletionGracePeriodSeconds !== undefined && metadata.deletionGracePeriodSeconds !== null) fields.push('metadata.deletionGracePeriodSeconds');
  const status = fo.object.status;
  if (groupOf(fo.object) !== CONFIG_MANAGEMENT_GROUP && status && typeof status === 'object' && Object.keys(status).length) fields.push('status');
  return fields;
}

/** Clusters, ClusterSelectors and NamespaceSelectors may not be cluster-selected (validateClusterSelectorAnnotation). */
function selectorAnnotationCheck(fo: FileObject): knv.KnvError | undefined {
  if (![CLUSTER, CLUSTER_SELECTOR, NAMESPACE_SELECTOR].some((gk) => isKind(fo.object, gk))) return undefined;
  const annotations = annotationsOf(fo.object);
  const present = [ANNOTATION.clusterSelector, ANNOTATION.clusterNameSelector].find((a) => a in annotations);
  return present ? knv.illegalClusterSelectorAnnotation(sourceOf(fo, false), present) : undefined;
}

/** validate.ClusterSelectorsFor*: placement in clusterregistry/ (hierarchy repos) and unique ClusterSelector names. */
function clusterSelectorErrors(objects: readonly FileObject[], format: SourceFormat): knv.KnvError[] {
  const errors: knv.KnvError[] = [];
  const byName = new Map<string, FileObject[]>();
  for (const fo of objects) {
    const selectorError = selectorAnnotationCheck(fo);
    if (selectorError) errors.push(selectorError);
    const isSelector = isKind(fo.object, CLUSTER_SELECTOR);
    if (!isSelector && !isKind(fo.object, CLUSTER)) continue;
    if (format === 'hierarchy' && topLevelDirectory(fo.path) !== CLUSTER_REGISTRY_DIR) errors.push(knv.shouldBeInClusterRegistry(sourceOf(fo, false)));
    if (isSelector) byName.set(nameOf(fo.object), [...(byName.get(nameOf(fo.object)) ?? []), fo]);
  }
  for (const duplicates of byName.values()) {
    if (duplicates.length > 1) errors.push(knv.selectorMetadataNameCollision(duplicates.map((fo) => sourceOf(fo, false))));
  }
  return errors;
}

/** Exactly one Repo, of a supported version (validate.Repo). */
function repoErrors(objects: readonly FileObject[]): knv.KnvError[] {
  const repos = objects.filter((fo) => isKind(fo.object, REPO));
  if (repos.length === 0) return [knv.missingRepo()];
  if (repos.length > 1) return [knv.multipleSingletons(repos.map((fo) => sourceOf(fo, false)))];
  const version = repos[0]!.object.spec?.version;
  return SUPPORTED_REPO_VERSIONS.has(version) ? [] : [knv.unsupportedRepoSpecVersion(sourceOf(repos[0]!, false), String(version ?? ''))];
}

/** Every error of the first round; the repo is hydrated only when there is none. */
export function rawValidationErrors(objects: readonly FileObject[], format: SourceFormat): knv.KnvError[] {
  const errors: knv.KnvError[] = [];
  for (const check of objectChecks(format)) {
    for (const fo of objects) {
      const error = check(fo);
      if (error) errors.push(error);
    }
  }
  for (const fo of objects) {
    for (const field of disallowedFields(fo)) errors.push(knv.illegalFieldsInConfig(sourceOf(fo, false), field));
  }
  errors.push(...clusterSelectorErrors(objects, format));
  if (format === 'hierarchy') errors.push(...repoErrors(objects));
  else {
    const hierarchical = objects.filter((fo) => isKind(fo.object, REPO) || isKind(fo.object, HIERARCHY_CONFIG));
    errors.push(...hierarchical.map((fo) => knv.illegalHierarchicalKind(sourceOf(fo, false))));
  }
  return errors;
}
