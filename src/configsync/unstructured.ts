// NamespaceSelectors in an unstructured repo (pkg/validate/scoped/hydrate/namespace_hydrator.go, static mode): an
// object with a selector is copied into each Namespace the repo declares whose labels match; a namespaced object with
// neither namespace nor selector lands in `default`. The NamespaceSelectors themselves are not synced.
import { matches } from '../apiserver/selectors.ts';
import * as knv from './knv.ts';
import { ANNOTATION, annotationsOf, cloneFileObject, type FileObject, isKind, labelsOf, NAMESPACE, NAMESPACE_SELECTOR, nameOf, namespaceOf } from './objects.ts';
import { sourceOf } from './raw-validation.ts';
import { isKnvError, selectorOf } from './selector.ts';
import type { ScopedObject } from './tree.ts';

const DEFAULT_NAMESPACE = 'default';

export function selectUnstructuredNamespaces(scoped: readonly ScopedObject[]): { objects: FileObject[]; errors: knv.KnvError[] } {
  const errors: knv.KnvError[] = [];
  const namespaces = scoped.filter(({ fo }) => isKind(fo.object, NAMESPACE)).map(({ fo }) => fo);
  const selected = new Map<string, string[]>();
  for (const { fo } of scoped.filter((s) => isKind(s.fo.object, NAMESPACE_SELECTOR))) {
    const selector = selectorOf(fo, true);
    if (isKnvError(selector)) errors.push(selector);
    else selected.set(nameOf(fo.object), namespaces.filter((ns) => matches(selector, labelsOf(ns.object))).map((ns) => nameOf(ns.object)));
  }
  if (errors.length) return { objects: [], errors };
  const objects: FileObject[] = [];
  for (const { fo, scope } of scoped) {
    if (isKind(fo.object, NAMESPACE_SELECTOR)) continue;
    const selectorName = annotationsOf(fo.object)[ANNOTATION.namespaceSelector];
    if (scope !== 'namespace') {
      objects.push(fo);
    } else if (selectorName === undefined) {
      if (!namespaceOf(fo.object)) fo.object.metadata.namespace = DEFAULT_NAMESPACE;
      objects.push(fo);
    } else {
      const targets = selected.get(selectorName);
      if (!targets) errors.push(knv.objectHasUnknownNamespaceSelector(sourceOf(fo), selectorName));
      for (const ns of targets ?? []) {
        const copy = cloneFileObject(fo);
        copy.object.metadata.namespace = ns;
        objects.push(copy);
      }
    }
  }
  return errors.length ? { objects: [], errors } : { objects, errors };
}
