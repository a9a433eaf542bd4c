// Extracts strategic-merge-patch metadata (x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key) from the
// `patchStrategy` and `patchMergeKey` struct tags of the k8s.io API types in a kubectl binary — the very tags
// upstream's strategic merge patch reads — and writes it as a small JSON file committed to the repository.
//
//   npx tsx scripts/extract-patch-strategies.ts [path/to/kubectl]
//
// The server never reads the kubectl binary; only the generated JSON (through scripts/gen-openapi-schemas.ts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KUBECTL_BINARIES, goStructs, kubectlVersion } from './kubectl-binary.ts';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '../src/registry/openapi/patch-strategies.json');

export interface FieldPatchInfo {
  strategy?: string;
  mergeKey?: string;
}

function main(): void {
  const source = process.argv[2] ?? DEFAULT_KUBECTL_BINARIES.find((p) => existsSync(p));
  if (!source) throw new Error('kubectl binary not found; pass its path');
  const definitions: Record<string, Record<string, FieldPatchInfo>> = {};
  for (const [message, fields] of goStructs(readFileSync(source))) {
    // k8s.io.api.core.v1.PodSpec is the OpenAPI definition io.k8s.api.core.v1.PodSpec.
    const definition = `io.k8s.${message.slice('k8s.io.'.length)}`;
    for (const field of fields.values()) {
      const strategy = /patchStrategy:"([^"]+)"/.exec(field.tag)?.[1];
      const mergeKey = /patchMergeKey:"([^"]+)"/.exec(field.tag)?.[1];
      if (!strategy && !mergeKey) continue;
      (definitions[definition] ??= {})[field.jsonName] = { ...(strategy ? { strategy } : {}), ...(mergeKey ? { mergeKey } : {}) };
    }
  }
  const sorted = Object.fromEntries(Object.keys(definitions).sort().map((name) => [name,
    Object.fromEntries(Object.keys(definitions[name]!).sort().map((f) => [f, definitions[name]![f]]))]));
  const out = {
    $source: {
      description: 'Strategic merge patch metadata extracted by scripts/extract-patch-strategies.ts',
      from: 'patchStrategy/patchMergeKey struct tags of the k8s.io API types in a kubectl binary',
      kubectl: kubectlVersion(source),
    },
    ...sorted,
  };
  writeFileSync(OUT, JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${Object.keys(sorted).length} definitions to ${OUT}`);
}

main();
