// Checks once each object's scope is known (pkg/validate/scoped): cluster-scoped objects have no namespace and no
// NamespaceSelector, namespaced ones not both, NamespaceSelector names are unique. Objects of unknown scope are marked.
import * as knv from './knv.ts';
import { ANNOTATION, annotationsOf, type FileObject, groupKind, isKind, NAMESPACE_SELECTOR, nameOf, namespaceOf, setAnnotation } from './objects.ts';
import { sourceOf } from './raw-validation.ts';
import { scoper } from './scope.ts';
import type { ScopedObject } from './tree.ts';

export function scopeObjects(objects: readonly FileObject[]): { scoped: ScopedObject[]; errors: knv.KnvError[] } {
  const scopeOf = scoper(objects);
  const errors: knv.KnvError[] = [];
  const selectorsByName = new Map<string, FileObject[]>();
  const scoped = objects.map((fo): ScopedObject => {
    const scope = scopeOf(groupKind(fo.object));
    const hasSelector = ANNOTATION.namespaceSelector in annotationsOf(fo.object);
    if (scope === 'cluster') {
      if (namespaceOf(fo.object)) errors.push(knv.illegalNamespaceOnClusterScopedResource(sourceOf(fo)));
      else if (hasSelector) errors.push(knv.illegalNamespaceSelectorAnnotation(sourceOf(fo)));
      if (isKind(fo.object, NAMESPACE_SELECTOR)) selectorsByName.set(nameOf(fo.object), [...(selectorsByName.get(nameOf(fo.object)) ?? []), fo]);
    } else if (scope === 'namespace') {
      if (namespaceOf(fo.object) && hasSelector) errors.push(knv.namespaceAndSelectorResource(sourceOf(fo)));
    } else {
      setAnnotation(fo.object, ANNOTATION.unknownScope, 'true');
    }
    return { fo, scope };
  });
  for (const duplicates of selectorsByName.values()) {
    if (duplicates.length > 1) errors.push(knv.selectorMetadataNameCollision(duplicates.map((fo) => sourceOf(fo))));
  }
  return { scoped, errors };
}
