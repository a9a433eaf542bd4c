// Checks of the final objects of a cluster (pkg/validate/final): unique names, and no managed objects in a Namespace
// declared unmanaged.
import * as knv from './knv.ts';
import {
  ANNOTATION, annotationsOf, type FileObject, groupOf, isKind, MANAGEMENT_DISABLED, NAMESPACE, nameOf, namespaceOf,
} from './objects.ts';
import { sourceOf } from './raw-validation.ts';

function duplicateNameErrors(objects: readonly FileObject[]): knv.KnvError[] {
  const groups = new Map<string, FileObject[]>();
  for (const fo of objects) {
    const key = JSON.stringify([groupOf(fo.object), fo.object.kind, namespaceOf(fo.object), nameOf(fo.object)]);
    groups.set(key, [...(groups.get(key) ?? []), fo]);
  }
  const errors: knv.KnvError[] = [];
  for (const duplicates of groups.values()) {
    if (duplicates.length < 2) continue;
    const sources = duplicates.map((fo) => sourceOf(fo));
    const first = duplicates[0]!.object;
    if (isKind(first, NAMESPACE)) errors.push(knv.namespaceCollision(sources));
    else if (namespaceOf(first) === '') errors.push(knv.clusterMetadataNameCollision(sources));
    else errors.push(knv.namespaceMetadataNameCollision(sources));
  }
  return errors;
}

const isUnmanaged = (fo: FileObject) => annotationsOf(fo.object)[ANNOTATION.managementMode] === MANAGEMENT_DISABLED;

function unmanagedNamespaceErrors(objects: readonly FileObject[]): knv.KnvError[] {
  const unmanaged = new Map<string, FileObject[]>();
  for (const fo of objects) if (isKind(fo.object, NAMESPACE) && isUnmanaged(fo)) unmanaged.set(nameOf(fo.object), []);
  for (const fo of objects) {
    const managedIn = unmanaged.get(namespaceOf(fo.object));
    if (managedIn && !isUnmanaged(fo)) managedIn.push(fo);
  }
  return [...unmanaged].filter(([, managed]) => managed.length)
    .map(([namespace, managed]) => knv.managedResourceInUnmanagedNamespace(namespace, managed.map((fo) => sourceOf(fo))));
}

export function finalValidationErrors(objects: readonly FileObject[]): knv.KnvError[] {
  return [...duplicateNameErrors(objects), ...unmanagedNamespaceErrors(objects)];
}
