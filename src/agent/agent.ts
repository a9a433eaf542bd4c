// canopy agent: beside a Pull member, as karmada-agent. It registers the Cluster (syncMode Pull) on the control
// plane, renews the cluster Lease karmada-cluster/<cluster> (the control plane marks the cluster Unknown when it
// stops), and runs the very code the control plane runs for Push clusters — cluster status and execution — over
// HTTPS against the control plane, with the member reached through its own kubeconfig. The control plane never
// dials the member.
import type { Logger } from 'pino';
import { ApiError } from '../apiserver/errors.ts';
import { runClusterStatus, type ClusterStatusOptions } from '../controllers/cluster.ts';
import { CLUSTERS, type ControlPlaneApi, httpApi, LEASES } from '../controllers/control-plane-api.ts';
import { runExecution } from '../controllers/execution.ts';
import { executionSpaceName } from '../controllers/execution-namespace.ts';
import { type Controller, errorText, microTime } from '../controllers/runtime.ts';
import { CLUSTER_SECRETS_NAMESPACE as CLUSTER_LEASE_NAMESPACE } from '../controlplane/bootstrap.ts';
import type { MemberClient } from '../members/client.ts';
import { DEFAULT_ROTATION, rotateCredential, type RotationOptions } from './credential.ts';
import type { KObject } from '../registry/objects.ts';

/** karmada-agent's cluster lease: 40 s, renewed every quarter of it. */
export const DEFAULT_CLUSTER_LEASE_DURATION_SECONDS = 40;
const LEASE_RENEW_FRACTION = 0.25;

export interface AgentOptions {
  clusterName: string;
  controlPlane: MemberClient;
  member: MemberClient;
  logger: Logger;
  leaseDurationSeconds?: number;
  status?: ClusterStatusOptions;
  workResyncPeriodMs?: number;
  /** The kubeconfig file controlPlane was read from, to renew its client certificate in before it expires. */
  credentialFile?: string;
  rotation?: RotationOptions;
}

export class AgentError extends Error {}

export async function startAgent(options: AgentOptions): Promise<Controller> {
  const name = options.clusterName;
  const api = httpApi(options.controlPlane);
  const log = options.logger.child({ agent: name });
  const cluster = await register(api, name, options.member.server);
  const lease = renewLease(api, cluster, options.leaseDurationSeconds ?? DEFAULT_CLUSTER_LEASE_DURATION_SECONDS, log);
  const member = { version: 'agent', client: options.member, secrets: [] };
  const status = runClusterStatus({
    api, duty: (c) => (c.metadata.name === name ? 'probe' : 'none'), clientFor: async () => member, manageTaints: false, only: name,
  }, options.logger, options.status ?? {});
  const execution = runExecution({
    api, accepts: (c) => (c.metadata.name === name ? 'apply' : 'other'), clientFor: async () => member,
    only: { namespace: executionSpaceName(name), cluster: name },
  }, options.logger, { workResyncPeriodMs: options.workResyncPeriodMs });
  const rotation = options.credentialFile
    ? rotateCredential(options.credentialFile, options.controlPlane, name, options.rotation ?? DEFAULT_ROTATION, log)
    : undefined;
  log.info('agent started');
  return {
    async stop() {
      rotation?.stop();
      lease.stop();
      await Promise.all([status.stop(), execution.stop()]);
    },
  };
}

/** Adopts the Cluster `canopy register` made (or this agent before), or creates it in Pull mode if allowed. */
async function register(api: ControlPlaneApi, name: string, apiEndpoint: string): Promise<KObject> {
  const existing = await api.get(CLUSTERS, undefined, name);
  if (existing) {
    if (existing.spec?.syncMode !== 'Pull') {
      throw new AgentError(`cluster "${name}" is joined in ${existing.spec?.syncMode ?? 'another'} mode; unjoin it before running an agent for it`);
    }
    if (existing.metadata.deletionTimestamp) throw new AgentError(`cluster "${name}" is being removed from the control plane`);
    return existing;
  }
  try {
    return await api.create(CLUSTERS, undefined, {
      apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name }, spec: { syncMode: 'Pull', apiEndpoint },
    });
  } catch (e) {
    if (e instanceof ApiError && e.code === 409) return register(api, name, apiEndpoint);
    throw e;
  }
}

/** Keeps karmada-cluster/<cluster> renewed, as karmada-agent's cluster lease controller. */
function renewLease(api: ControlPlaneApi, cluster: KObject, durationSeconds: number, log: Logger): { stop(): void } {
  const name: string = cluster.metadata.name;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const renew = async () => {
    const now = microTime(Date.now());
    try {
      await api.modify(LEASES, CLUSTER_LEASE_NAMESPACE, name, (lease) => ({
        ...lease, spec: { ...lease.spec, holderIdentity: name, leaseDurationSeconds: durationSeconds, renewTime: now },
      }));
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
      await api.create(LEASES, CLUSTER_LEASE_NAMESPACE, {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: {
          name, namespace: CLUSTER_LEASE_NAMESPACE,
          ownerReferences: [{ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', name, uid: cluster.metadata.uid }],
        },
        spec: { holderIdentity: name, leaseDurationSeconds: durationSeconds, renewTime: now },
      });
    }
  };
  const loop = () => {
    renew().catch((e) => log.warn({ err: errorText(e) }, 'cluster lease renewal failed')).finally(() => {
      if (stopped) return;
      timer = setTimeout(loop, durationSeconds * 1000 * LEASE_RENEW_FRACTION);
      timer.unref();
    });
  };
  loop();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
