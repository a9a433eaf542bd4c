// The federation APIs (Karmada's kinds) are served as CustomResourceDefinitions a control plane installs
// at start, from the YAML files beside this one.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ApiError } from '../apiserver/errors.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';

const CRD_DIR = fileURLToPath(new URL('./crds/', import.meta.url));

export function federationCRDs(): KObject[] {
  return readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml')).sort()
    .map((f) => parse(readFileSync(`${CRD_DIR}${f}`, 'utf8')) as KObject);
}

/** Creates each federation CRD, or brings an existing one up to date with this version of Canopy. */
export async function installFederationCRDs(objects: ObjectService): Promise<void> {
  const crds = objects.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  for (const crd of federationCRDs()) {
    try {
      await objects.create(crds, undefined, crd);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
      await objects.modify(crds, undefined, crd.metadata.name, (current) => ({ ...current, spec: crd.spec }));
    }
  }
}
