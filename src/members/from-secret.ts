// Building the client of a member cluster from its Cluster and the Secret its secretRef names, as the
// control-plane controllers do (a kubeconfig, or a token and caBundle with spec.apiEndpoint as Karmada's
// join writes them). Stored credentials never run a credential plugin. Errors carry no credential.
import { CLUSTER_SECRETS_NAMESPACE } from '../controlplane/bootstrap.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { MemberClient } from './client.ts';

/** A client that cannot be built from what the control plane stores. */
export class ClusterClientError extends Error {}

export interface ClusterClient {
  /** Changes whenever the Secret, the endpoint or the TLS setting changes (for caching). */
  version: string;
  client: MemberClient;
  /** Credential texts to scrub from any message. */
  secrets: string[];
}

/** Reads the Cluster's Secret and builds its client; a cached entry of the same version is returned as is. */
export async function clusterClientFromSecret(objects: ObjectService, cluster: KObject,
  cached?: ClusterClient): Promise<ClusterClient> {
  const name: string = cluster.metadata.name;
  const ref = cluster.spec?.secretRef;
  if (!ref?.name) throw new ClusterClientError(`cluster ${name} does not have a secret`);
  const namespace = ref.namespace || CLUSTER_SECRETS_NAMESPACE;
  const secrets = objects.registry.lookup('', 'v1', 'secrets')!;
  const secret = await objects.tryGet(secrets, namespace, ref.name);
  if (!secret) throw new ClusterClientError(`secrets "${ref.name}" not found in namespace "${namespace}"`);
  const version = `${namespace}/${ref.name}@${secret.metadata.resourceVersion}|${cluster.spec.apiEndpoint ?? ''}|${cluster.spec.insecureSkipTLSVerification ?? ''}`;
  if (cached?.version === version) return cached;
  const value = (key: string): string | undefined => {
    const b64 = secret.data?.[key];
    return typeof b64 === 'string' && b64 ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
  };
  const kubeconfig = value('kubeconfig');
  const token = value('token');
  const caBundle = value('caBundle');
  const sensitive = [kubeconfig, token, caBundle, secret.data?.token, secret.data?.caBundle]
    .filter((v): v is string => typeof v === 'string' && v.length >= 8);
  let text: string;
  if (kubeconfig) {
    text = kubeconfig;
  } else if (token) {
    if (!cluster.spec.apiEndpoint) throw new ClusterClientError(`the api endpoint of cluster ${name} is empty`);
    text = JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': name,
      clusters: [{ name, cluster: {
        server: cluster.spec.apiEndpoint,
        ...(caBundle ? { 'certificate-authority-data': Buffer.from(caBundle).toString('base64') } : {}),
        ...(cluster.spec.insecureSkipTLSVerification ? { 'insecure-skip-tls-verify': true } : {}),
      } }],
      users: [{ name, user: { token } }],
      contexts: [{ name, context: { cluster: name, user: name } }],
    });
  } else {
    throw new ClusterClientError(`the secret for cluster ${name} is missing a non-empty value for "kubeconfig"`);
  }
  try {
    return { version, client: MemberClient.fromKubeconfig(text), secrets: sensitive };
  } catch (e) {
    throw new ClusterClientError(`the kubeconfig of the secret for cluster ${name} cannot be used: ${scrubSecrets(firstLine(e), sensitive)}`);
  }
}

/** Removes any credential text from a message. */
export function scrubSecrets(message: string, sensitive: string[]): string {
  let out = message;
  for (const s of sensitive) if (s) out = out.split(s).join('[redacted]');
  return out;
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0]!;
}
