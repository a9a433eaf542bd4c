// One control plane process: state directory, credentials, store, API server, controllers, kubeconfig.
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { Gauge } from 'prom-client';
import { ApiServer } from '../apiserver/server.ts';
import { CONTROLLERS, startControllers, type Role, type StartController } from '../controllers/index.ts';
import { runLeaderElection } from '../controllers/leader-election.ts';
import type { Controller } from '../controllers/runtime.ts';
import { writeKubeconfig } from '../kubeconfig.ts';
import { loadCertificateAuthority, loadOrCreateCredentials } from '../pki/pki.ts';
import { openStore } from '../storage/open.ts';
import { bootstrapSystemObjects } from './bootstrap.ts';
import { startCompactor } from './compactor.ts';
import { lockStateDir, withLock } from './lock.ts';

export interface ControlPlaneOptions {
  dir: string;
  port?: number;
  host?: string;
  store?: string;
  /** Context name in the written kubeconfig. */
  context?: string;
  logLevel?: string;
  /** Store compaction period (0 disables); default 5 minutes, as kube-apiserver. */
  compactionIntervalMs?: number;
  /** A control plane (federation APIs and controllers) or a lightweight member cluster. Default: control plane. */
  role?: Role;
  /** Extra controllers (e.g. the member's workload simulation). */
  extraControllers?: StartController[];
  /** Cluster status controller: probe period (default 10 s), success and failure thresholds (default 30 s each). */
  clusterStatusUpdateFrequencyMs?: number;
  clusterSuccessThresholdMs?: number;
  clusterFailureThresholdMs?: number;
  /** How long a Pull cluster's agent may leave its Lease unrenewed before the cluster is Unknown (default 40 s). */
  clusterMonitorGracePeriodMs?: number;
  /** Execution controller: how often every Work is applied again and its status refreshed (default 30 s). */
  workResyncPeriodMs?: number;
  /**
   * Run the controllers (and store compaction) only while holding the Lease kube-system/canopy-controller-manager,
   * so that several replicas can share one store. Default: on with an etcd store; a SQLite store has one process.
   */
  leaderElect?: boolean;
  leaderElectLeaseDurationMs?: number;
  leaderElectRenewDeadlineMs?: number;
  leaderElectRetryPeriodMs?: number;
}

export const LEADER_ELECTION_LEASE = { namespace: 'kube-system', name: 'canopy-controller-manager' };

export interface ControlPlane {
  url: string;
  port: number;
  kubeconfigPath: string;
  server: ApiServer;
  logger: Logger;
  stop(): Promise<void>;
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logFile = pino.destination({ dest: join(dir, 'canopy.log'), sync: false, mkdir: true });
  await once(logFile, 'ready');
  const logger = pino({ level: options.logLevel ?? 'info' }, logFile);
  const sharedStore = options.store?.startsWith('etcd') ?? false;
  // Replicas on one etcd share the state directory; one on SQLite owns it.
  const unlock = sharedStore ? () => {} : lockStateDir(join(dir, 'canopy.lock'));
  const credentials = await withLock(join(dir, 'credentials.lock'), () => loadOrCreateCredentials(dir));
  const store = await openStore(options.store ?? '', dir);
  const server = new ApiServer({
    store, logger,
    tls: { cert: credentials.servingCert, key: credentials.servingKey, clientCA: credentials.caCert },
    tokens: new Map([[credentials.adminToken, { name: 'admin', groups: ['system:masters'] }]]),
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
  });
  const port = await server.start();
  await bootstrapSystemObjects(server.objects, options.role ?? 'control-plane');
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfigPath, { server: url, caCert: credentials.caCert, token: credentials.adminToken, context: options.context ?? 'canopy' });
  const role = options.role ?? 'control-plane';
  const lead = (): Controller => {
    const stopCompactor = startCompactor(store, options.compactionIntervalMs ?? 5 * 60_000, logger);
    const controllers = startControllers(server.objects, logger, [...CONTROLLERS[role], ...(options.extraControllers ?? [])],
      { ...options, certificateAuthority: loadCertificateAuthority(dir) });
    return {
      async stop() {
        stopCompactor();
        await controllers.stop();
      },
    };
  };
  const leading = options.leaderElect ?? sharedStore
    ? runLeaderElection(server.objects, logger, {
      leaseNamespace: LEADER_ELECTION_LEASE.namespace, leaseName: LEADER_ELECTION_LEASE.name,
      leaseDurationMs: options.leaderElectLeaseDurationMs, renewDeadlineMs: options.leaderElectRenewDeadlineMs,
      retryPeriodMs: options.leaderElectRetryPeriodMs,
      status: new Gauge({
        name: 'leader_election_master_status', help: 'Whether this process leads (1) or not (0), by lease name.',
        labelNames: ['name'], registers: [server.metrics.registry],
      }),
    }, lead)
    : lead();
  logger.info({ url, role }, 'serving');
  return {
    url, port, kubeconfigPath, server, logger,
    async stop() {
      await leading.stop();
      await server.stop();
      await store.close();
      unlock();
      logger.flush();
    },
  };
}
