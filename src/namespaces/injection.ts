// Global namespaces: Istio's injection labels and how Istio reads them, and the homing-clusters annotation.
import { dns1123Label } from '../registry/validation.ts';

export const ISTIO_INJECTION_LABEL = 'istio-injection';
export const ISTIO_REVISION_LABEL = 'istio.io/rev';
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** The labels a global namespace carries to its member namespaces; no other label is ever synced. */
export const INJECTION_LABELS = [ISTIO_INJECTION_LABEL, ISTIO_REVISION_LABEL, DATAPLANE_MODE_LABEL] as const;

export const HOMING_CLUSTERS_ANNOTATION = 'canopy.io/homing-clusters';

type Labels = Record<string, string>;

/** What Istio does with new pods of a namespace, read with Istio's precedence rules. */
export interface InjectionState {
  /** sidecar: an Envoy sidecar is injected; ambient: ztunnel captures the pods; none: neither. */
  mode: 'sidecar' | 'ambient' | 'none';
  /** The control-plane revision that injects (sidecar mode); absent means the default revision. */
  revision?: string;
  /** The label that decides, as `key=value`; absent when no injection label is set. */
  decidedBy?: string;
  warnings: string[];
}

/** The effective injection of a namespace with these labels, as Istio's injector webhooks and CNI decide it. */
export function injectionState(labels: Labels = {}): InjectionState {
  const injection = labels[ISTIO_INJECTION_LABEL];
  const revision = labels[ISTIO_REVISION_LABEL];
  const dataplane = labels[DATAPLANE_MODE_LABEL];
  const warnings: string[] = [];
  let state: InjectionState;
  if (injection !== undefined) {
    // The revision webhooks select namespaces without istio-injection, so the revision label is ignored.
    if (revision !== undefined) {
      warnings.push(`both ${ISTIO_INJECTION_LABEL} and ${ISTIO_REVISION_LABEL} are set: Istio ignores ${ISTIO_REVISION_LABEL}=${revision} while ${ISTIO_INJECTION_LABEL} is present`);
    }
    if (injection !== 'enabled' && injection !== 'disabled') {
      warnings.push(`${ISTIO_INJECTION_LABEL}=${injection} is neither "enabled" nor "disabled": Istio injects no sidecar`);
    }
    state = { mode: injection === 'enabled' ? 'sidecar' : 'none', decidedBy: `${ISTIO_INJECTION_LABEL}=${injection}`, warnings };
  } else if (revision !== undefined) {
    state = { mode: 'sidecar', revision, decidedBy: `${ISTIO_REVISION_LABEL}=${revision}`, warnings };
  } else {
    state = { mode: 'none', warnings };
  }
  if (dataplane !== undefined && dataplane !== 'ambient' && dataplane !== 'none') {
    warnings.push(`${DATAPLANE_MODE_LABEL}=${dataplane} is neither "ambient" nor "none": Istio ignores it`);
  }
  if (dataplane === 'ambient') {
    // Pods with a sidecar stay with their sidecar: the sidecar takes precedence over ztunnel.
    if (state.mode === 'sidecar') warnings.push(`${DATAPLANE_MODE_LABEL}=ambient has no effect on pods that get a sidecar`);
    else state = { mode: 'ambient', decidedBy: `${DATAPLANE_MODE_LABEL}=ambient`, warnings };
  }
  return state;
}

/** One line for people: "sidecar injection (revision canary, istio.io/rev=canary)". */
export function describeInjection(state: InjectionState): string {
  const why = state.decidedBy ? `, ${state.decidedBy}` : '';
  if (state.mode === 'sidecar') return `sidecar injection enabled (revision ${state.revision ?? 'default'}${why})`;
  if (state.mode === 'ambient') return `ambient mode (${state.decidedBy})`;
  return `no injection${state.decidedBy ? ` (${state.decidedBy})` : ''}`;
}

export type InjectionChange = { enable: true } | { disable: true } | { revision: string };

/** The labels after enabling, disabling or choosing a revision, as the console's switch does. */
export function applyInjectionChange(labels: Labels, change: InjectionChange): Labels {
  const next = { ...labels };
  if ('revision' in change) {
    // Istio ignores istio.io/rev while istio-injection is present.
    delete next[ISTIO_INJECTION_LABEL];
    next[ISTIO_REVISION_LABEL] = change.revision;
  } else {
    next[ISTIO_INJECTION_LABEL] = 'enable' in change ? 'enabled' : 'disabled';
  }
  return next;
}

/** The injection labels of a namespace, and only those. */
export function injectionLabels(labels: Labels = {}): Labels {
  const picked: Labels = {};
  for (const key of INJECTION_LABELS) if (labels[key] !== undefined) picked[key] = labels[key];
  return picked;
}

/** The cluster names of a homing-clusters annotation value, with what is wrong with the value. */
export function parseHomingClusters(value: string): { clusters: string[]; problems: string[] } {
  const clusters: string[] = [];
  const problems: string[] = [];
  const names = value.split(',').map((n) => n.trim());
  if (names.every((n) => n === '')) {
    problems.push('must name at least one cluster (remove the annotation to home the namespace in every joined cluster)');
    return { clusters, problems };
  }
  for (const name of names) {
    if (name === '') problems.push('a cluster name must not be empty');
    else if (clusters.includes(name)) problems.push(`cluster "${name}" is listed twice`);
    else if (dns1123Label(name).length) problems.push(`"${name}" is not a valid cluster name: ${dns1123Label(name)[0]}`);
    else clusters.push(name);
  }
  return { clusters, problems };
}

/** The homing clusters of a namespace among the joined ones: those it names, or every joined cluster. */
export function homingClusters(namespace: { metadata?: { annotations?: Record<string, string> } }, joined: string[]): string[] {
  const value = namespace.metadata?.annotations?.[HOMING_CLUSTERS_ANNOTATION];
  if (value === undefined) return [...joined];
  const named = new Set(parseHomingClusters(value).clusters);
  return joined.filter((c) => named.has(c));
}

/** Namespaces that belong to one cluster's machinery, never global: kube-*, karmada-*, canopy-*. */
export function isSystemNamespace(name: string): boolean {
  return name.startsWith('kube-') || name.startsWith('karmada-') || name.startsWith('canopy-');
}
