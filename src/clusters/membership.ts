// Joining and unjoining member clusters, through the control plane's API (the CLI and `canopy up` use it).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { CLUSTER_SECRETS_NAMESPACE } from '../controlplane/bootstrap.ts';
import { MemberClient, MemberConfigError, type MemberResponse } from '../members/client.ts';
import { apiPath } from '../registry/registry.ts';
import { dns1123Label } from '../registry/validation.ts';

/** An error the CLI prints as its one line. */
export class MembershipError extends Error {}

/** Karmada's limit on cluster names. */
const CLUSTER_NAME_MAX = 48;
export const MANAGED_LABEL = 'karmada.io/managed';
const CLUSTERS = '/apis/cluster.karmada.io/v1alpha1/clusters';

export function validateClusterName(name: string): void {
  const problems = dns1123Label(name);
  if (name.length > CLUSTER_NAME_MAX) problems.unshift(`must be no more than ${CLUSTER_NAME_MAX} characters`);
  if (problems.length) throw new MembershipError(`invalid cluster name "${name}": ${problems[0]}`);
}

/** Reads a kubeconfig file, with a one-line error for a missing or unreadable file. */
export function readKubeconfig(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MembershipError(code === 'ENOENT' ? `kubeconfig ${path} does not exist` : `cannot read kubeconfig ${path}: ${code ?? e}`);
  }
}

/** The control plane's client: --kubeconfig-control-plane, else $CANOPY_KUBECONFIG, else .canopy/kubeconfig. */
export function controlPlaneClient(path?: string): MemberClient {
  const file = path ?? process.env.CANOPY_KUBECONFIG ?? '.canopy/kubeconfig';
  return clientOf(readKubeconfig(file), undefined, file);
}

function clientOf(text: string, context: string | undefined, file: string): MemberClient {
  try {
    return MemberClient.fromKubeconfig(text, context, { allowPlugins: true });
  } catch (e) {
    if (e instanceof MemberConfigError) throw new MembershipError(`${file}: ${e.message}`);
    throw e;
  }
}

/**
 * A kubeconfig holding only the chosen context, with every file it references (relative to the file's
 * directory, as kubectl reads them) inlined, so it works away from the machine it was made on.
 */
function inlineKubeconfig(text: string, context: string | undefined, file: string): string {
  clientOf(text, context, file);
  const config = parse(text);
  const name = context ?? config['current-context'];
  const ctx = config.contexts.find((c: { name: string }) => c.name === name).context;
  const cluster = config.clusters?.find((c: { name: string }) => c.name === ctx.cluster)?.cluster ?? {};
  const user = config.users?.find((u: { name: string }) => u.name === ctx.user)?.user ?? {};
  const base = dirname(resolve(file));
  const read = (key: string, path: string) => {
    try {
      return readFileSync(resolve(base, path));
    } catch (e) {
      throw new MembershipError(`${file}: cannot read ${key} ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  };
  for (const [obj, key] of [[cluster, 'certificate-authority'], [user, 'client-certificate'], [user, 'client-key']] as const) {
    if (typeof obj[key] !== 'string') continue;
    obj[`${key}-data`] = read(key, obj[key]).toString('base64');
    delete obj[key];
  }
  if (typeof user.tokenFile === 'string') {
    user.token = read('tokenFile', user.tokenFile).toString('utf8').trim();
    delete user.tokenFile;
  }
  return stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: ctx.cluster, cluster }],
    users: [{ name: ctx.user, user }],
    contexts: [{ name, context: { cluster: ctx.cluster, user: ctx.user } }],
    'current-context': name,
  });
}

/**
 * The credentials as stored: a credential plugin is replaced by the token it gave at join time, so the
 * control plane never runs commands named in stored credentials.
 */
function withoutPlugin(kubeconfig: string, pluginToken: string | undefined, file: string): string {
  const config = parse(kubeconfig);
  const user = config.users[0].user;
  if (!user.exec && !user['auth-provider']) return kubeconfig;
  if (!pluginToken) throw new MembershipError(`${file}: the credential plugin gave no bearer token`);
  delete user.exec;
  delete user['auth-provider'];
  user.token = pluginToken;
  return stringify(config);
}

export async function expectOk(res: MemberResponse, what: string, allowed: number[] = []): Promise<MemberResponse> {
  if ((res.status >= 200 && res.status < 300) || allowed.includes(res.status)) return res;
  throw new MembershipError(`${what}: ${res.json?.message ?? `HTTP ${res.status}`}`);
}

export interface JoinOptions {
  name: string;
  kubeconfig: string;
  kubeconfigText?: string;
  context?: string;
  mode?: string;
  /** Refresh the credentials and endpoint of an already joined cluster instead of failing (canopy up). */
  refresh?: boolean;
}

/** Checks the member answers with its credentials, stores them as a Secret, and creates the Cluster. */
export async function joinCluster(controlPlane: MemberClient, options: JoinOptions): Promise<Record<string, unknown>> {
  validateClusterName(options.name);
  const mode = options.mode ?? 'push';
  if (mode !== 'push') {
    throw new MembershipError(mode === 'pull'
      ? `a Pull cluster is registered with \`canopy register ${options.name}\`, then its agent runs beside the member (docs/pull.md)`
      : `unknown mode "${mode}"; use push or pull`);
  }
  const text = options.kubeconfigText ?? readKubeconfig(options.kubeconfig);
  const inlined = inlineKubeconfig(text, options.context, options.kubeconfig);
  const member = clientOf(inlined, undefined, options.kubeconfig);
  try {
    await member.version();
  } catch (e) {
    throw new MembershipError(`member cluster "${options.name}" does not answer: ${(e as Error).message}`);
  }
  const kubeconfig = withoutPlugin(inlined, await member.bearerToken(), options.kubeconfig);
  const existing = await controlPlane.request('GET', `${CLUSTERS}/${options.name}`);
  if (existing.status === 200 && !options.refresh) throw new MembershipError(`cluster "${options.name}" is already joined`);
  await expectOk(existing, 'cannot read the clusters of the control plane', [404]);

  const user = parse(kubeconfig).users[0].user;
  const caBundle = parse(kubeconfig).clusters[0].cluster['certificate-authority-data'];
  const secret = {
    apiVersion: 'v1', kind: 'Secret',
    metadata: { name: options.name, namespace: CLUSTER_SECRETS_NAMESPACE },
    type: 'Opaque',
    data: {
      kubeconfig: Buffer.from(kubeconfig).toString('base64'),
      ...(typeof user.token === 'string' ? { token: Buffer.from(user.token).toString('base64') } : {}),
      ...(caBundle ? { caBundle } : {}),
    },
  };
  const secretPath = `/api/v1/namespaces/${CLUSTER_SECRETS_NAMESPACE}/secrets/${options.name}`;
  const stored = await controlPlane.request('POST', `/api/v1/namespaces/${CLUSTER_SECRETS_NAMESPACE}/secrets`, secret);
  if (stored.status === 409) {
    await expectOk(await controlPlane.request('PUT', secretPath, secret), 'cannot store the cluster credentials');
  } else {
    await expectOk(stored, 'cannot store the cluster credentials');
  }
  const insecure = parse(kubeconfig).clusters[0].cluster['insecure-skip-tls-verify'] === true;
  const spec = {
    syncMode: 'Push', apiEndpoint: member.server,
    secretRef: { namespace: CLUSTER_SECRETS_NAMESPACE, name: options.name },
    ...(insecure ? { insecureSkipTLSVerification: true } : {}),
  };
  if (existing.status === 200) {
    const patched = await controlPlane.request('PATCH', `${CLUSTERS}/${options.name}`, { spec }, 'application/merge-patch+json');
    return (await expectOk(patched, `cannot update cluster "${options.name}"`)).json;
  }
  const created = await controlPlane.request('POST', CLUSTERS, {
    apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: options.name }, spec,
  });
  if (created.status === 409) throw new MembershipError(`cluster "${options.name}" is already joined`);
  return (await expectOk(created, `cannot create cluster "${options.name}"`)).json;
}

/**
 * Removes what Canopy placed on the member (objects labelled karmada.io/managed=true), then the Cluster
 * and its credentials. With force, an unreachable member is left as it is.
 */
export async function unjoinCluster(controlPlane: MemberClient, name: string, force = false): Promise<{ removed: number }> {
  const cluster = await controlPlane.request('GET', `${CLUSTERS}/${name}`);
  if (cluster.status === 404) throw new MembershipError(`cluster "${name}" is not joined`);
  await expectOk(cluster, 'cannot read the clusters of the control plane');
  if (cluster.json.spec?.syncMode === 'Pull') {
    // The control plane cannot reach a Pull member: its agent stops with its Cluster; what it applied stays.
    await expectOk(await controlPlane.request('DELETE', `${CLUSTERS}/${name}`), `cannot delete cluster "${name}"`, [404]);
    await worksGone(controlPlane, name);
    return { removed: 0 };
  }
  const ref = cluster.json.spec?.secretRef ?? { namespace: CLUSTER_SECRETS_NAMESPACE, name };
  const secretPath = `/api/v1/namespaces/${ref.namespace}/secrets/${ref.name}`;
  let member: MemberClient | undefined;
  try {
    const secret = await expectOk(await controlPlane.request('GET', secretPath), `cannot read the credentials of cluster "${name}"`);
    member = MemberClient.fromKubeconfig(Buffer.from(secret.json.data.kubeconfig, 'base64').toString('utf8'));
    await expectOk(await member.request('GET', '/api/v1'), 'the member does not answer');
  } catch (e) {
    if (!force) throw new MembershipError(`cannot clean up member cluster "${name}": ${(e as Error).message}; use --force to unjoin it anyway`);
    member = undefined;
  }
  // The Cluster goes first, so nothing is applied to the member any more while it is cleaned up.
  await expectOk(await controlPlane.request('DELETE', `${CLUSTERS}/${name}`), `cannot delete cluster "${name}"`, [404]);
  await worksGone(controlPlane, name);
  let removed = 0;
  if (member) {
    try {
      removed = await removeManagedObjects(member);
    } catch (e) {
      if (!force) throw new MembershipError(`cluster "${name}" was removed, but cleaning up the member failed: ${(e as Error).message}`);
    }
  }
  await expectOk(await controlPlane.request('DELETE', secretPath), `cannot delete the credentials of cluster "${name}"`, [404]);
  return { removed };
}

const WORKS_GONE_TIMEOUT_MS = 30_000;

/** Waits until the cluster's execution namespace holds no Works: no apply to the member is in flight any more. */
async function worksGone(controlPlane: MemberClient, name: string): Promise<void> {
  const deadline = Date.now() + WORKS_GONE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const res = await controlPlane.request('GET', `/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-${name}/works?limit=1`);
    if (res.status === 404 || (res.status === 200 && !res.json?.items?.length)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Deletes every object labelled karmada.io/managed=true in every resource the member serves. */
async function removeManagedObjects(member: MemberClient): Promise<number> {
  let removed = 0;
  const selector = `labelSelector=${encodeURIComponent(`${MANAGED_LABEL}=true`)}`;
  for (const gv of await member.apiEnablements()) {
    const prefix = apiPath(gv.groupVersion);
    for (const r of gv.resources) {
      const list = await member.request('GET', `${prefix}/${r.name}?${selector}`);
      if (list.status !== 200) continue;
      for (const item of list.json.items ?? []) {
        const ns = item.metadata.namespace;
        const path = `${prefix}/${ns ? `namespaces/${ns}/` : ''}${r.name}/${item.metadata.name}`;
        await expectOk(await member.request('DELETE', path), `cannot delete ${r.name} ${item.metadata.name} on the member`, [404]);
        removed++;
      }
    }
  }
  return removed;
}
