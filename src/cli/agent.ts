// canopy agent: run beside a Pull member cluster.
import { type Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { AgentError, startAgent } from '../agent/agent.ts';
import { agentCredential } from '../agent/credential.ts';
import { readKubeconfig, validateClusterName } from '../clusters/membership.ts';
import { parseGoDuration } from '../gofmt.ts';
import { MemberClient, MemberConfigError } from '../members/client.ts';

type Run = (work: () => Promise<void>) => Promise<void>;

function client(file: string, context: string | undefined, text = readKubeconfig(file)): MemberClient {
  try {
    return MemberClient.fromKubeconfig(text, context, { allowPlugins: true });
  } catch (e) {
    if (e instanceof MemberConfigError) throw new AgentError(`${file}: ${e.message}`);
    throw e;
  }
}

function goDuration(value: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('must be a positive duration, e.g. 5m or 30s');
  return ms;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('must be a number between 0 and 1, e.g. 0.2');
  return n;
}

export function registerAgentCommand(program: Command, run: Run, stopOnSignal: (stop: () => Promise<void>) => void,
  seconds: (value: string) => number): void {
  program.command('agent')
    .description('Run beside a member cluster in Pull mode: register it, report its status, apply its Works')
    .requiredOption('--cluster-name <name>', 'the member cluster name (a DNS label, at most 48 characters)')
    .requiredOption('--control-plane-kubeconfig <file>', "kubeconfig of the control plane with the agent's own credential (written here when bootstrapping)")
    .option('--bootstrap-kubeconfig <file>', 'kubeconfig with a bootstrap token (from `canopy register`), used to obtain the credential when --control-plane-kubeconfig is missing or expired')
    .requiredOption('--kubeconfig <file>', 'kubeconfig of the member cluster')
    .option('--context <context>', 'context of the member kubeconfig (default: its current-context)')
    .option('--cluster-lease-duration <seconds>', 'duration of the cluster Lease the agent renews (default 40)', seconds)
    .option('--cluster-status-update-frequency <seconds>', 'probe the member this often (default 10)', seconds)
    .option('--cluster-success-threshold <seconds>', 'a recovered member becomes Ready after being healthy this long (default 30)', seconds)
    .option('--cluster-failure-threshold <seconds>', 'a failing member becomes not Ready after failing this long (default 30)', seconds)
    .option('--work-resync-period <seconds>', 'apply every Work again this often, reverting drift (default 30)', seconds)
    .option('--cert-rotation-checking-interval <duration>', 'check the remaining validity of the agent certificate this often', goDuration, 5 * 60_000)
    .option('--cert-rotation-remaining-time-threshold <fraction>', 'renew the certificate once its remaining validity is at most this fraction', fraction, 0.2)
    .option('--log-level <level>', 'log level (JSON lines on standard error)', 'info')
    .action((opts) => run(async () => {
      validateClusterName(opts.clusterName);
      const ms = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
      const agent = await startAgent({
        clusterName: opts.clusterName,
        controlPlane: client(opts.controlPlaneKubeconfig, undefined, await agentCredential(opts.controlPlaneKubeconfig,
          opts.bootstrapKubeconfig && (() => client(opts.bootstrapKubeconfig, undefined)), opts.clusterName)),
        member: client(opts.kubeconfig, opts.context),
        logger: pino({ level: opts.logLevel }, pino.destination(2)),
        leaseDurationSeconds: opts.clusterLeaseDuration,
        status: {
          clusterStatusUpdateFrequencyMs: ms(opts.clusterStatusUpdateFrequency),
          clusterSuccessThresholdMs: ms(opts.clusterSuccessThreshold),
          clusterFailureThresholdMs: ms(opts.clusterFailureThreshold),
        },
        workResyncPeriodMs: ms(opts.workResyncPeriod),
        credentialFile: opts.controlPlaneKubeconfig,
        rotation: { checkingIntervalMs: opts.certRotationCheckingInterval, remainingTimeThreshold: opts.certRotationRemainingTimeThreshold },
      });
      process.stdout.write(`ready agent ${opts.clusterName}\n`);
      // Its timers do not hold the process; without this it would end whenever no connection is open (a control
      // plane restart), instead of waiting for the control plane to return.
      const alive = setInterval(() => {}, 2 ** 30);
      stopOnSignal(async () => {
        clearInterval(alive);
        await agent.stop();
      });
    }));
}
