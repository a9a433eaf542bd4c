// The canopy command line.
import { Command, InvalidArgumentError } from 'commander';
import { startControlPlane, type ControlPlaneOptions } from '../controlplane/controlplane.ts';
import { MEMBER_SIMULATION } from '../controllers/index.ts';
import { registerAgentCommand } from './agent.ts';
import { registerClusterCommands } from './clusters.ts';
import { registerConfigSyncCommands } from './configsync.ts';
import { registerMigrateCommand } from './migrate.ts';
import { registerNamespaceCommands } from './namespaces.ts';
import { registerUpCommand } from './up.ts';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds, 0 or more');
  return n;
}

function boolean(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('must be true or false');
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

/** Runs until SIGINT/SIGTERM, then stops cleanly. */
function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(() => process.exit(0), (e) => fail(String(e?.message ?? e)));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

const program = new Command('canopy')
  .description('A multi-cluster Kubernetes control plane')
  .showHelpAfterError('(run with --help for usage)');

/** Options every server command takes. */
function serverCommand(name: string, description: string, defaultPort: number): Command {
  return program.command(name)
    .description(description)
    .option('--port <port>', 'HTTPS port (0 picks a free one)', port, defaultPort)
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--store <url>', 'sqlite:PATH (default DIR/canopy.db) or etcd://HOST:PORT[,HOST:PORT...]')
    .option('--log-level <level>', 'log level of DIR/canopy.log', 'info')
    .option('--compaction-interval <seconds>', 'compact store history this often (0: never)', seconds, 300);
}

/** Starts a server, prints `ready <url>` and the kubeconfig path, and runs until a signal. */
async function serveUntilSignal(options: ControlPlaneOptions): Promise<void> {
  try {
    const server = await startControlPlane(options);
    process.stdout.write(`ready ${server.url}\nkubeconfig: ${server.kubeconfigPath}\n`);
    stopOnSignal(server.stop);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
}

function serverOptions(opts: Record<string, any>): ControlPlaneOptions {
  return {
    dir: opts.dir, port: opts.port, host: opts.host, store: opts.store, logLevel: opts.logLevel,
    compactionIntervalMs: opts.compactionInterval * 1000,
    clusterStatusUpdateFrequencyMs: opts.clusterStatusUpdateFrequency === undefined ? undefined : opts.clusterStatusUpdateFrequency * 1000,
    clusterSuccessThresholdMs: opts.clusterSuccessThreshold === undefined ? undefined : opts.clusterSuccessThreshold * 1000,
    clusterFailureThresholdMs: opts.clusterFailureThreshold === undefined ? undefined : opts.clusterFailureThreshold * 1000,
    workResyncPeriodMs: opts.workResyncPeriod === undefined ? undefined : opts.workResyncPeriod * 1000,
    clusterMonitorGracePeriodMs: opts.clusterMonitorGracePeriod === undefined ? undefined : opts.clusterMonitorGracePeriod * 1000,
    leaderElect: opts.leaderElect,
    leaderElectLeaseDurationMs: opts.leaderElectLeaseDuration === undefined ? undefined : opts.leaderElectLeaseDuration * 1000,
    leaderElectRenewDeadlineMs: opts.leaderElectRenewDeadline === undefined ? undefined : opts.leaderElectRenewDeadline * 1000,
    leaderElectRetryPeriodMs: opts.leaderElectRetryPeriod === undefined ? undefined : opts.leaderElectRetryPeriod * 1000,
  };
}

serverCommand('serve', 'Run the control plane API server (and its controllers)', 6443)
  .option('--dir <dir>', 'state directory (store, certificates, kubeconfig)', '.canopy')
  .option('--cluster-status-update-frequency <seconds>', 'probe each member cluster this often (default 10)', seconds)
  .option('--cluster-success-threshold <seconds>', 'a recovered cluster becomes Ready after being healthy this long (default 30)', seconds)
  .option('--cluster-failure-threshold <seconds>', 'a failing cluster becomes not Ready after failing this long (default 30)', seconds)
  .option('--work-resync-period <seconds>', 'apply every Work to its member again this often, reverting drift (default 30)', seconds)
  .option('--cluster-monitor-grace-period <seconds>', 'a Pull cluster whose agent renews no Lease this long becomes Unknown (default 40)', seconds)
  .option('--leader-elect <bool>', 'run controllers only while holding the leader Lease (default: true with an etcd store)', boolean)
  .option('--leader-elect-lease-duration <seconds>', 'how long other replicas wait before taking an unrenewed Lease (default 15)', seconds)
  .option('--leader-elect-renew-deadline <seconds>', 'how long the leader keeps trying to renew before it stops leading (default 10)', seconds)
  .option('--leader-elect-retry-period <seconds>', 'how often replicas try to take or renew the Lease (default 2)', seconds)
  .action((opts) => serveUntilSignal(serverOptions(opts)));

serverCommand('member', 'Run a lightweight local member cluster: the same API server, no federation controllers', 0)
  .argument('<name>', 'the member cluster name (the context name in DIR/kubeconfig)')
  .requiredOption('--dir <dir>', 'state directory of this member')
  .option('--no-simulate-workloads', 'do not report simulated ready pods for workloads')
  .action((name: string, opts) => serveUntilSignal({
    ...serverOptions(opts), role: 'member', context: name,
    extraControllers: opts.simulateWorkloads ? MEMBER_SIMULATION : [],
  }));

/** Runs a command's work; an error becomes the one line the user reads. */
async function run(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
}

registerClusterCommands(program, run);
registerMigrateCommand(program, run);
registerAgentCommand(program, run, stopOnSignal, seconds);
registerNamespaceCommands(program, run);
registerConfigSyncCommands(program, run);
registerUpCommand(program, run, stopOnSignal);

await program.parseAsync(process.argv);
