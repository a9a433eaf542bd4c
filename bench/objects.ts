// The ConfigMaps the bench creates, and seeding helpers.
import type { Client } from './client.ts';
import { runLoad } from './load.ts';

/** A ConfigMap of a typical small size (about 0.5 KiB serialized). */
export function configMap(name: string): object {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name, labels: { app: 'bench', tier: 'config' } },
    data: {
      'app.properties': 'log.level=info\nfeature.alpha=true\nfeature.beta=false\nretries=3\ntimeout=30s\n',
      'settings.json': JSON.stringify({ replicas: 3, region: 'eu-west-1', endpoints: ['a.example.com', 'b.example.com'] }),
      owner: 'platform-team',
    },
  };
}

export const configMapsPath = (namespace: string) => `/api/v1/namespaces/${namespace}/configmaps`;

export async function createNamespace(client: Client, name: string): Promise<void> {
  const res = await client.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (res.status !== 201 && res.status !== 409) throw new Error(`creating namespace ${name}: ${res.status} ${res.text}`);
}

/** Creates count ConfigMaps named `${prefix}-N` with concurrent creates; returns the seconds it took. */
export async function seedConfigMaps(client: Client, namespace: string, prefix: string, count: number,
  concurrency: number): Promise<number> {
  const path = configMapsPath(namespace);
  const started = performance.now();
  await runLoad({ concurrency, durationMs: 120_000, maxOps: count, maxErrors: 10 }, async (seq) => {
    const res = await client.send('POST', path, JSON.stringify(configMap(`${prefix}-${seq}`)));
    return res.status === 201;
  });
  return (performance.now() - started) / 1000;
}
