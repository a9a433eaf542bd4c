// canopy vet / canopy hydrate: Config Sync's `nomos vet` and `nomos hydrate` on a local repo, offline.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { formatClusterKnvList, formatKnv, formatKnvList, type KnvError, NOMOS_VET_OK } from '../configsync/knv.ts';
import { goQuote } from '../gofmt.ts';
import { type ClusterObjects, type OutputFormat, outputFiles, renderFile, writeOutput } from '../configsync/output.ts';
import { type ClusterInfo, loadHierarchicalRepo, type LoadedRepo, type SourceFormat } from '../configsync/repo.ts';

type Run = (work: () => Promise<void>) => Promise<void>;

function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`);
  };
}

function clusterNames(value: string): ClusterInfo[] {
  const names = [...new Set(value.split(',').map((n) => n.trim()).filter(Boolean))];
  if (!names.length) throw new InvalidArgumentError('name at least one cluster, e.g. --clusters member1,member2');
  return names.map((name) => ({ name }));
}

interface RepoOptions {
  path: string;
  clusters?: ClusterInfo[];
  sourceFormat: SourceFormat;
}

function repoCommand(program: Command, name: string, description: string): Command {
  return program.command(name)
    .description(description)
    .option('--path <dir>', 'root directory of the repo', '.')
    .option('--clusters <names>', 'comma-separated cluster names to hydrate for; labels come from clusterregistry/ Clusters (default: defaultcluster and the clusters the repo declares)', clusterNames)
    .option('--source-format <format>', 'hierarchy or unstructured', oneOf(['hierarchy', 'unstructured'] as const), 'hierarchy');
}

function load(opts: RepoOptions): LoadedRepo {
  return loadHierarchicalRepo(resolve(opts.path), { clusters: opts.clusters, format: opts.sourceFormat });
}

function errorsAsJson(errors: readonly KnvError[]): object[] {
  return errors.map((e) => ({ code: e.code, message: e.message, text: formatKnv(e), paths: e.paths, resources: e.resources }));
}

export function registerConfigSyncCommands(program: Command, run: Run): void {
  repoCommand(program, 'vet', 'Validate a Config Sync repo as `nomos vet` does, for each cluster')
    .option('--format <format>', 'text or json', oneOf(['text', 'json'] as const), 'text')
    .action((opts: RepoOptions & { format: 'text' | 'json' }) => run(async () => {
      const repo = load(opts);
      const failed = repo.clusters.filter((c) => c.errors.length);
      if (opts.format === 'json') {
        const report = repo.clusters.map((c) => ({ cluster: c.cluster, objects: c.objects.length, errors: errorsAsJson(c.errors) }));
        process.stdout.write(`${JSON.stringify({ clusters: report }, null, 2)}\n`);
      } else if (failed.length) {
        process.stderr.write(`${failed.map((c) => formatClusterKnvList(c.cluster, c.errors)).join('\n\n')}\n`);
      } else {
        process.stdout.write(`${NOMOS_VET_OK}\n`);
      }
      if (failed.length) process.exitCode = 1;
    }));

  repoCommand(program, 'hydrate', 'Write the objects each cluster gets from a Config Sync repo, as `nomos hydrate` does')
    .option('--output <dir>', 'where to write them (with --flat: the file)', 'compiled')
    .option('--format <format>', 'yaml or json', oneOf(['yaml', 'json'] as const), 'yaml')
    .option('--flat', 'write every object into one file')
    .action((opts: RepoOptions & { output: string; format: OutputFormat; flat?: boolean }) => run(async () => {
      const repo = load(opts);
      for (const c of repo.clusters.filter((h) => h.errors.length)) {
        process.stderr.write(`errors for Cluster ${goQuote(c.cluster)}: ${formatKnvList(c.errors)}\n`);
      }
      const clusters: ClusterObjects[] = repo.clusters.map((c) => ({ cluster: c.cluster, objects: c.objects }));
      const files = outputFiles(clusters, opts.format);
      if (opts.flat) {
        mkdirSync(dirname(resolve(opts.output)), { recursive: true });
        writeFileSync(opts.output, renderFile([...files.values()].flat(), opts.format));
        process.stdout.write(`wrote ${[...files.values()].flat().length} objects to ${opts.output}\n`);
      } else {
        writeOutput(opts.output, files, opts.format);
        process.stdout.write(`wrote ${files.size} files to ${opts.output}/\n`);
      }
      if (repo.errors.length) process.exitCode = 1;
    }));
}
