// HNC's names (api/v1alpha2 and its user guide, "Labels and annotations set by HNC"), and which namespaces
// HNC leaves alone (the --excluded-namespace flags of upstream's deployment).
export const HNC_GROUP = 'hnc.x-k8s.io';
/** On a subnamespace: its parent. */
export const SUBNAMESPACE_OF_ANNOTATION = 'hnc.x-k8s.io/subnamespace-of';
/** On every namespace HNC manages. */
export const INCLUDED_NAMESPACE_LABEL = 'hnc.x-k8s.io/included-namespace';
/** Upstream's finalizer on anchors (api.MetaGroup): the anchor goes once its subnamespace is gone. */
export const ANCHOR_FINALIZER = HNC_GROUP;

export type AnchorState = 'Missing' | 'Ok' | 'Conflict' | 'Forbidden';

const EXCLUDED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'hnc-system']);

/** Excluded namespaces may neither hold subnamespaces nor be one. */
export function isExcludedNamespace(name: string): boolean {
  return EXCLUDED_NAMESPACES.has(name);
}
