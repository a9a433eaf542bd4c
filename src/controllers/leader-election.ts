// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics (tools/leaderelection): a
// candidate takes the Lease when it is free, its holder released it, or the holder has not renewed it for
// leaseDuration as seen by this candidate's own clock (the time it last saw the Lease change, never the
// renewTime written by another machine); the leader renews every retryPeriod and gives up, stopping its work at
// once, when no renewal succeeded for renewDeadline; a leader that stops releases the Lease so another replica
// takes over without waiting.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Gauge } from 'prom-client';
import { ApiError } from '../apiserver/errors.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { type Controller, errorText, microTime } from './runtime.ts';

export interface LeaderElectionOptions {
  leaseNamespace: string;
  leaseName: string;
  /** Default: hostname_uuid, as client-go's callers make it. */
  identity?: string;
  /** Upstream defaults (kube-controller-manager): 15 s, 10 s, 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** 1 while leading, 0 otherwise (client-go's leader_election_master_status). */
  status?: Gauge;
}

export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
const JITTER_FACTOR = 1.2;

/** Runs `lead()`'s work only while this process holds the Lease; returns the election itself. */
export function runLeaderElection(objects: ObjectService, logger: Logger, options: LeaderElectionOptions,
  lead: () => Controller): Controller {
  const identity = options.identity ?? `${hostname()}_${randomUUID()}`;
  const leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
  const renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
  const retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
  // client-go's checks (NewLeaderElector), with its texts.
  if (leaseDurationMs <= renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
  if (renewDeadlineMs <= JITTER_FACTOR * retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
  if (retryPeriodMs < 1) throw new Error('retryPeriod must be greater than zero');
  const log = logger.child({ leaderElection: `${options.leaseNamespace}/${options.leaseName}`, identity });
  const leases = objects.registry.lookup('coordination.k8s.io', 'v1', 'leases')!;
  const labels = { name: options.leaseName };
  let observed: { spec: string; at: number } | undefined;
  let work: Controller | undefined;
  let lastRenewal = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  options.status?.set(labels, 0);

  /** One attempt to take or keep the Lease; true when this process holds it afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = Date.now();
    const lease = await objects.tryGet(leases, options.leaseNamespace, options.leaseName);
    const mine = (old: KObject | undefined): KObject => {
      const spec = old?.spec ?? {};
      const taking = spec.holderIdentity !== identity;
      return {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
        acquireTime: taking ? microTime(now) : spec.acquireTime ?? microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (taking && spec.holderIdentity ? 1 : 0),
      };
    };
    if (!lease) {
      await objects.create(leases, options.leaseNamespace, {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: options.leaseName, namespace: options.leaseNamespace }, spec: mine(undefined),
      });
      observed = undefined;
      return true;
    }
    const spec = JSON.stringify(lease.spec ?? {});
    if (observed?.spec !== spec) observed = { spec, at: now };
    const holder: string | undefined = lease.spec?.holderIdentity;
    const heldElsewhere = holder && holder !== identity;
    const duration = (lease.spec?.leaseDurationSeconds ?? leaseDurationMs / 1000) * 1000;
    if (heldElsewhere && observed.at + duration > now) return false;
    await objects.modify(leases, options.leaseNamespace, options.leaseName, (current) => ({
      ...current,
      // The precondition: nobody changed the Lease since it was read.
      metadata: { ...current.metadata, resourceVersion: lease.metadata.resourceVersion },
      spec: mine(lease),
    }));
    return true;
  }

  function startLeading(): void {
    log.info('became leader; starting controllers');
    options.status?.set(labels, 1);
    work = lead();
  }

  async function stopLeading(reason: string): Promise<void> {
    if (!work) return;
    log.warn({ reason }, 'stopped leading; stopping controllers');
    options.status?.set(labels, 0);
    const leading = work;
    work = undefined;
    await leading.stop();
  }

  async function round(): Promise<void> {
    let outcome: 'held' | 'elsewhere' | 'failed';
    try {
      outcome = await tryAcquireOrRenew() ? 'held' : 'elsewhere';
    } catch (e) {
      outcome = 'failed';
      if (!(e instanceof ApiError && e.code === 409)) log.warn({ err: errorText(e) }, 'lease update failed');
    }
    if (stopped) return;
    if (outcome === 'held') {
      lastRenewal = Date.now();
      if (!work) startLeading();
    } else if (outcome === 'elsewhere') {
      await stopLeading('the lease is held by another candidate');
    } else if (Date.now() - lastRenewal >= renewDeadlineMs) {
      await stopLeading('failed to renew the lease within the renew deadline');
    }
  }

  function loop(): void {
    if (stopped) return;
    round().catch((e) => log.error({ err: errorText(e) }, 'leader election round failed')).finally(() => {
      if (stopped) return;
      // Leaders renew every retryPeriod; candidates retry with client-go's jitter.
      const delay = work ? retryPeriodMs : retryPeriodMs * (1 + Math.random() * (JITTER_FACTOR - 1));
      timer = setTimeout(loop, delay);
      timer.unref();
    });
  }
  loop();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const wasLeading = Boolean(work);
      await stopLeading('shutting down');
      if (wasLeading) await release().catch((e) => log.warn({ err: errorText(e) }, 'could not release the lease'));
    },
  };

  /** Gives the Lease up (client-go's ReleaseOnCancel): no holder, so another candidate takes it at once. */
  async function release(): Promise<void> {
    const now = microTime(Date.now());
    await objects.modify(leases, options.leaseNamespace, options.leaseName, (current) => {
      if (current.spec?.holderIdentity !== identity) return current;
      const { holderIdentity: _h, ...rest } = current.spec;
      return { ...current, spec: { ...rest, leaseDurationSeconds: 1, renewTime: now, acquireTime: now } };
    });
  }
}
