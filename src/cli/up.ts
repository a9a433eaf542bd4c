// canopy up: the control plane and local member clusters in one process, members joined in Push mode or run in
// Pull mode with an agent (also in this process).
import { copyFileSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse, stringify } from 'yaml';
import { controlPlaneClient, expectOk, joinCluster, unjoinCluster, validateClusterName } from '../clusters/membership.ts';
import { startAgent } from '../agent/agent.ts';
import { agentCredential } from '../agent/credential.ts';
import { registerPullCluster } from '../clusters/registration.ts';
import { MEMBER_SIMULATION } from '../controllers/index.ts';
import type { Controller } from '../controllers/runtime.ts';
import { MemberClient } from '../members/client.ts';
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts';

/** up registers its Pull members on every start; a token its agent did not need soon goes. */
const BOOTSTRAP_TOKEN_TTL_MS = 3600_000;

/** The kubeconfig pointed at the control plane's address of this start (its port may change between starts). */
function withServer(kubeconfig: string, server: string): string {
  const config = parse(kubeconfig);
  for (const entry of config.clusters ?? []) entry.cluster.server = server;
  return stringify(config);
}

export interface UpOptions {
  dir: string;
  port: number;
  members: string[];
  /** Members in Pull mode (each must be one of members). */
  pull?: string[];
  store?: string;
}

export interface Up {
  controlPlane: ControlPlane;
  members: Array<{ name: string; server: ControlPlane; kubeconfig: string; mode: 'Push' | 'Pull' }>;
  stop(): Promise<void>;
}

export async function up(options: UpOptions): Promise<Up> {
  const dir = resolve(options.dir);
  for (const name of options.members) validateClusterName(name);
  const started: Controller[] = [];
  const stop = async () => {
    for (const running of started.reverse()) await running.stop();
  };
  try {
    const controlPlane = await startControlPlane({ dir, port: options.port, store: options.store });
    started.push(controlPlane);
    const members: Up['members'] = [];
    for (const name of options.members) {
      const server = await startControlPlane({
        dir: join(dir, 'members', name), port: 0, role: 'member', context: name, extraControllers: MEMBER_SIMULATION,
      });
      started.push(server);
      const kubeconfig = join(dir, `${name}.kubeconfig`);
      copyFileSync(server.kubeconfigPath, kubeconfig);
      const pull = options.pull?.includes(name) ?? false;
      // A member that switches mode since the last start is unjoined first.
      const existing = await controlPlaneClient(controlPlane.kubeconfigPath).request('GET', `/apis/cluster.karmada.io/v1alpha1/clusters/${name}`);
      if (existing.status === 200 && existing.json?.spec?.syncMode !== (pull ? 'Pull' : 'Push')) {
        await unjoinCluster(controlPlaneClient(controlPlane.kubeconfigPath), name, true);
      }
      if (pull) {
        // As `canopy register` and `canopy agent --bootstrap-kubeconfig` would: the agent gets a certificate of its own.
        const admin = controlPlaneClient(controlPlane.kubeconfigPath);
        const registration = await registerPullCluster(admin, name, BOOTSTRAP_TOKEN_TTL_MS);
        // The member's address changes between starts; the agent's credential may not write the Cluster's spec.
        await expectOk(await admin.request('PATCH', `/apis/cluster.karmada.io/v1alpha1/clusters/${name}`,
          { spec: { apiEndpoint: server.url } }, 'application/merge-patch+json'), `cannot record the address of ${name}`);
        const credentialFile = join(dir, `${name}-agent.kubeconfig`);
        const credential = await agentCredential(credentialFile,
          () => MemberClient.fromKubeconfig(registration.bootstrapKubeconfig), name);
        started.push(await startAgent({
          clusterName: name, controlPlane: MemberClient.fromKubeconfig(withServer(credential, controlPlane.url)),
          member: MemberClient.fromKubeconfig(readFileSync(kubeconfig, 'utf8')), logger: controlPlane.logger, credentialFile,
        }));
      } else {
        await joinCluster(controlPlaneClient(controlPlane.kubeconfigPath), { name, kubeconfig, refresh: true });
      }
      members.push({ name, server, kubeconfig, mode: pull ? 'Pull' : 'Push' });
    }
    return { controlPlane, members, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export function registerUpCommand(program: Command, run: (work: () => Promise<void>) => Promise<void>,
  stopOnSignal: (stop: () => Promise<void>) => void): void {
  program.command('up')
    .description('Start the control plane and local member clusters, joined in Push mode or run in Pull mode (the demo and dev environment)')
    .option('--dir <dir>', 'state directory', '.canopy')
    .option('--port <port>', 'control plane HTTPS port (0 picks a free one)', (v) => Number(v), 6443)
    .option('--members <names>', 'comma-separated member cluster names', 'member1,member2')
    .option('--pull <names>', 'comma-separated members to run in Pull mode, each with its agent')
    .option('--store <url>', 'control plane store: sqlite:PATH or etcd://HOST:PORT[,HOST:PORT...]')
    .action((opts) => run(async () => {
      if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error('--port must be a port number from 0 to 65535');
      const members = String(opts.members).split(',').map((m) => m.trim()).filter(Boolean);
      if (new Set(members).size !== members.length) throw new Error('--members names a cluster twice');
      const pull = opts.pull ? String(opts.pull).split(',').map((m) => m.trim()).filter(Boolean) : [];
      const unknown = pull.find((m) => !members.includes(m));
      if (unknown) throw new Error(`--pull names "${unknown}", which is not one of --members`);
      const env = await up({ dir: opts.dir, port: opts.port, members, pull, store: opts.store });
      const rel = (p: string) => {
        const r = relative(process.cwd(), p);
        return r && !r.startsWith('..') ? r : p;
      };
      const kc = rel(env.controlPlane.kubeconfigPath);
      const lines = [
        'ready',
        `control plane  ${env.controlPlane.url}  kubeconfig ${kc}`,
        ...env.members.map((m) => `${m.name.padEnd(13)}  ${m.server.url}  kubeconfig ${rel(m.kubeconfig)}  ${m.mode}`),
        `try: kubectl --kubeconfig ${kc} get clusters`,
        `     kubectl --kubeconfig ${rel(env.members[0]?.kubeconfig ?? kc)} get namespaces`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      stopOnSignal(env.stop);
    }));
}
