// Writing hydrated objects as nomos hydrate does (pkg/hydrate): Config Sync's own metadata removed, one file per
// object named `[<cluster>/][<namespace>/]<kind>_<name>.<format>` in lower case (`<kind>.<group>_<name>` where two
// objects would share a name), YAML documents or a JSON List with sorted keys.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { sortKeys } from '../gofmt.ts';
import {
  ANNOTATION, DEPTH_LABEL_SUFFIX, type FileObject, groupOf, hasConfigSyncPrefix, isKind, type KObject, NAMESPACE, nameOf,
  namespaceOf,
} from './objects.ts';

export type OutputFormat = 'yaml' | 'json';

export interface ClusterObjects {
  cluster: string;
  objects: readonly FileObject[];
}

/** The object as nomos hydrate prints it (hydrate.Clean): without Config Sync's annotations, labels and tree labels. */
function cleanForOutput(source: KObject): KObject {
  const object = structuredClone(source);
  const metadata = object.metadata;
  const isNamespace = isKind(object, NAMESPACE);
  const annotations: Record<string, string> = { ...metadata.annotations };
  if (isNamespace && ANNOTATION.hncManagedBy in annotations) {
    const original = annotations[ANNOTATION.originalHncManagedBy];
    if (original === undefined) delete annotations[ANNOTATION.hncManagedBy];
    else annotations[ANNOTATION.hncManagedBy] = original;
  }
  for (const k of Object.keys(annotations)) if (hasConfigSyncPrefix(k) && k !== ANNOTATION.managementMode) delete annotations[k];
  const labels: Record<string, string> = { ...metadata.labels };
  for (const k of Object.keys(labels)) {
    if (hasConfigSyncPrefix(k) || (isNamespace && k.endsWith(DEPTH_LABEL_SUFFIX))) delete labels[k];
  }
  setOrDelete(metadata, 'annotations', annotations);
  setOrDelete(metadata, 'labels', labels);
  delete object.status;
  delete metadata.creationTimestamp;
  return object;
}

function setOrDelete(metadata: KObject, field: string, map: Record<string, string>): void {
  if (Object.keys(map).length) metadata[field] = map;
  else delete metadata[field];
}

function fileName(object: KObject, format: OutputFormat, cluster: string | undefined, withGroup: boolean): string {
  const kind = withGroup ? `${object.kind}.${groupOf(object)}` : object.kind;
  const parts = [cluster, namespaceOf(object) || undefined, `${kind}_${nameOf(object)}.${format}`];
  return parts.filter((p) => p !== undefined).join('/').toLowerCase();
}

/** Each object's output path (hydrate.generateUniqueFileNames); cluster directories when there are several clusters. */
export function outputFiles(clusters: readonly ClusterObjects[], format: OutputFormat): Map<string, KObject[]> {
  const multiCluster = clusters.length > 1;
  const entries = clusters.flatMap(({ cluster, objects }) => objects.map(({ object }) => ({
    object, cluster: multiCluster ? cluster : undefined,
  })));
  const counts = new Map<string, number>();
  for (const e of entries) {
    const path = fileName(e.object, format, e.cluster, false);
    counts.set(path, (counts.get(path) ?? 0) + 1);
  }
  const files = new Map<string, KObject[]>();
  for (const e of entries) {
    let path = fileName(e.object, format, e.cluster, false);
    if (counts.get(path)! > 1) path = fileName(e.object, format, e.cluster, true);
    files.set(path, [...(files.get(path) ?? []), cleanForOutput(e.object)]);
  }
  return files;
}

/** The content of one output file (hydrate.PrintFile). */
export function renderFile(objects: readonly KObject[], format: OutputFormat): string {
  if (format === 'json') return JSON.stringify(sortKeys({ apiVersion: 'v1', items: objects, kind: 'List' }), null, '\t');
  return objects.map((o) => `---\n${stringify(sortKeys(o), { indentSeq: false, lineWidth: 0 })}`).join('');
}

/** Writes every file under dir; returns the paths written, relative to dir. */
export function writeOutput(dir: string, files: ReadonlyMap<string, readonly KObject[]>, format: OutputFormat): string[] {
  const created = new Set<string>();
  for (const [path, objects] of files) {
    const target = join(dir, path);
    if (!created.has(dirname(target))) {
      mkdirSync(dirname(target), { recursive: true });
      created.add(dirname(target));
    }
    writeFileSync(target, renderFile(objects, format));
  }
  return [...files.keys()];
}
