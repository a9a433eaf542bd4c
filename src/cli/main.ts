// The canopy command line.
import { Command, InvalidArgumentError } from 'commander';
import { startControlPlane } from '../controlplane/controlplane.ts';

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

program.command('serve')
  .description('Run the control plane API server (and its controllers)')
  .option('--dir <dir>', 'state directory (store, certificates, kubeconfig)', '.canopy')
  .option('--port <port>', 'HTTPS port (0 picks a free one)', port, 6443)
  .option('--host <address>', 'address to bind', '127.0.0.1')
  .option('--store <url>', 'sqlite:PATH (default DIR/canopy.db) or etcd://HOST:PORT[,HOST:PORT...]')
  .option('--log-level <level>', 'log level of DIR/canopy.log', 'info')
  .option('--compaction-interval <seconds>', 'compact store history this often (0: never)', seconds, 300)
  .action(async (opts) => {
    try {
      const cp = await startControlPlane({
        dir: opts.dir, port: opts.port, host: opts.host, store: opts.store, logLevel: opts.logLevel,
        compactionIntervalMs: opts.compactionInterval * 1000,
      });
      process.stdout.write(`ready ${cp.url}\nkubeconfig: ${cp.kubeconfigPath}\n`);
      stopOnSignal(cp.stop);
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
    }
  });

await program.parseAsync(process.argv);
