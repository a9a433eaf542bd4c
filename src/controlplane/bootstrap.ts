// Objects every Kubernetes API server has from the start: the system namespaces.
import { ApiError } from '../apiserver/errors.ts';
import type { ObjectService } from '../registry/objects.ts';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrapSystemObjects(objects: ObjectService): Promise<void> {
  const namespaces = objects.registry.lookup('', 'v1', 'namespaces')!;
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await objects.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    }
  }
}
