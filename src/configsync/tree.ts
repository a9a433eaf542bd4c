// The namespaces/ directory as a tree (pkg/validate/objects/tree.go, pkg/importer/analyzer/transform/tree): one node
// per directory holding objects, and its ancestors up to namespaces/ itself. A node with a Namespace is a namespace
// directory, every other node an abstract one.
import * as knv from './knv.ts';
import {
  CLUSTER_DIR, type FileObject, type GroupKind, HIERARCHY_CONFIG, isKind, NAMESPACE, NAMESPACE_SELECTOR, NAMESPACES_DIR,
  REPO, SYSTEM_DIR, baseName, directoryOf, nameOf, topLevelDirectory,
} from './objects.ts';
import { sourceOf } from './raw-validation.ts';
import type { Scope } from './scope.ts';

export interface TreeNode {
  /** Slash path from the repo root: `namespaces`, `namespaces/online`, ... */
  path: string;
  objects: FileObject[];
  children: TreeNode[];
}

export interface RepoTree {
  hierarchyConfigs: FileObject[];
  /** By name; unique once the scoped checks passed. */
  namespaceSelectors: Map<string, FileObject>;
  cluster: FileObject[];
  /** namespaces/ (an empty abstract node when the repo declares nothing there). */
  root: TreeNode;
}

export interface ScopedObject {
  fo: FileObject;
  scope: Scope;
}

export function nodeName(node: TreeNode): string {
  return baseName(node.path);
}

export function isNamespaceNode(node: TreeNode): boolean {
  return node.objects.some((fo) => isKind(fo.object, NAMESPACE));
}

/** The top-level directory a cluster-scoped object belongs in (topLevelDirectoryOverrides). */
function expectedClusterScopedDirectory(fo: FileObject): string {
  const is = (gk: GroupKind) => isKind(fo.object, gk);
  if (is(REPO) || is(HIERARCHY_CONFIG)) return SYSTEM_DIR;
  if (is(NAMESPACE) || is(NAMESPACE_SELECTOR)) return NAMESPACES_DIR;
  return CLUSTER_DIR;
}

function misplaced(fo: FileObject, expected: string): knv.KnvError {
  const source = sourceOf(fo);
  if (expected === SYSTEM_DIR) return knv.shouldBeInSystem(source);
  if (expected === NAMESPACES_DIR) return knv.shouldBeInNamespaces(source);
  return knv.shouldBeInCluster(source);
}

/**
 * Sorts the objects into system/, cluster/ and the namespaces/ tree (objects.BuildTree). Objects of unknown scope go
 * where they were declared; outside cluster/ and namespaces/ they are reported as belonging in cluster/.
 */
export function buildTree(objects: readonly ScopedObject[]): { tree?: RepoTree; errors: knv.KnvError[] } {
  const errors: knv.KnvError[] = [];
  const tree: RepoTree = { hierarchyConfigs: [], namespaceSelectors: new Map(), cluster: [], root: { path: NAMESPACES_DIR, objects: [], children: [] } };
  const inNamespaces: FileObject[] = [];
  for (const { fo, scope } of objects) {
    const actual = topLevelDirectory(fo.path);
    const expected = scope === 'cluster' ? expectedClusterScopedDirectory(fo) : scope === 'namespace' ? NAMESPACES_DIR : actual;
    if (actual !== expected || (scope === 'unknown' && actual !== CLUSTER_DIR && actual !== NAMESPACES_DIR)) {
      errors.push(misplaced(fo, scope === 'unknown' ? CLUSTER_DIR : expected));
    } else if (actual === SYSTEM_DIR) {
      if (isKind(fo.object, HIERARCHY_CONFIG)) tree.hierarchyConfigs.push(fo);
    } else if (actual === CLUSTER_DIR) {
      tree.cluster.push(fo);
    } else if (isKind(fo.object, NAMESPACE_SELECTOR)) {
      tree.namespaceSelectors.set(nameOf(fo.object), fo);
    } else {
      inNamespaces.push(fo);
    }
  }
  if (errors.length) return { errors };
  addToTree(tree.root, inNamespaces);
  return { tree, errors };
}

/** Nodes for every directory holding objects and their ancestors; children and objects sorted as upstream sorts them. */
function addToTree(root: TreeNode, objects: readonly FileObject[]): void {
  const nodes = new Map<string, TreeNode>([[root.path, root]]);
  const nodeFor = (path: string): TreeNode => {
    let node = nodes.get(path);
    if (node) return node;
    node = { path, objects: [], children: [] };
    nodes.set(path, node);
    nodeFor(directoryOf(path)).children.push(node);
    return node;
  };
  for (const fo of objects) nodeFor(directoryOf(fo.path)).objects.push(fo);
  const gvk = (fo: FileObject) => `${fo.object.apiVersion}, Kind=${fo.object.kind}`;
  for (const node of nodes.values()) {
    node.children.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    node.objects.sort((a, b) => (gvk(a) !== gvk(b) ? (gvk(a) < gvk(b) ? -1 : 1) : nameOf(a.object) < nameOf(b.object) ? -1 : nameOf(a.object) > nameOf(b.object) ? 1 : 0));
  }
}

/** Every node, parents before children. */
export function allNodes(node: TreeNode): TreeNode[] {
  return [node, ...node.children.flatMap(allNodes)];
}

/** The final objects of the tree: each namespace directory's objects, namespaced to it (TreeNode.flatten). */
export function flattenTree(node: TreeNode): FileObject[] {
  if (!isNamespaceNode(node)) return node.children.flatMap(flattenTree);
  for (const fo of node.objects) if (!isKind(fo.object, NAMESPACE)) fo.object.metadata.namespace = nodeName(node);
  return node.objects;
}
