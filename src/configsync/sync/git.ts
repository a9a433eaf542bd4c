// A RootSync's Git source, fetched with the `git` command-line client into the control plane's state directory.
// Restart-safe: the fetched objects live in a bare repository (a broken one, from a kill mid-write, is removed and
// fetched again). A commit's files are read from `git archive` into memory, never written out: a repo of thousands of
// files is read in a fraction of the time creating them on disk takes, and symbolic links are not followed.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
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

export class GitMirror {
  private readonly mirror: string;

  constructor(dir: string) {
    this.mirror = join(dir, 'repo.git');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
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

  /** The regular files of a fetched commit under dir (a slash path; '' for all), by their path relative to dir. */
  async files(commit: string, dir: string): Promise<Map<string, string>> {
    const prefix = dir ? `${dir}/` : '';
    const files = new Map<string, string>();
    for (const [path, content] of tarFiles(await archive(this.mirror, commit))) {
      if (path.startsWith(prefix)) files.set(path.slice(prefix.length), content.toString('utf8'));
    }
    return files;
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

/** `git archive --format=tar COMMIT`, in memory. */
function archive(mirror: string, commit: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const git = spawn('git', ['-C', mirror, 'archive', '--format=tar', commit], { env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    git.stdout.on('data', (c: Buffer) => chunks.push(c));
    git.stderr.on('data', (c) => { stderr += c; });
    git.on('error', reject);
    git.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new GitError(`cannot read ${commit}: ${stderr.trim().split('\n').slice(-3).join('; ')}`));
    });
  });
}

const TAR_BLOCK = 512;

/** The regular files of a tar archive as git writes it (ustar, with pax headers for long paths), by path. */
function tarFiles(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const text = (at: number, length: number) => {
    const field = tar.subarray(at, at + length);
    const end = field.indexOf(0);
    return field.subarray(0, end < 0 ? length : end).toString('utf8');
  };
  let longPath: string | undefined;
  for (let at = 0; at + TAR_BLOCK <= tar.length;) {
    const name = text(at, 100);
    if (!name) break; // the two zero blocks at the end
    const size = parseInt(text(at + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[at + 156] ?? 0);
    const prefix = text(at + 345, 155);
    const body = tar.subarray(at + TAR_BLOCK, at + TAR_BLOCK + size);
    if (!Number.isFinite(size) || body.length !== size) throw new GitError('git archive wrote a truncated tar stream');
    at += TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
    if (type === 'x') {
      longPath = paxPath(body);
      continue;
    }
    const path = longPath ?? (prefix ? `${prefix}/${name}` : name);
    longPath = undefined;
    if (type === '0' || type === '\0') files.set(path, body);
  }
  return files;
}

/** The `path` record of a pax extended header: records of "<length in bytes> <key>=<value>\n". */
function paxPath(records: Buffer): string | undefined {
  for (let at = 0; at < records.length;) {
    const space = records.indexOf(0x20, at);
    const length = space < 0 ? NaN : parseInt(records.toString('utf8', at, space), 10);
    if (!(length > 0)) return undefined;
    const record = records.toString('utf8', space + 1, at + length - 1);
    if (record.startsWith('path=')) return record.slice('path='.length);
    at += length;
  }
  return undefined;
}
