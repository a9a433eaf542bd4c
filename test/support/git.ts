// Git repos for tests, made and changed with the real `git` command-line client.
import { spawnSync } from 'node:child_process';
import { cpSync } from 'node:fs';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Canopy Test', GIT_AUTHOR_EMAIL: 'test@canopy.invalid',
  GIT_COMMITTER_NAME: 'Canopy Test', GIT_COMMITTER_EMAIL: 'test@canopy.invalid',
  GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Runs git in dir; returns stdout, throws with git's stderr on failure. */
export function git(dir: string, args: string[]): string {
  const r = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, ...IDENTITY } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A repo in dir on branch main with the files of source (if any) as its first commit; returns the commit. */
export function initRepo(dir: string, source?: string): string {
  if (source) cpSync(source, dir, { recursive: true });
  git(dir, ['init', '--quiet', '--initial-branch', 'main']);
  return commitAll(dir, 'initial');
}

/** Commits every change in the work tree; returns the new commit. */
export function commitAll(dir: string, message: string): string {
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '--allow-empty', '--message', message]);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}
