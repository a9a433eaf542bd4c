// HNC's SubnamespaceAnchor is served as a CustomResourceDefinition every server (control plane and member)
// installs at start, from the YAML file beside this one.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ApiError } from '../apiserver/errors.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';

const ANCHOR_CRD_FILE = new URL('./crds/subnamespaceanchors.hnc.x-k8s.io.yaml', import.meta.url);

/** Creates the SubnamespaceAnchor CRD, or brings an existing one up to date with this version of Canopy. */
export async function installHncCRDs(objects: ObjectService): Promise<void> {
  const crds = objects.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  const crd = parse(readFileSync(ANCHOR_CRD_FILE, 'utf8')) as KObject;
  try {
    await objects.create(crds, undefined, crd);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 409)) throw e;
    await objects.modify(crds, undefined, crd.metadata.name, (current) => ({ ...current, spec: crd.spec }));
  }
}
