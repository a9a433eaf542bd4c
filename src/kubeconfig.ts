// Writing kubeconfig files for the servers Canopy starts.
import { stringify } from 'yaml';
import { writeFileAtomic } from './pki/pki.ts';

export interface KubeconfigSpec {
  server: string;
  caCert: string;
  token: string;
  /** Name of the cluster, user and context. */
  context: string;
}

export function kubeconfigYaml(spec: KubeconfigSpec): string {
  return stringify({
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [{ name: spec.context, cluster: { server: spec.server, 'certificate-authority-data': Buffer.from(spec.caCert).toString('base64') } }],
    users: [{ name: spec.context, user: { token: spec.token } }],
    contexts: [{ name: spec.context, context: { cluster: spec.context, user: spec.context } }],
    'current-context': spec.context,
  });
}

export function writeKubeconfig(path: string, spec: KubeconfigSpec): void {
  writeFileAtomic(path, kubeconfigYaml(spec));
}

/** A kubeconfig authenticating with a client certificate. */
export function clientCertKubeconfigYaml(spec: { server: string; caCert: string; cert: string; key: string; context: string }): string {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return stringify({
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [{ name: spec.context, cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caCert) } }],
    users: [{ name: spec.context, user: { 'client-certificate-data': b64(spec.cert), 'client-key-data': b64(spec.key) } }],
    contexts: [{ name: spec.context, context: { cluster: spec.context, user: spec.context } }],
    'current-context': spec.context,
  });
}
