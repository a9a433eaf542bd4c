// Config Sync repos in temporary directories, and the real canopy CLI run on them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CANOPY = join(ROOT, 'bin', 'canopy');

export const REPO_YAML = 'apiVersion: configmanagement.gke.io/v1\nkind: Repo\nmetadata:\n  name: repo\nspec:\n  version: 1.0.0\n';

const temporaryDirectories: string[] = [];

/** A new temporary directory, removed by removeTemporaryDirectories(). */
export function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporaryDirectories.push(dir);
  return dir;
}

export function removeTemporaryDirectories(): void {
  for (const dir of temporaryDirectories.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A repo in a new temporary directory: system/repo.yaml (unless files sets it to null) and the given files. */
export function makeRepo(files: Record<string, string | null>): string {
  const dir = temporaryDirectory('canopy-configsync-');
  for (const [path, text] of Object.entries({ 'system/repo.yaml': REPO_YAML, ...files })) {
    if (text === null) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export function namespaceYaml(name: string, labels: Record<string, string> = {}): string {
  const labelLines = Object.entries(labels).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`).join('');
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${labelLines ? `  labels:\n${labelLines}` : ''}`;
}

export function configMapYaml(name: string, extraMetadata = ''): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extraMetadata}data:\n  key: value\n`;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function canopy(args: string[], cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [CANOPY, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
