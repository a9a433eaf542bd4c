// Propagation latency: from the create of a ConfigMap template on the control plane to the object existing on
// every member, for 1, 10 and 100 local members (all hosted by one bench/member-host.ts process), in Push mode (the
// control plane applies) and in Pull mode (an agent per member applies; all in one bench/agent-host.ts process).
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { parse } from 'yaml';
import { controlPlaneClient, joinCluster } from '../src/clusters/membership.ts';
import { onEachLine } from '../src/lines.ts';
import { Client } from './client.ts';
import type { Figure } from './figure.ts';
import { configMap, configMapsPath, createNamespace } from './objects.ts';
import { type AgentHost, startAgentHost, startCanopy, startMemberHost, type Canopy } from './processes.ts';

export type Mode = 'Push' | 'Pull';
import { now, Samples } from './stats.ts';

/** p99 at 100 members must stay below this (Karmada reports p99 1.3 s in Push mode, 989 ms in Pull mode, at 100 clusters). */
const TARGET_P99_MS = 1000;
const TARGET_MEMBERS = 100;
const SAMPLES: Record<number, number> = { 1: 100, 10: 100, 100: 40 };
const DEFAULT_SAMPLES = 40;
/** BENCH_PROPAGATION_SAMPLES=N takes N samples at every member count instead. */
const samplesOverride = Number(process.env.BENCH_PROPAGATION_SAMPLES ?? '') || undefined;
const SAMPLE_TIMEOUT_MS = 30_000;
const READY_TIMEOUT_MS = 120_000;
const JOIN_CONCURRENCY = 8;
const CLUSTERS = '/apis/cluster.karmada.io/v1alpha1/clusters';

interface Member {
  name: string;
  url: string;
  ca: string;
  token: string;
  kubeconfig: string;
}

function memberOf(m: { name: string; url: string; kubeconfig: string }): Member {
  const config = parse(readFileSync(m.kubeconfig, 'utf8'));
  return {
    ...m, token: config.users[0].user.token,
    ca: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
  };
}

/** Waits for watch events: expect() before the change, then record() from every watch as events come. */
class Arrivals {
  private readonly waiting = new Map<string, { members: Set<number>; count: number; done(at: number): void }>();

  /** Resolves with the arrival time of the event from the count-th distinct member. */
  expect(type: string, name: string, count: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const key = `${type} ${name}`;
      const timer = setTimeout(() => {
        const seen = this.waiting.get(key)?.members.size ?? 0;
        this.waiting.delete(key);
        reject(new Error(`${key}: ${seen} of ${count} members within ${SAMPLE_TIMEOUT_MS / 1000} s`));
      }, SAMPLE_TIMEOUT_MS);
      this.waiting.set(key, {
        members: new Set(), count,
        done: (at) => {
          clearTimeout(timer);
          this.waiting.delete(key);
          resolve(at);
        },
      });
    });
  }

  record(type: string, name: string, member: number): void {
    const entry = this.waiting.get(`${type} ${name}`);
    if (!entry) return;
    entry.members.add(member);
    if (entry.members.size === entry.count) entry.done(now());
  }
}

/** Opens a watch of a namespace's ConfigMaps on a member; resolves once the member has answered. */
function watchMember(member: Member, index: number, namespace: string, agent: Agent, arrivals: Arrivals,
  requests: Array<ReturnType<typeof request>>): Promise<void> {
  const url = new URL(member.url);
  return new Promise((resolve, reject) => {
    const req = request({
      agent, host: url.hostname, port: url.port, method: 'GET', ca: member.ca,
      path: `${configMapsPath(namespace)}?watch=true&timeoutSeconds=3600`,
      headers: { Authorization: `Bearer ${member.token}`, Accept: 'application/json' },
    }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`watch on ${member.name}: HTTP ${res.statusCode}`));
        return;
      }
      resolve();
      onEachLine(res, (line) => {
        const event = JSON.parse(line);
        arrivals.record(event.type, event.object?.metadata?.name, index);
      });
      res.on('error', () => {});
    });
    req.on('error', reject);
    req.end();
    requests.push(req);
  });
}

async function joinAll(canopy: Canopy, members: Member[]): Promise<void> {
  const client = controlPlaneClient(`${canopy.dir}/kubeconfig`);
  let next = 0;
  await Promise.all(Array.from({ length: JOIN_CONCURRENCY }, async () => {
    while (next < members.length) {
      const m = members[next++]!;
      await joinCluster(client, { name: m.name, kubeconfig: m.kubeconfig });
    }
  }));
}

/** Waits until every Cluster is Ready and carries no taint (as the scheduler and execution controller want). */
async function waitReady(cp: Client, count: number): Promise<void> {
  const deadline = now() + READY_TIMEOUT_MS;
  let ready = 0;
  while (now() < deadline) {
    const list = await cp.json('GET', CLUSTERS);
    ready = (list.json?.items ?? []).filter((c: any) => !c.spec?.taints?.length
      && c.status?.conditions?.some((k: any) => k.type === 'Ready' && k.status === 'True')).length;
    if (ready === count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`only ${ready} of ${count} clusters became Ready`);
}

/** The PropagationPolicy of the namespace: every ConfigMap, to every cluster; resolves once it has its permanent id. */
async function createPolicy(cp: Client, namespace: string): Promise<void> {
  const path = `/apis/policy.karmada.io/v1alpha1/namespaces/${namespace}/propagationpolicies`;
  const created = await cp.json('POST', path, {
    apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'all-configmaps', namespace },
    spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap' }], placement: {} },
  });
  if (created.status !== 201) throw new Error(`creating the policy: ${created.status} ${created.text}`);
  const deadline = now() + 10_000;
  while (now() < deadline) {
    const got = await cp.json('GET', `${path}/all-configmaps`);
    if (got.json?.metadata?.labels?.['propagationpolicy.karmada.io/permanent-id']) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the policy got no permanent id');
}

/** CPU seconds a process has used so far (Linux /proc; undefined elsewhere). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function expectStatus(res: { status: number }, ok: number[], what: string): void {
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status}`);
}

interface Measured {
  propagation: Samples;
  deletion: Samples;
  direct: Samples;
  joinSeconds: number;
  readySeconds: number;
  /** CPU milliseconds per sample of the control plane and of the member host, when known. */
  cpu?: { controlPlane: number; members: number };
}

async function measure(canopy: Canopy, members: Member[], hostPid: number, samples: number, mode: Mode,
  nodeArgs: string[]): Promise<Measured> {
  const n = members.length;
  const cp = new Client(canopy.url, canopy.ca, canopy.token, 4);
  const first = members[0]!;
  const direct = new Client(first.url, first.ca, first.token, 1);
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const requests: Array<ReturnType<typeof request>> = [];
  let agents: AgentHost | undefined;
  try {
    let t = now();
    if (mode === 'Push') await joinAll(canopy, members);
    else agents = await startAgentHost(`${canopy.dir}/kubeconfig`, members, n, nodeArgs);
    const joinSeconds = (now() - t) / 1000;
    t = now();
    await waitReady(cp, n);
    const readySeconds = (now() - t) / 1000;

    const namespace = `bench-propagation-${n}`;
    await createNamespace(cp, namespace);
    await createPolicy(cp, namespace);
    const arrivals = new Arrivals();
    await Promise.all(members.map((m, i) => watchMember(m, i, namespace, agent, arrivals, requests)));
    const path = configMapsPath(namespace);

    /** A create and a delete through the control plane, then a create and a delete on the first member. */
    const sample = async (i: number) => {
      const name = `p-${i}`;
      const added = arrivals.expect('ADDED', name, n);
      const t0 = now();
      expectStatus(await cp.send('POST', path, JSON.stringify(configMap(name))), [201], `creating ${name}`);
      const t1 = await added;
      const deleted = arrivals.expect('DELETED', name, n);
      const t2 = now();
      expectStatus(await cp.send('DELETE', `${path}/${name}`), [200, 202], `deleting ${name}`);
      const t3 = await deleted;

      const own = `d-${i}`;
      const directAdded = arrivals.expect('ADDED', own, 1);
      const t4 = now();
      expectStatus(await direct.send('POST', path, JSON.stringify(configMap(own))), [201], `creating ${own} on ${first.name}`);
      const t5 = await directAdded;
      const directDeleted = arrivals.expect('DELETED', own, 1);
      expectStatus(await direct.send('DELETE', `${path}/${own}`), [200, 202], `deleting ${own} on ${first.name}`);
      await directDeleted;
      return { propagation: t1 - t0, deletion: t3 - t2, direct: t5 - t4 };
    };

    await sample(0); // the warm-up; it also creates the namespace on every member
    const result: Measured = { propagation: new Samples(), deletion: new Samples(), direct: new Samples(), joinSeconds, readySeconds };
    const cpu0 = [cpuSeconds(canopy.pid), cpuSeconds(hostPid)];
    for (let i = 1; i <= samples; i++) {
      const s = await sample(i);
      result.propagation.add(s.propagation);
      result.deletion.add(s.deletion);
      result.direct.add(s.direct);
    }
    const cpu1 = [cpuSeconds(canopy.pid), cpuSeconds(hostPid)];
    if ([...cpu0, ...cpu1].every((v) => v !== undefined)) {
      result.cpu = { controlPlane: ((cpu1[0]! - cpu0[0]!) * 1000) / samples, members: ((cpu1[1]! - cpu0[1]!) * 1000) / samples };
    }
    return result;
  } finally {
    await agents?.stop();
    for (const req of requests) req.destroy();
    agent.destroy();
    cp.close();
    direct.close();
  }
}

const quantiles = (s: Samples) => ({ p50: s.quantile(0.5), p99: s.quantile(0.99), max: s.quantile(1) });
const ms = (v: number) => (v < 10 ? `${v.toFixed(2)} ms` : `${v.toFixed(0)} ms`);

function figure(n: number, mode: Mode, m: Measured, startSeconds: number): Figure {
  const prop = quantiles(m.propagation);
  const base = quantiles(m.direct);
  const del = quantiles(m.deletion);
  const members = `${n} member${n === 1 ? '' : 's'}`;
  return {
    title: `Propagation, ${members}${mode === 'Pull' ? ', Pull mode' : ''}`,
    description: `A ConfigMap template (about 0.5 KiB) created on the control plane by one HTTPS POST (what \`kubectl create -f\` `
      + `sends; kubectl's start-up and the GET \`kubectl apply\` makes first are not counted), until an ADDED watch event for it `
      + `has come from ${n === 1 ? 'the member' : `every one of the ${members}`} (one watch per member, opened before the create; `
      + 'the last event counts). '
      + 'A PropagationPolicy selects every ConfigMap of the namespace with an empty placement (all clusters). '
      + `${m.propagation.count} samples, one template in flight at a time, after one warm-up; each template is deleted on `
      + 'the control plane and gone from every member before the next. The control plane is a fresh `canopy serve` '
      + '(durable SQLite store, default settings: clusters keep being probed every 10 s); the members are lightweight '
      + 'canopy member servers with in-memory stores, all in one process (bench/member-host.ts). '
      + (mode === 'Push' ? 'Push mode: members joined with canopy join; the control plane applies the Works.'
        : 'Pull mode: a canopy agent per member (all in one process, bench/agent-host.ts) watches its execution namespace '
          + 'on the control plane and applies the Works; the control plane never dials the members.'),
    baselineName: `the same ConfigMap created directly on ${n === 1 ? 'the' : 'one'} member (POST to member1) until its watch `
      + 'event arrives, measured alternately with the samples',
    rows: [
      { metric: 'propagation p50', unit: 'ms', value: prop.p50, baseline: base.p50, kind: 'latency' },
      { metric: 'propagation p99', unit: 'ms', value: prop.p99, baseline: base.p99, kind: 'latency',
        ...(n === TARGET_MEMBERS ? { limit: TARGET_P99_MS } : {}) },
      { metric: 'propagation max', unit: 'ms', value: prop.max, baseline: base.max, kind: 'latency' },
    ],
    notes: [
      `deletion (DELETE of the template on the control plane until a DELETED event from every member): `
        + `p50 ${ms(del.p50)}, p99 ${ms(del.p99)}, max ${ms(del.max)}`,
      `setup: ${members} ${mode === 'Push' ? 'joined' : 'registered by their agents'} in ${m.joinSeconds.toFixed(1)} s, all Ready in ${m.readySeconds.toFixed(1)} s more `
        + `(the member host started once for all member counts, in ${startSeconds.toFixed(1)} s)`,
      ...(m.cpu ? [`CPU per sample (create, delete and the direct write): control plane ${ms(m.cpu.controlPlane)}, `
        + `member host ${ms(m.cpu.members)}${mode === 'Pull' ? ' (the agents\' own CPU not counted)' : ''}`] : []),
      ...(m.propagation.count < 100 ? [`with ${m.propagation.count} samples, p99 (nearest rank) is the largest sample`] : []),
    ],
  };
}

/** One figure per member count, each with a fresh `canopy serve` and the first members of one member host. */
export async function propagationFigures(counts: number[], nodeArgs: string[], step: (what: string) => void): Promise<Figure[]> {
  step(`starting ${Math.max(...counts)} members`);
  const t = now();
  const host = await startMemberHost(Math.max(...counts), nodeArgs);
  const startSeconds = (now() - t) / 1000;
  const figures: Figure[] = [];
  try {
    const all = host.members.map(memberOf);
    for (const mode of ['Push', 'Pull'] as const) {
      for (const n of counts) {
        step(`propagation, ${n} member${n === 1 ? '' : 's'}, ${mode} mode`);
        const canopy = await startCanopy(nodeArgs);
        try {
          const measured = await measure(canopy, all.slice(0, n), host.pid, samplesOverride ?? SAMPLES[n] ?? DEFAULT_SAMPLES, mode, nodeArgs);
          figures.push(figure(n, mode, measured, startSeconds));
        } finally {
          await canopy.stop();
        }
      }
    }
  } finally {
    await host.stop();
  }
  return figures;
}
