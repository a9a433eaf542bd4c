// Checks of the namespaces/ tree before inheritance (pkg/validate/tree/validate): HierarchyConfigs, directories that
// hold objects but no Namespace below them, NamespaceSelector references, and directories named like the tree's root.
import * as knv from './knv.ts';
import {
  ANNOTATION, annotationsOf, CONFIG_MANAGEMENT_GROUP, directoryOf, type FileObject, type GroupKind, isKind, NAMESPACE,
} from './objects.ts';
import { ROOT_TREE_NAME } from './metadata-hydration.ts';
import { sourceOf } from './raw-validation.ts';
import { allNodes, isNamespaceNode, nodeName, type RepoTree, type TreeNode } from './tree.ts';

/** spec.resources[] of a HierarchyConfig: a group, its kinds, and the mode ('' means the default, inherit). */
interface HierarchyResource {
  group: string;
  kinds: string[];
  mode: string;
}

export function hierarchyResources(config: FileObject): HierarchyResource[] {
  const resources: unknown = config.object.spec?.resources;
  if (!Array.isArray(resources)) return [];
  return resources.map((r) => ({
    group: typeof r?.group === 'string' ? r.group : '',
    kinds: Array.isArray(r?.kinds) ? r.kinds.filter((k: unknown) => typeof k === 'string') : [],
    mode: typeof r?.hierarchyMode === 'string' ? r.hierarchyMode : '',
  }));
}

function groupKinds(resource: HierarchyResource): GroupKind[] {
  return resource.kinds.length ? resource.kinds.map((kind) => ({ group: resource.group, kind })) : [{ group: resource.group, kind: '' }];
}

/** Kinds a HierarchyConfig may not configure: Namespace, Config Sync's own kinds, a group without kinds. */
function unsupportedInHierarchyConfig(gk: GroupKind): boolean {
  return (gk.group === NAMESPACE.group && gk.kind === NAMESPACE.kind) || gk.group === CONFIG_MANAGEMENT_GROUP || gk.kind === '';
}

function hierarchyConfigErrors(configs: readonly FileObject[]): knv.KnvError[] {
  const errors: knv.KnvError[] = [];
  for (const config of configs) {
    for (const resource of hierarchyResources(config)) {
      if (!['none', 'inherit', ''].includes(resource.mode)) {
        errors.push(knv.illegalHierarchyMode(sourceOf(config), groupKinds(resource)[0]!, resource.mode));
      }
      for (const gk of groupKinds(resource)) {
        if (unsupportedInHierarchyConfig(gk)) errors.push(knv.unsupportedResourceInHierarchyConfig(sourceOf(config), gk));
      }
    }
  }
  return errors;
}

/** validate.Inheritance: whether node is or has a namespace directory; 1044 and 2012 on the way. */
function namespaceDescendantErrors(node: TreeNode, errors: knv.KnvError[]): boolean {
  const namespaces = node.objects.filter((fo) => isKind(fo.object, NAMESPACE));
  if (namespaces.length > 1) errors.push(knv.multipleSingletons(namespaces.map((fo) => sourceOf(fo))));
  if (namespaces.length) return true;
  let found = false;
  for (const child of node.children) found = namespaceDescendantErrors(child, errors) || found;
  if (node.objects.length) {
    if (node.children.length === 0) errors.push(knv.unsyncableResourcesInLeaf(node.path));
    else if (!found) errors.push(knv.unsyncableResourcesInNonLeaf(node.path));
  }
  return found;
}

/** validate.NamespaceSelector: references resolve to a selector in the same or a parent directory; none in namespace directories. */
function namespaceSelectorErrors(tree: RepoTree): knv.KnvError[] {
  const errors: knv.KnvError[] = [];
  for (const node of allNodes(tree.root)) {
    for (const fo of node.objects) {
      if (isKind(fo.object, NAMESPACE)) continue;
      const name = annotationsOf(fo.object)[ANNOTATION.namespaceSelector];
      if (name === undefined) continue;
      const selector = tree.namespaceSelectors.get(name);
      if (!selector) errors.push(knv.objectHasUnknownNamespaceSelector(sourceOf(fo), name));
      else if (!fo.path.startsWith(directoryOf(selector.path))) errors.push(knv.objectNotInNamespaceSelectorSubdirectory(sourceOf(fo), sourceOf(selector)));
    }
    if (!isNamespaceNode(node)) continue;
    const inNamespaceDirectory = [...tree.namespaceSelectors.values()].filter((s) => directoryOf(s.path) === node.path);
    if (inNamespaceDirectory.length) errors.push(knv.illegalKindInNamespaces(...inNamespaceDirectory.map((s) => sourceOf(s))));
  }
  return errors;
}

/**
 * Canopy's own check, without an upstream equivalent: a directory named `root` would give its namespaces a second
 * `root.tree.hnc.x-k8s.io/depth` label, clashing with the one for namespaces/ itself. Worded like upstream's reserved
 * directory name error (KNV1028).
 */
function reservedTreeDirectory(dir: string): knv.KnvError {
  return {
    code: 'KNV1028',
    message: `Directories in namespaces/ MUST NOT be named ${JSON.stringify(ROOT_TREE_NAME)}: every Namespace gets the tree label ${ROOT_TREE_NAME}.tree.hnc.x-k8s.io/depth for the namespaces/ directory itself. Rename the ${JSON.stringify(ROOT_TREE_NAME)} directory.`,
    paths: [dir], resources: [],
  };
}

export function treeValidationErrors(tree: RepoTree): knv.KnvError[] {
  const errors = hierarchyConfigErrors(tree.hierarchyConfigs);
  namespaceDescendantErrors(tree.root, errors);
  errors.push(...namespaceSelectorErrors(tree));
  const rootNamed = allNodes(tree.root).filter((node) => node !== tree.root && nodeName(node) === ROOT_TREE_NAME);
  errors.push(...rootNamed.map((node) => reservedTreeDirectory(node.path)));
  return errors;
}
