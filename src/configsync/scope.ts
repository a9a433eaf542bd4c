// Whether a kind is cluster- or namespace-scoped, as nomos vet decides without an API server: the built-in kinds,
// Config Sync's own kinds, and the CustomResourceDefinitions declared in the repo. Anything else is unknown.
import { BUILTIN_RESOURCES } from '../registry/builtins.ts';
import {
  CLUSTER, CLUSTER_SELECTOR, CUSTOM_RESOURCE_DEFINITION, type FileObject, type GroupKind, HIERARCHY_CONFIG,
  isKind, NAMESPACE_SELECTOR, REPO,
} from './objects.ts';

export type Scope = 'cluster' | 'namespace' | 'unknown';

const key = (gk: GroupKind) => `${gk.group}/${gk.kind}`;

const KNOWN: ReadonlyMap<string, Scope> = new Map([
  ...BUILTIN_RESOURCES.map((r): [string, Scope] => [key(r), r.namespaced ? 'namespace' : 'cluster']),
  ...[CLUSTER, CLUSTER_SELECTOR, NAMESPACE_SELECTOR, HIERARCHY_CONFIG, REPO].map((gk): [string, Scope] => [key(gk), 'cluster']),
]);

/** A scope lookup for the given objects: the known kinds plus the CRDs among the objects. */
export function scoper(objects: readonly FileObject[]): (gk: GroupKind) => Scope {
  const declared = new Map(KNOWN);
  for (const { object } of objects) {
    if (!isKind(object, CUSTOM_RESOURCE_DEFINITION)) continue;
    const group = object.spec?.group;
    const kind = object.spec?.names?.kind;
    if (typeof group === 'string' && typeof kind === 'string') {
      declared.set(key({ group, kind }), object.spec?.scope === 'Namespaced' ? 'namespace' : 'cluster');
    }
  }
  return (gk) => declared.get(key(gk)) ?? 'unknown';
}

