// A RootSync's Git source, fetched with the `git` command-line client into the control plane's state directory.
// Restart-safe: the fetched objects live in a bare repository (a broken one, from a kill mid-write, is removed and
// fetched again), and each commit is extracted into a directory of its own that appears by an atomic rename, so a
// checkout directory is always complete.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GIT_TIMEOUT_MS = 10 * 60_000;
/** Transports the control plane may use: never `ext::` or other command-running ones. */
const ALLOWED_PROTOCOLS = 'file:https:http:ssh:git';

export interface GitCredentials {
  username: string;
  token: string;
}

export interface GitFetch {
  repo: string;
  /** The branch, tag, ref or commit to fetch. */
  ref: string;
  credentials?: GitCredentials;
}

/** A git command failed; the message is git's own (its last lines of stderr). */
export class GitError extends Error {}

export class GitCheckouts {
  private readonly mirror: string;
  private readonly checkouts: string;

  constructor(dir: string) {
    this.mirror = join(dir, 'repo.git');
    this.checkouts = join(dir, 'checkouts');
    mkdirSync(this.checkouts, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(this.checkouts)) {
      if (name.includes('.partial-')) rmSync(join(this.checkouts, name), { recursive: true, force: true });
    }
  }

  /** Fetches ref from the repo and returns its commit hash. */
  async fetch(source: GitFetch): Promise<string> {
    if (source.repo.startsWith('-') || source.ref.startsWith('-')) throw new GitError(`invalid git repo or revision: ${source.repo} ${source.ref}`);
    try {
      return await this.fetchInto(source);
    } catch (e) {
      if (!(await this.mirrorIsHealthy())) {
        rmSync(this.mirror, { recursive: true, force: true });
        return this.fetchInto(source);
      }
      throw e;
    }
  }

  /** The directory holding the commit's files, extracted on first use. */
  async checkout(commit: string): Promise<string> {
    const target = join(this.checkouts, commit);
    if (existsSync(target)) return target;
    const partial = `${target}.partial-${process.pid}-${Date.now()}`;
    mkdirSync(partial, { recursive: true });
    try {
      await extract(this.mirror, commit, partial);
      renameSync(partial, target);
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
    return target;
  }

  /** Removes the checkouts of every commit but these. */
  prune(keep: readonly string[]): void {
    for (const name of readdirSync(this.checkouts)) {
      if (!keep.includes(name)) rmSync(join(this.checkouts, name), { recursive: true, force: true });
    }
  }

  private async fetchInto(source: GitFetch): Promise<string> {
    if (!existsSync(this.mirror)) {
      const partial = `${this.mirror}.partial-${process.pid}`;
      rmSync(partial, { recursive: true, force: true });
      await git(['init', '--quiet', '--bare', partial]);
      renameSync(partial, this.mirror);
    }
    await git(['-C', this.mirror, 'fetch', '--quiet', '--no-tags', '--force', source.repo, source.ref], source.credentials);
    const { stdout } = await git(['-C', this.mirror, 'rev-parse', '--verify', 'FETCH_HEAD^{commit}']);
    return stdout.trim();
  }

  private async mirrorIsHealthy(): Promise<boolean> {
    if (!existsSync(this.mirror)) return true;
    try {
      await git(['-C', this.mirror, 'fsck', '--connectivity-only', '--no-dangling']);
      return true;
    } catch {
      return false;
    }
  }
}

function gitEnv(credentials?: GitCredentials): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS,
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes', GIT_CONFIG_NOSYSTEM: '1',
  };
  if (credentials) {
    // In the environment, not on the command line, where any user of the host could read it.
    const basic = Buffer.from(`${credentials.username}:${credentials.token}`).toString('base64');
    Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}` });
  }
  return env;
}

async function git(args: string[], credentials?: GitCredentials): Promise<{ stdout: string }> {
  try {
    return await run('git', args, { env: gitEnv(credentials), timeout: GIT_TIMEOUT_MS, maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const text = (err.stderr || err.message).trim().split('\n').slice(-3).join('; ');
    throw new GitError(credentials ? text.replaceAll(credentials.token, '***') : text);
  }
}

/** `git archive COMMIT | tar -x -C DIR`. */
function extract(mirror: string, commit: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['-C', mirror, 'archive', '--format=tar', commit], { env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    archive.stderr.on('data', (c) => { stderr += c; });
    tar.stderr.on('data', (c) => { stderr += c; });
    archive.stdout.pipe(tar.stdin);
    let pending = 2;
    let failed = false;
    const done = (code: number | null) => {
      if (code !== 0) failed = true;
      if (--pending) return;
      if (failed) reject(new GitError(`cannot check out ${commit}: ${stderr.trim().split('\n').slice(-3).join('; ')}`));
      else resolve();
    };
    archive.on('close', done);
    tar.on('close', done);
    archive.on('error', reject);
    tar.on('error', reject);
  });
}
