// The tables of controllers: what every server runs, and what only a control plane or a member runs.
import type { Logger } from 'pino';
import { rootSyncController } from '../configsync/sync/controller.ts';
import { subnamespaceController } from '../hnc/controller.ts';
import type { ObjectService } from '../registry/objects.ts';
import type { CertificateAuthority } from '../pki/pki.ts';
import { bindingController } from './binding.ts';
import { certificatesController } from './certificates.ts';
import { clusterStatusController, type ClusterStatusOptions } from './cluster.ts';
import { clusterRoleAggregationController } from './clusterrole-aggregation.ts';
import { crdController } from './crd.ts';
import { resourceDetector } from './detector.ts';
import { executionController } from './execution.ts';
import { executionNamespaceController } from './execution-namespace.ts';
import { garbageCollector } from './garbagecollector.ts';
import { globalNamespaceController } from './global-namespace.ts';
import { namespaceController } from './namespace.ts';
import { namespaceSyncController } from './namespace-sync.ts';
import type { Controller } from './runtime.ts';
import { schedulerController } from './scheduler.ts';
import { workloadSimulation } from './simulation.ts';

/** Settings a controller may read (from the server's options). */
export type ControllerSettings = ClusterStatusOptions & {
  /** The server's state directory (the RootSync controller keeps its Git mirrors there). */
  dir?: string;
  /** Signs approved client certificate requests. */
  certificateAuthority?: CertificateAuthority;
};

export type StartController = (objects: ObjectService, logger: Logger, settings?: ControllerSettings) => Controller;

/** Controllers every Kubernetes API server needs. */
const COMMON: StartController[] = [namespaceController, garbageCollector, crdController, clusterRoleAggregationController,
  subnamespaceController];

export const CONTROLLERS = {
  'control-plane': [...COMMON, clusterStatusController,
    executionNamespaceController, resourceDetector, schedulerController, bindingController, executionController,
    globalNamespaceController, namespaceSyncController, certificatesController, rootSyncController],
  member: [...COMMON],
} satisfies Record<string, StartController[]>;

export type Role = keyof typeof CONTROLLERS;

/** A local member's simulated kubelet and workload controllers (pods reported ready). */
export const MEMBER_SIMULATION: StartController[] = [workloadSimulation];

export function startControllers(objects: ObjectService, logger: Logger, controllers: StartController[],
  settings: ControllerSettings = {}): Controller {
  const running = controllers.map((start) => start(objects, logger, settings));
  return {
    async stop() {
      await Promise.all(running.map((c) => c.stop()));
    },
  };
}
