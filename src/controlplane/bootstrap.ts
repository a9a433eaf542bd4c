// Objects a server has from the start: the system namespaces and HNC's SubnamespaceAnchor CRD; on a control plane
// also the federation APIs and the namespaces holding member cluster credentials and Config Sync's RootSyncs
// (config-management-system).
import { bootstrapRbacPolicy } from '../apiserver/authz/bootstrap-roles.ts';
import { ApiError } from '../apiserver/errors.ts';
import { CONTROLLER_NAMESPACE } from '../configsync/objects.ts';
import type { Role } from '../controllers/index.ts';
import { installFederationCRDs } from '../federation/install.ts';
import { installHncCRDs } from '../hnc/install.ts';
import type { ObjectService } from '../registry/objects.ts';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
/** Karmada keeps member cluster credentials in karmada-cluster. */
export const CLUSTER_SECRETS_NAMESPACE = 'karmada-cluster';

export async function bootstrapSystemObjects(objects: ObjectService, role: Role): Promise<void> {
  const namespaces = objects.registry.lookup('', 'v1', 'namespaces')!;
  const wanted = role === 'control-plane' ? [...SYSTEM_NAMESPACES, CLUSTER_SECRETS_NAMESPACE, CONTROLLER_NAMESPACE] : SYSTEM_NAMESPACES;
  if (role === 'control-plane') await installFederationCRDs(objects);
  await installHncCRDs(objects);
  for (const name of wanted) {
    try {
      await objects.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    }
  }
  await bootstrapRbacPolicy(objects);
}
