// A control plane with real member processes joined through `canopy join`, for propagation tests.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { api, CANOPY, kubectl, removeDir, startServer, type RunningServer, waitFor } from './server.ts';

export interface Federation {
  cp: RunningServer;
  members: Record<string, RunningServer>;
  /** Starts the control plane again on its state directory once `cp` has exited (after cp.kill()); sets and returns `cp`. */
  restartControlPlane(): Promise<RunningServer>;
  stop(): Promise<void>;
}

/** Runs `canopy ARGS` against the control plane. */
export function canopy(args: string[], controlPlane: RunningServer): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CANOPY, ...args], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, CANOPY_KUBECONFIG: controlPlane.kubeconfig },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface AgentProcess {
  process: ChildProcess;
  kill(): Promise<void>;
}

/** Starts `canopy agent` for a member (Pull mode) and resolves once it is ready. */
export async function startAgentProcess(controlPlaneKubeconfig: string, member: RunningServer, name: string,
  args: string[] = []): Promise<AgentProcess> {
  const child = spawn(process.execPath, [CANOPY, 'agent', '--cluster-name', name, '--control-plane-kubeconfig', controlPlaneKubeconfig,
    '--kubeconfig', member.kubeconfig, '--cluster-status-update-frequency', '1', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      output += c;
      if (output.includes(`ready agent ${name}`)) resolve();
    });
    child.stderr!.on('data', (c) => { output += c; });
    child.on('exit', (code) => reject(new Error(`canopy agent exited with ${code}:\n${output}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    process: child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Starts a control plane and members, joins them (Push; those named in `pull` get an agent instead) and waits
 * until every Cluster is Ready.
 */
export async function startFederation(names: string[], cpArgs: string[] = [], pull: string[] = []): Promise<Federation> {
  const args = ['--cluster-status-update-frequency', '1', ...cpArgs];
  const [cp, ...started] = await Promise.all([
    startServer({ args }),
    ...names.map((name) => startServer({ command: 'member', name })),
  ]);
  const members = Object.fromEntries(names.map((n, i) => [n, started[i]!]));
  const agents: AgentProcess[] = [];
  const federation: Federation = {
    cp: cp!, members,
    async restartControlPlane() {
      const { process: child, dir } = federation.cp;
      assert.ok(child.exitCode !== null || child.signalCode !== null, 'the control plane is still running');
      federation.cp = await startServer({ dir, args });
      return federation.cp;
    },
    async stop() {
      await Promise.all(agents.map((a) => a.kill()));
      await Promise.all([federation.cp.stop(), ...started.map((m) => m.stop())]);
      for (const s of [federation.cp, ...started]) removeDir(s.dir);
    },
  };
  for (const name of names) {
    if (pull.includes(name)) {
      const bootstrap = join(cp!.dir, `${name}-bootstrap.kubeconfig`);
      const registered = canopy(['register', name, '--dir', cp!.dir, '--output', bootstrap], cp!);
      assert.equal(registered.code, 0, registered.stderr);
      agents.push(await startAgentProcess(join(cp!.dir, `${name}-agent.kubeconfig`), members[name]!, name,
        ['--bootstrap-kubeconfig', bootstrap, '--cluster-success-threshold', '0']));
      continue;
    }
    const joined = canopy(['join', name, '--kubeconfig', members[name]!.kubeconfig], cp!);
    assert.equal(joined.code, 0, joined.stderr);
  }
  await waitFor('every cluster Ready', async () => {
    const list = (await api(cp!, 'GET', '/apis/cluster.karmada.io/v1alpha1/clusters')).json?.items ?? [];
    const ready = list.filter((c: any) => c.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
    return ready.length === names.length ? true : undefined;
  });
  return federation;
}

/** The names of a kind's objects in a member namespace, sorted. */
export function memberNames(member: RunningServer, resource: string, namespace = 'default'): string[] {
  const r = kubectl(member, ['get', resource, '-n', namespace, '-o', 'jsonpath={.items[*].metadata.name}']);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.split(/\s+/).filter(Boolean).sort();
}

/** A member object as JSON, or undefined when it does not exist. */
export function memberGet(member: RunningServer, args: string[]): any {
  const r = kubectl(member, ['get', ...args, '-o', 'json']);
  if (r.code !== 0) {
    if (/NotFound/.test(r.stderr)) return undefined;
    throw new Error(r.stderr);
  }
  return JSON.parse(r.stdout);
}

/** Waits until a member's objects of a kind (in a namespace) are exactly `expected`. */
export async function waitForNames(member: RunningServer, resource: string, expected: string[], namespace = 'default'): Promise<void> {
  const want = [...expected].sort();
  let last: string[] = [];
  await waitFor(`${resource} ${JSON.stringify(want)} in ${member.dir}`, () => {
    last = memberNames(member, resource, namespace);
    return JSON.stringify(last) === JSON.stringify(want) ? true : undefined;
  }).catch((e) => {
    throw new Error(`${(e as Error).message}; last seen ${JSON.stringify(last)}`);
  });
}
