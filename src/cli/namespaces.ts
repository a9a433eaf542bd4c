// canopy ns: global namespaces - list, create, delete, injection, homing clusters, sync with members, restart.
import { type Command, InvalidArgumentError } from 'commander';
import { controlPlaneClient, expectOk, MembershipError } from '../clusters/membership.ts';
import type { MemberClient } from '../members/client.ts';
import {
  applyInjectionChange, describeInjection, HOMING_CLUSTERS_ANNOTATION, type InjectionChange, INJECTION_LABELS,
  injectionState, isSystemNamespace, parseHomingClusters,
} from '../namespaces/injection.ts';
import { dns1123Label } from '../registry/validation.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KObject = Record<string, any>;

const NAMESPACES = '/api/v1/namespaces';
const SYNCS = '/apis/canopy.io/v1alpha1/namespacesyncs';
const MERGE_PATCH = 'application/merge-patch+json';
const SYNC_WAIT_MS = 180_000;

type Run = (work: () => Promise<void>) => Promise<void>;

const KUBECONFIG_OPTION = ['--kubeconfig-control-plane <file>', 'kubeconfig of the control plane (default: $CANOPY_KUBECONFIG or .canopy/kubeconfig)'] as const;
const OUTPUT_OPTION = ['--output <format>', 'json to print the result as JSON'] as const;

function clusterList(value: string): string[] {
  const { clusters, problems } = parseHomingClusters(value);
  if (problems.length) throw new InvalidArgumentError(problems[0]!);
  return clusters;
}

function nameList(value: string): string[] {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const bad = names.find((n) => dns1123Label(n).length);
  if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not a valid name: ${dns1123Label(bad)[0]}`);
  if (!names.length) throw new InvalidArgumentError('name at least one');
  return names;
}

function labelPair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError(`"${value}" is not KEY=VALUE`);
  return { ...previous, [value.slice(0, i)]: value.slice(i + 1) };
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function warn(warnings: string[]): void {
  for (const w of warnings) process.stderr.write(`Warning: ${w}\n`);
}

/** A namespace as the CLI shows it. */
function summary(ns: KObject): KObject {
  const state = injectionState(ns.metadata.labels);
  const homing: string | undefined = ns.metadata.annotations?.[HOMING_CLUSTERS_ANNOTATION];
  return {
    name: ns.metadata.name,
    injection: describeInjection(state),
    labels: Object.fromEntries(INJECTION_LABELS.filter((k) => ns.metadata.labels?.[k] !== undefined).map((k) => [k, ns.metadata.labels[k]])),
    homingClusters: homing === undefined ? 'all joined clusters' : parseHomingClusters(homing).clusters.join(','),
    warnings: state.warnings,
  };
}

async function getNamespace(client: MemberClient, name: string): Promise<KObject> {
  const res = await client.request('GET', `${NAMESPACES}/${encodeURIComponent(name)}`);
  if (res.status === 404) throw new MembershipError(`namespace "${name}" not found in the control plane`);
  return (await expectOk(res, `reading namespace "${name}"`)).json;
}

async function patchNamespace(client: MemberClient, ns: KObject, metadata: KObject): Promise<KObject> {
  const res = await client.request('PATCH', `${NAMESPACES}/${encodeURIComponent(ns.metadata.name)}`,
    { metadata: { ...metadata, resourceVersion: ns.metadata.resourceVersion } }, MERGE_PATCH);
  return (await expectOk(res, `updating namespace "${ns.metadata.name}"`)).json;
}

function showNamespace(ns: KObject, output: string | undefined): void {
  const s = summary(ns);
  if (output === 'json') print(JSON.stringify(s, null, 2));
  else print(`namespace "${s.name}": ${s.injection}; homing clusters: ${s.homingClusters}`);
  warn(s.warnings.map((w: string) => `namespace "${s.name}": ${w}`));
}

/** Creates a NamespaceSync, waits for its end and prints what it did; a failed part makes the command fail. */
async function runSync(client: MemberClient, spec: KObject, prefix: string, output: string | undefined): Promise<void> {
  const created = await expectOk(await client.request('POST', SYNCS, {
    apiVersion: 'canopy.io/v1alpha1', kind: 'NamespaceSync', metadata: { generateName: prefix }, spec,
  }), 'creating the NamespaceSync');
  const name: string = created.json.metadata.name;
  const deadline = Date.now() + SYNC_WAIT_MS;
  let op: KObject = created.json;
  while (op.status?.phase !== 'Succeeded' && op.status?.phase !== 'Failed') {
    if (Date.now() > deadline) throw new MembershipError(`NamespaceSync ${name} did not finish within ${SYNC_WAIT_MS / 1000}s (phase ${op.status?.phase ?? 'Pending'}); see kubectl get namespacesync ${name} -o yaml`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    op = (await expectOk(await client.request('GET', `${SYNCS}/${name}`), `reading NamespaceSync ${name}`)).json;
  }
  const status = op.status;
  if (output === 'json') {
    print(JSON.stringify({ name, ...status }, null, 2));
  } else {
    const rows: string[][] = [['CLUSTER', 'RESULT', spec.direction === 'Restart' ? 'WORKLOADS' : 'NAMESPACES']];
    for (const result of ['created', 'updated', 'unchanged'] as const) {
      for (const e of status[result] ?? []) {
        const label = spec.direction === 'Restart' ? (result === 'updated' ? 'restarted' : 'nothing to restart') : result;
        rows.push([e.cluster, label, (spec.direction === 'Restart' ? e.workloads ?? e.namespaces : e.namespaces).join(',')]);
      }
    }
    for (const f of status.failed ?? []) rows.push([f.cluster, 'failed', f.message]);
    print(`namespacesync ${name}: ${status.phase} (${status.message})`);
    if (rows.length > 1) print(table(rows));
  }
  if (status.phase === 'Failed') throw new MembershipError(`namespacesync ${name} failed: ${(status.failed ?? []).map((f: KObject) => `${f.cluster}: ${f.message}`).join('; ')}`);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')).join('\n');
}

export function registerNamespaceCommands(program: Command, run: Run): void {
  const ns = program.command('ns').description('Global namespaces: injection labels, homing clusters, sync with member clusters');

  ns.command('list')
    .description('List the global namespaces with their injection state and homing clusters')
    .option(...KUBECONFIG_OPTION).option(...OUTPUT_OPTION)
    .action((opts) => run(async () => {
      const client = controlPlaneClient(opts.kubeconfigControlPlane);
      const list = (await expectOk(await client.request('GET', NAMESPACES), 'listing namespaces')).json.items as KObject[];
      const shown = list.filter((n) => !isSystemNamespace(n.metadata.name)).map(summary);
      if (opts.output === 'json') return print(JSON.stringify(shown, null, 2));
      print(table([['NAME', 'INJECTION', 'HOMING CLUSTERS'], ...shown.map((s) => [s.name, s.injection, s.homingClusters])]));
      warn(shown.flatMap((s) => s.warnings.map((w: string) => `namespace "${s.name}": ${w}`)));
    }));

  ns.command('create')
    .description('Create a global namespace (member clusters are not touched)')
    .argument('<name>', 'namespace name')
    .option('--label <key=value>', 'a label (repeatable)', labelPair)
    .option('--homing <clusters>', 'homing clusters, comma-separated (default: every joined cluster)', clusterList)
    .option(...KUBECONFIG_OPTION).option(...OUTPUT_OPTION)
    .action((name: string, opts) => run(async () => {
      const client = controlPlaneClient(opts.kubeconfigControlPlane);
      const res = await client.request('POST', NAMESPACES, {
        apiVersion: 'v1', kind: 'Namespace',
        metadata: { name, labels: opts.label, annotations: opts.homing ? { [HOMING_CLUSTERS_ANNOTATION]: opts.homing.join(',') } : undefined },
      });
      showNamespace((await expectOk(res, `creating namespace "${name}"`)).json, opts.output);
    }));

  ns.command('delete')
    .description('Delete a global namespace from the control plane (member clusters keep theirs)')
    .argument('<name>', 'namespace name')
    .option(...KUBECONFIG_OPTION)
    .action((name: string, opts) => run(async () => {
      const client = controlPlaneClient(opts.kubeconfigControlPlane);
      const res = await client.request('DELETE', `${NAMESPACES}/${encodeURIComponent(name)}`);
      if (res.status === 404) throw new MembershipError(`namespace "${name}" not found in the control plane`);
      await expectOk(res, `deleting namespace "${name}"`);
      print(`namespace "${name}" deleted from the control plane`);
    }));

  ns.command('inject')
    .description('Show or change sidecar injection of a global namespace (synced to its homing clusters)')
    .argument('<namespace>', 'namespace name')
    .option('--enable', 'set istio-injection=enabled')
    .option('--disable', 'set istio-injection=disabled')
    .option('--revision <rev>', 'set istio.io/rev=REV and remove istio-injection')
    .option(...KUBECONFIG_OPTION).option(...OUTPUT_OPTION)
    .action((name: string, opts) => run(async () => {
      const chosen = [opts.enable && 'enable', opts.disable && 'disable', opts.revision !== undefined && 'revision'].filter(Boolean);
      if (chosen.length > 1) throw new MembershipError('choose one of --enable, --disable and --revision');
      if (opts.revision !== undefined && !opts.revision) throw new MembershipError('--revision needs a revision name');
      const client = controlPlaneClient(opts.kubeconfigControlPlane);
      let namespace = await getNamespace(client, name);
      if (chosen.length) {
        const change: InjectionChange = opts.enable ? { enable: true } : opts.disable ? { disable: true } : { revision: opts.revision };
        const before: Record<string, string> = namespace.metadata.labels ?? {};
        const after = applyInjectionChange(before, change);
        const labels: Record<string, string | null> = {};
        for (const k of INJECTION_LABELS) if (before[k] !== after[k]) labels[k] = after[k] ?? null;
        if (Object.keys(labels).length) namespace = await patchNamespace(client, namespace, { labels });
      }
      showNamespace(namespace, opts.output);
    }));

  ns.command('homing')
    .description('Show or set the homing clusters of a global namespace')
    .argument('<namespace>', 'namespace name')
    .option('--clusters <names>', 'the homing clusters, comma-separated', clusterList)
    .option('--all', 'home the namespace in every joined cluster (removes the annotation)')
    .option(...KUBECONFIG_OPTION).option(...OUTPUT_OPTION)
    .action((name: string, opts) => run(async () => {
      if (opts.clusters && opts.all) throw new MembershipError('choose one of --clusters and --all');
      const client = controlPlaneClient(opts.kubeconfigControlPlane);
      let namespace = await getNamespace(client, name);
      if (opts.clusters || opts.all) {
        namespace = await patchNamespace(client, namespace, { annotations: { [HOMING_CLUSTERS_ANNOTATION]: opts.all ? null : opts.clusters.join(',') } });
      }
      showNamespace(namespace, opts.output);
    }));

  ns.command('sync')
    .description('Sync namespaces and injection labels from one member cluster, or to the homing clusters')
    .option('--from <cluster>', 'create the cluster\'s namespaces in the control plane and copy their injection labels')
    .option('--to-clusters', 'create global namespaces in their homing clusters and copy their injection labels')
    .option('--cluster <name>', 'with --to-clusters: only this cluster')
    .option('--namespaces <names>', 'only these namespaces, comma-separated', nameList)
    .option(...KUBECONFIG_OPTION).option(...OUTPUT_OPTION)
    .action((opts) => run(async () => {
      if (Boolean(opts.from) === Boolean(opts.toClusters)) throw new MembershipError('choose one of --from CLUSTER and --to-clusters');
      if (opts.cluster && !opts.toClusters) throw new MembershipError('--cluster goes with --to-clusters');
      const spec = opts.from
        ? { direction: 'FromCluster', cluster: opts.from, namespaces: opts.namespaces }
        : { direction: 'ToClusters', cluster: opts.cluster, namespaces: opts.namespaces };
      await runSync(controlPlaneClient(opts.kubeconfigControlPlane), spec, opts.from ? `from-${opts.from}-` : 'to-clusters-', opts.output);
    }));

  ns.command('restart')
    .description('Rolling-restart the Deployments, StatefulSets and DaemonSets of a namespace in its homing clusters')
    .argument('<namespace>', 'namespace name')
    .option('--cluster <name>', 'only this cluster')
    .option(...KUBECONFIG_OPTION).option(...OUTPUT_OPTION)
    .action((name: string, opts) => run(async () => {
      const client = controlPlaneClient(opts.kubeconfigControlPlane);
      await getNamespace(client, name);
      await runSync(client, { direction: 'Restart', cluster: opts.cluster, namespaces: [name] }, `restart-${name}-`.slice(0, 60), opts.output);
    }));
}
