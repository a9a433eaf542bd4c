// Matching as Karmada's pkg/util does it: resource selectors against resource templates (with the implicit
// priority of the match) and cluster affinities against Clusters. Pure functions over plain objects.
import { labelSelectorFromObject, matches, type LabelSelectorObject } from '../apiserver/selectors.ts';
import type { KObject } from '../registry/objects.ts';

export interface ResourceSelector {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  labelSelector?: LabelSelectorObject;
}

/** How specifically a selector matched (upstream's ImplicitPriority). */
export const PRIORITY_MISMATCH = 0;
export const PRIORITY_MATCH_ALL = 1;
export const PRIORITY_MATCH_LABEL_SELECTOR = 2;
export const PRIORITY_MATCH_NAME = 3;

/** The implicit priority of one selector for a template; a set name decides alone, an empty selector matches all. */
export function selectorPriority(template: KObject, selector: ResourceSelector): number {
  const meta = template.metadata ?? {};
  if (template.apiVersion !== selector.apiVersion || template.kind !== selector.kind) return PRIORITY_MISMATCH;
  if (selector.namespace && (meta.namespace ?? '') !== selector.namespace) return PRIORITY_MISMATCH;
  if (selector.name) return selector.name === meta.name ? PRIORITY_MATCH_NAME : PRIORITY_MISMATCH;
  if (!selector.labelSelector) return PRIORITY_MATCH_ALL;
  try {
    return matches(labelSelectorFromObject(selector.labelSelector), meta.labels) ? PRIORITY_MATCH_LABEL_SELECTOR : PRIORITY_MISMATCH;
  } catch {
    return PRIORITY_MISMATCH;
  }
}

/** The best implicit priority over selectors (PRIORITY_MISMATCH when none matches). */
export function selectorsPriority(template: KObject, selectors: ResourceSelector[] | undefined): number {
  let best = PRIORITY_MISMATCH;
  for (const s of selectors ?? []) best = Math.max(best, selectorPriority(template, s));
  return best;
}

export function selectorsMatch(template: KObject, selectors: ResourceSelector[] | undefined): boolean {
  return selectorsPriority(template, selectors) > PRIORITY_MISMATCH;
}

export interface ClusterAffinity {
  clusterNames?: string[];
  exclude?: string[];
  labelSelector?: LabelSelectorObject;
  fieldSelector?: { matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
}

/** Whether a Cluster satisfies an affinity: exclude, labelSelector, fieldSelector and clusterNames, all ANDed. */
export function clusterMatches(cluster: KObject, affinity: ClusterAffinity | undefined): boolean {
  if (!affinity) return true;
  const name: string = cluster.metadata?.name;
  if ((affinity.exclude ?? []).includes(name)) return false;
  if (affinity.labelSelector) {
    try {
      if (!matches(labelSelectorFromObject(affinity.labelSelector), cluster.metadata?.labels)) return false;
    } catch {
      return false;
    }
  }
  for (const expr of affinity.fieldSelector?.matchExpressions ?? []) {
    if (!fieldRequirementMatches(cluster, expr)) return false;
  }
  const names = affinity.clusterNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** The values a cluster has for a field selector key (provider, region, zone). */
function clusterFieldValues(cluster: KObject, key: string): string[] | undefined {
  const spec = cluster.spec ?? {};
  switch (key) {
    case 'provider': return spec.provider ? [spec.provider] : [];
    case 'region': return spec.region ? [spec.region] : [];
    case 'zone': return Array.isArray(spec.zones) && spec.zones.length ? spec.zones : spec.zone ? [spec.zone] : [];
    default: return undefined;
  }
}

function fieldRequirementMatches(cluster: KObject, expr: { key: string; operator: string; values?: string[] }): boolean {
  const values = clusterFieldValues(cluster, expr.key);
  if (values === undefined) return false;
  const wanted = expr.values ?? [];
  switch (expr.operator) {
    case 'In': return values.length > 0 && values.every((v) => wanted.includes(v));
    case 'NotIn': return values.every((v) => !wanted.includes(v));
    case 'Exists': return values.length > 0;
    case 'DoesNotExist': return values.length === 0;
    default: return false;
  }
}
