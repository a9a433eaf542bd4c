// Leader election between real candidates on one real store (SQLite), with short durations; only outcomes are
// asserted, never how long they took.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { ObjectService } from '../registry/objects.ts';
import { Registry } from '../registry/registry.ts';
import { SqliteStore } from '../storage/sqlite.ts';
import { runLeaderElection, type LeaderElectionOptions } from './leader-election.ts';
import type { Controller } from './runtime.ts';

const logger = pino({ level: 'silent' });
const FAST = { leaseDurationMs: 900, renewDeadlineMs: 600, retryPeriodMs: 100 };
const LEASE = { leaseNamespace: 'kube-system', leaseName: 'test-leader' };

async function services(): Promise<ObjectService> {
  const objects = new ObjectService(SqliteStore.open(':memory:'), new Registry());
  await objects.create(objects.registry.lookup('', 'v1', 'namespaces')!, undefined, { metadata: { name: 'kube-system' } });
  return objects;
}

async function eventually(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A candidate whose "controllers" only record whether they run. */
function candidate(objects: ObjectService, identity: string, options: Partial<LeaderElectionOptions> = {}) {
  const state = { running: false, starts: 0, election: undefined as unknown as Controller };
  state.election = runLeaderElection(objects, logger, { ...LEASE, ...FAST, identity, ...options }, () => {
    state.running = true;
    state.starts++;
    return { async stop() { state.running = false; } };
  });
  return state;
}

const leases = (objects: ObjectService) => objects.registry.lookup('coordination.k8s.io', 'v1', 'leases')!;
const lease = (objects: ObjectService) => objects.tryGet(leases(objects), 'kube-system', 'test-leader');

describe('leader election', () => {
  it('one of two candidates leads; when it stops, it releases the Lease and the other takes over', async () => {
    const objects = await services();
    const a = candidate(objects, 'a');
    const b = candidate(objects, 'b');
    await eventually('a leader', () => a.running || b.running);
    const [leader, follower] = a.running ? [a, b] : [b, a];
    const held = await lease(objects);
    assert.equal(held!.spec.holderIdentity, leader === a ? 'a' : 'b');
    assert.equal(held!.spec.leaseDurationSeconds, 1);
    assert.match(held!.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(held!.spec.leaseTransitions, 0);
    // The leader keeps renewing; the follower never starts meanwhile.
    const renewed = held!.spec.renewTime;
    await eventually('a renewal', async () => (await lease(objects))!.spec.renewTime !== renewed);
    assert.equal(follower.running, false);

    await leader.election.stop();
    assert.equal(leader.running, false);
    assert.equal((await lease(objects))!.spec.holderIdentity, undefined, 'released');
    await eventually('the follower leads', () => follower.running);
    const taken = await lease(objects);
    assert.equal(taken!.spec.holderIdentity, follower === a ? 'a' : 'b');
    assert.equal(taken!.spec.leaseTransitions, 0, 'a released Lease has no holder to transition from');
    await follower.election.stop();
  });

  it('waits for a Lease another holder stops renewing, and counts the transition', async () => {
    const objects = await services();
    const now = () => new Date().toISOString().replace('Z', '000Z');
    await objects.create(leases(objects), 'kube-system', {
      metadata: { name: 'test-leader' },
      spec: { holderIdentity: 'gone', leaseDurationSeconds: 3, acquireTime: now(), renewTime: now(), leaseTransitions: 3 },
    });
    const c = candidate(objects, 'c');
    // While "gone" keeps renewing, c must not lead.
    for (let i = 0; i < 8; i++) {
      await objects.modify(leases(objects), 'kube-system', 'test-leader', (l) => ({ ...l, spec: { ...l.spec, renewTime: now() } }));
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(c.running, false);
    }
    await eventually('c leads once the holder stopped renewing', () => c.running);
    const taken = await lease(objects);
    assert.equal(taken!.spec.holderIdentity, 'c');
    assert.equal(taken!.spec.leaseTransitions, 4);
    await c.election.stop();
  });

  it('a leader that finds the Lease taken stops its controllers at once', async () => {
    const objects = await services();
    const d = candidate(objects, 'd');
    await eventually('d leads', () => d.running);
    await objects.modify(leases(objects), 'kube-system', 'test-leader', (l) => ({ ...l, spec: { ...l.spec, holderIdentity: 'usurper', renewTime: new Date().toISOString().replace('Z', '000Z') } }));
    await eventually('d stops', () => !d.running);
    assert.equal(d.starts, 1);
    await d.election.stop();
    assert.equal((await lease(objects))!.spec.holderIdentity, 'usurper', 'stopping does not release a Lease it does not hold');
  });

  it('rejects durations client-go rejects', async () => {
    const objects = await services();
    assert.throws(() => candidate(objects, 'x', { leaseDurationMs: 1000, renewDeadlineMs: 1000 }), /leaseDuration must be greater than renewDeadline/);
    assert.throws(() => candidate(objects, 'x', { leaseDurationMs: 3000, renewDeadlineMs: 1000, retryPeriodMs: 900 }), /renewDeadline must be greater than retryPeriod\*JitterFactor/);
  });
});
