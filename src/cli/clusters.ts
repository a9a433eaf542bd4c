// canopy join / canopy unjoin / canopy register.
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { controlPlaneClient, joinCluster, unjoinCluster } from '../clusters/membership.ts';
import { registerPullCluster } from '../clusters/registration.ts';
import { writeFileAtomic } from '../pki/pki.ts';

export function registerClusterCommands(program: Command, run: (work: () => Promise<void>) => Promise<void>): void {
  program.command('join')
    .description('Join a member cluster to the control plane (Push mode)')
    .argument('<name>', 'the member cluster name (a DNS label, at most 48 characters)')
    .requiredOption('--kubeconfig <file>', "kubeconfig of the member cluster")
    .option('--context <context>', 'context of that kubeconfig (default: its current-context)')
    .option('--mode <mode>', 'push or pull', 'push')
    .option('--kubeconfig-control-plane <file>', 'kubeconfig of the control plane (default: $CANOPY_KUBECONFIG or .canopy/kubeconfig)')
    .option('--output <format>', 'json to print the created Cluster')
    .action((name: string, opts) => run(async () => {
      const cluster = await joinCluster(controlPlaneClient(opts.kubeconfigControlPlane), {
        name, kubeconfig: opts.kubeconfig, context: opts.context, mode: opts.mode,
      });
      if (opts.output === 'json') process.stdout.write(`${JSON.stringify(cluster, null, 2)}\n`);
      else process.stdout.write(`cluster "${name}" joined (Push mode, ${(cluster.spec as { apiEndpoint: string }).apiEndpoint})\n`);
    }));

  program.command('register')
    .description("Register a Pull cluster: its Cluster, its agent's RBAC, and a kubeconfig for the agent (run where the control plane's --dir is)")
    .argument('<name>', 'the member cluster name (a DNS label, at most 48 characters)')
    .option('--dir <dir>', "the control plane's state directory (its CA signs the agent's certificate)", '.canopy')
    .option('--output <file>', "where to write the agent's kubeconfig (default: DIR/NAME-agent.kubeconfig)")
    .option('--years <n>', 'validity of the agent certificate in years', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 10) throw new InvalidArgumentError('must be a whole number of years from 1 to 10');
      return n;
    }, 1)
    .option('--kubeconfig-control-plane <file>', 'kubeconfig of the control plane (default: DIR/kubeconfig)')
    .action((name: string, opts) => run(async () => {
      const kubeconfig = await registerPullCluster(controlPlaneClient(opts.kubeconfigControlPlane ?? join(opts.dir, 'kubeconfig')), opts.dir, name, opts.years);
      const output = opts.output ?? join(opts.dir, `${name}-agent.kubeconfig`);
      writeFileAtomic(output, kubeconfig);
      process.stdout.write(`cluster "${name}" registered (Pull mode); agent kubeconfig: ${output}\n`
        + `run: canopy agent --cluster-name ${name} --control-plane-kubeconfig ${output} --kubeconfig MEMBER_KUBECONFIG\n`);
    }));

  program.command('unjoin')
    .description("Remove a member cluster: delete what Canopy placed on it, then the Cluster and its credentials")
    .argument('<name>', 'the member cluster name')
    .option('--force', 'unjoin even when the member cannot be reached or cleaned up')
    .option('--kubeconfig-control-plane <file>', 'kubeconfig of the control plane (default: $CANOPY_KUBECONFIG or .canopy/kubeconfig)')
    .option('--output <format>', 'json to print what was removed')
    .action((name: string, opts) => run(async () => {
      const result = await unjoinCluster(controlPlaneClient(opts.kubeconfigControlPlane), name, Boolean(opts.force));
      if (opts.output === 'json') process.stdout.write(`${JSON.stringify({ cluster: name, ...result })}\n`);
      else process.stdout.write(`cluster "${name}" unjoined (${result.removed} objects removed from the member)\n`);
    }));
}
