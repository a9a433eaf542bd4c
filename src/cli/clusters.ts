// canopy join / canopy unjoin / canopy register.
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { controlPlaneClient, joinCluster, unjoinCluster } from '../clusters/membership.ts';
import { registerPullCluster } from '../clusters/registration.ts';
import { parseGoDuration } from '../gofmt.ts';
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
    .description('Register a Pull cluster: its Cluster, its agent\'s RBAC, and a bootstrap token with which its agent obtains a certificate')
    .argument('<name>', 'the member cluster name (a DNS label, at most 48 characters)')
    .option('--dir <dir>', "the control plane's state directory (for the defaults below)", '.canopy')
    .option('--output <file>', 'where to write the bootstrap kubeconfig (default: DIR/NAME-bootstrap.kubeconfig)')
    .option('--token-ttl <duration>', 'how long the bootstrap token can be used, e.g. 1h30m (at most 168h)', (v) => {
      const ms = parseGoDuration(v);
      if (ms === undefined || ms < 60_000 || ms > 168 * 3_600_000) throw new InvalidArgumentError('must be a duration from 1m to 168h, e.g. 24h or 1h30m');
      return ms;
    }, 24 * 3_600_000)
    .option('--kubeconfig-control-plane <file>', 'kubeconfig of the control plane (default: DIR/kubeconfig)')
    .action((name: string, opts) => run(async () => {
      const registration = await registerPullCluster(controlPlaneClient(opts.kubeconfigControlPlane ?? join(opts.dir, 'kubeconfig')), name, opts.tokenTtl);
      const output = opts.output ?? join(opts.dir, `${name}-bootstrap.kubeconfig`);
      writeFileAtomic(output, registration.bootstrapKubeconfig);
      process.stdout.write(`cluster "${name}" registered (Pull mode); bootstrap kubeconfig: ${output} (valid until ${registration.expiration.toISOString()})\n`
        + `run beside the member: canopy agent --cluster-name ${name} --bootstrap-kubeconfig ${output} --control-plane-kubeconfig ${name}-agent.kubeconfig --kubeconfig MEMBER_KUBECONFIG\n`);
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
