// canopy join / canopy unjoin.
import type { Command } from 'commander';
import { controlPlaneClient, joinCluster, unjoinCluster } from '../clusters/membership.ts';

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
