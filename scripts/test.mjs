// Runs the type checker, then every *.test.ts file with node's test runner (through tsx).
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) find(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const only = process.argv.slice(2);
if (only.length === 0) execFileSync('npx', ['tsc', '--noEmit', '-p', '.'], { stdio: 'inherit' });
const files = only.length ? only : ['src', 'test'].flatMap((d) => { try { return find(d); } catch { return []; } }).sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
