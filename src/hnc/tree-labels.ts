// HNC's tree labels: `<ancestor>.tree.hnc.x-k8s.io/depth: <n>` on a namespace for itself (0) and each ancestor.
// A namespace that is not a subnamespace is a root: its tree labels are trusted as they are (those a Config Sync
// repo gave it, as HNC trusts an external namespace's) and it gets its own at depth 0. A subnamespace gets its
// parent's, one deeper, and its own; any other tree label on it is replaced, as HNC does.
import type { KObject } from '../registry/objects.ts';
import { SUBNAMESPACE_OF_ANNOTATION } from './metadata.ts';

export const TREE_LABEL_SUFFIX = '.tree.hnc.x-k8s.io/depth';

export function treeLabel(namespace: string): string {
  return `${namespace}${TREE_LABEL_SUFFIX}`;
}

/** The tree labels among labels. */
export function treeLabelsOf(labels: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).filter(([key]) => key.endsWith(TREE_LABEL_SUFFIX)));
}

/**
 * A namespace's tree labels as they are, and its own at depth 0: what a root should carry, and what a parent passes
 * down (even before it is labelled itself).
 */
function withOwnTreeLabel(namespace: KObject): Record<string, string> {
  return { ...treeLabelsOf(namespace.metadata.labels), [treeLabel(namespace.metadata.name)]: '0' };
}

/**
 * The tree labels a namespace should carry. parent is the namespace its subnamespace-of annotation names (undefined
 * when missing: then only its own label, as HNC does for a namespace whose parent is missing).
 */
export function wantedTreeLabels(namespace: KObject, parent: KObject | undefined): Record<string, string> {
  if (!namespace.metadata.annotations?.[SUBNAMESPACE_OF_ANNOTATION]) return withOwnTreeLabel(namespace);
  const wanted: Record<string, string> = {};
  for (const [key, depth] of Object.entries(parent ? withOwnTreeLabel(parent) : {})) {
    const n = Number(depth);
    if (Number.isInteger(n) && n >= 0) wanted[key] = String(n + 1);
  }
  wanted[treeLabel(namespace.metadata.name)] = '0';
  return wanted;
}

/** labels with every tree label replaced by treeLabels. */
export function withTreeLabels(labels: Record<string, string> | undefined, treeLabels: Record<string, string>): Record<string, string> {
  const others = Object.entries(labels ?? {}).filter(([key]) => !key.endsWith(TREE_LABEL_SUFFIX));
  return { ...Object.fromEntries(others), ...treeLabels };
}
