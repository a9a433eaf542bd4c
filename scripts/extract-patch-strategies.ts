// Extracts strategic-merge-patch metadata (x-kubernetes-patch-strategy,
// x-kubernetes-patch-merge-key, x-kubernetes-list-type, x-kubernetes-list-map-keys)
// from the Kubernetes swagger.json shipped by Debian's golang-k8s-kube-openapi-dev
// package, and writes it as a small JSON file committed to the repository.
//
//   apt-get install -y golang-k8s-kube-openapi-dev
//   npx tsx scripts/extract-patch-strategies.ts [path/to/openapi.json]
//
// The server never reads the swagger document; only the generated JSON.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_SOURCES = [
  '/usr/share/gocode/src/k8s.io/kube-openapi/test/integration/testdata/aggregator/openapi.json',
  '/tmp/kod/usr/share/gocode/src/k8s.io/kube-openapi/test/integration/testdata/aggregator/openapi.json',
];
const OUT = join(dirname(fileURLToPath(import.meta.url)), '../src/registry/openapi/patch-strategies.json');

export interface FieldPatchInfo {
  strategy?: string;
  mergeKey?: string;
  listType?: string;
  listMapKeys?: string[];
}

interface SwaggerSchema {
  properties?: Record<string, Record<string, unknown>>;
}

function pick(prop: Record<string, unknown>): FieldPatchInfo | undefined {
  const info: FieldPatchInfo = {};
  if (typeof prop['x-kubernetes-patch-strategy'] === 'string') info.strategy = prop['x-kubernetes-patch-strategy'];
  if (typeof prop['x-kubernetes-patch-merge-key'] === 'string') info.mergeKey = prop['x-kubernetes-patch-merge-key'];
  if (typeof prop['x-kubernetes-list-type'] === 'string') info.listType = prop['x-kubernetes-list-type'];
  if (Array.isArray(prop['x-kubernetes-list-map-keys'])) info.listMapKeys = prop['x-kubernetes-list-map-keys'] as string[];
  return Object.keys(info).length ? info : undefined;
}

/** The installed Debian package version, when the source came from it. */
function packageVersion(): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'golang-k8s-kube-openapi-dev'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function main(): void {
  const source = process.argv[2] ?? DEFAULT_SOURCES.find((p) => existsSync(p));
  if (!source) throw new Error('swagger source not found; apt-get install -y golang-k8s-kube-openapi-dev');
  const swagger = JSON.parse(readFileSync(source, 'utf8')) as {
    info?: { title?: string; version?: string };
    definitions: Record<string, SwaggerSchema>;
  };
  const definitions: Record<string, Record<string, FieldPatchInfo>> = {};
  for (const name of Object.keys(swagger.definitions).sort()) {
    const props = swagger.definitions[name].properties ?? {};
    for (const field of Object.keys(props).sort()) {
      const info = pick(props[field]);
      if (info) (definitions[name] ??= {})[field] = info;
    }
  }
  const out = {
    $source: {
      description: 'Strategic merge patch metadata extracted by scripts/extract-patch-strategies.ts',
      package: `Debian golang-k8s-kube-openapi-dev ${packageVersion()}`,
      file: 'k8s.io/kube-openapi/test/integration/testdata/aggregator/openapi.json',
      kubernetes: `${swagger.info?.title ?? 'Kubernetes'} ${swagger.info?.version ?? ''}`.trim(),
    },
    ...definitions,
  };
  writeFileSync(OUT, JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${Object.keys(definitions).length} definitions to ${OUT}`);
}

main();
