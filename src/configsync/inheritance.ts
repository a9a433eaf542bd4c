// Hydrating the namespaces/ tree (pkg/validate/tree/hydrate): objects of abstract directories are copied into every
// namespace directory below them, then objects with a NamespaceSelector stay only in the namespaces it selects.
import { matches } from '../apiserver/selectors.ts';
import * as knv from './knv.ts';
import { ANNOTATION, annotationsOf, cloneFileObject, type FileObject, groupOf, isKind, labelsOf, NAMESPACE } from './objects.ts';
import { sourceOf } from './raw-validation.ts';
import { isKnvError, selectorOf } from './selector.ts';
import { isNamespaceNode, type RepoTree, type TreeNode } from './tree.ts';
import { hierarchyResources } from './tree-validation.ts';

/** Kinds a HierarchyConfig sets to `hierarchyMode: none`: they may not sit in abstract directories. */
function notInherited(configs: readonly FileObject[]): Set<string> {
  const modes = new Map<string, string>();
  for (const config of configs) {
    for (const r of hierarchyResources(config)) for (const kind of r.kinds) modes.set(`${r.group}/${kind}`, r.mode || 'inherit');
  }
  return new Set([...modes].filter(([, mode]) => mode === 'none').map(([gk]) => gk));
}

function inherit(node: TreeNode, inherited: readonly FileObject[], none: ReadonlySet<string>, errors: knv.KnvError[]): void {
  if (isNamespaceNode(node)) {
    for (const child of node.children) errors.push(knv.illegalNamespaceSubdirectory(child.path, node.path));
    node.objects.push(...inherited.map(cloneFileObject));
    return;
  }
  for (const fo of node.objects) {
    if (none.has(`${groupOf(fo.object)}/${fo.object.kind}`)) errors.push(knv.illegalAbstractNamespaceObjectKind(sourceOf(fo)));
  }
  for (const child of node.children) inherit(child, [...inherited, ...node.objects], none, errors);
}

/** Drops the copies whose NamespaceSelector does not select their namespace (hydrate.NamespaceSelectors). */
function selectNamespaces(node: TreeNode, active: (selector: string, labels: Record<string, string>) => boolean): void {
  if (!isNamespaceNode(node)) {
    for (const child of node.children) selectNamespaces(child, active);
    return;
  }
  const namespace = node.objects.find((fo) => isKind(fo.object, NAMESPACE))!;
  node.objects = node.objects.filter((fo) => {
    const selector = annotationsOf(fo.object)[ANNOTATION.namespaceSelector];
    return isKind(fo.object, NAMESPACE) || selector === undefined || active(selector, labelsOf(namespace.object));
  });
}

/** Copies inherited objects into the namespace directories and applies NamespaceSelectors; the tree is changed in place. */
export function hydrateTree(tree: RepoTree): knv.KnvError[] {
  const errors: knv.KnvError[] = [];
  inherit(tree.root, [], notInherited(tree.hierarchyConfigs), errors);
  const selectors = new Map<string, ReturnType<typeof selectorOf>>();
  for (const [name, fo] of tree.namespaceSelectors) {
    const selector = selectorOf(fo, true);
    if (isKnvError(selector)) errors.push(selector);
    selectors.set(name, selector);
  }
  if (errors.length) return errors;
  selectNamespaces(tree.root, (name, labels) => {
    const selector = selectors.get(name)!;
    return !isKnvError(selector) && matches(selector, labels);
  });
  return errors;
}
