// Child processes and temporary directories of a bench run, all released by cleanup() (also at exit).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

/** Kills every child still running and removes every temporary directory. Synchronous, so it can run at exit. */
export function cleanupSync(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

process.on('exit', cleanupSync);

interface Started {
  child: ChildProcess;
  /** The first match of pattern in stdout. */
  match: RegExpExecArray;
  /** SIGTERM, wait (at most timeoutMs), then SIGKILL. */
  stop(timeoutMs?: number): Promise<void>;
}

async function startChild(args: string[], pattern: RegExp, timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT, env: env ?? process.env });
  children.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => { children.delete(child); r(); }));
  let output = '';
  const stop = async (stopTimeoutMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    const match = await new Promise<RegExpExecArray>((resolveMatch, reject) => {
      const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not become ready:\n${output}`)), timeoutMs);
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        const m = pattern.exec(output);
        if (m) {
          clearTimeout(timer);
          resolveMatch(m);
        }
      });
      child.stderr!.on('data', (chunk) => { output += chunk; });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${args.join(' ')} exited (${code ?? signal}):\n${output}`));
      });
    });
    // Keep draining the pipes so the child never blocks on a full one.
    child.stdout!.resume();
    child.stderr!.resume();
    return { child, match, stop };
  } catch (error) {
    await stop(1000);
    throw error;
  }
}

export interface Canopy {
  url: string;
  dir: string;
  token: string;
  ca: string;
  cert: string;
  key: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `canopy serve` on a free port of 127.0.0.1 with a fresh state directory (and the given --store). */
export async function startCanopy(extraNodeArgs: string[] = [], store?: string): Promise<Canopy> {
  const dir = tempDir('canopy-bench-');
  const started = await startChild(
    [...extraNodeArgs, join(ROOT, 'bin', 'canopy'), 'serve', '--dir', dir, '--port', '0', '--host', '127.0.0.1',
      '--log-level', 'warn', ...(store ? ['--store', store] : [])],
    /^ready (\S+)/m, 120_000);
  const config = parse(readFileSync(join(dir, 'kubeconfig'), 'utf8'));
  return {
    url: started.match[1]!, dir, pid: started.child.pid!,
    token: config.users[0].user.token,
    ca: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
    cert: readFileSync(join(dir, 'pki', 'apiserver.crt'), 'utf8'),
    key: readFileSync(join(dir, 'pki', 'apiserver.key'), 'utf8'),
    stop: () => started.stop(),
  };
}

export interface BareServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts bench/bare-server.ts in its own process, answering every request (once its body is read) with status,
 *  headers and body. */
export async function startBareServer(tls: { cert: string; key: string }, status: number, body: Buffer,
  headers: Record<string, string>): Promise<BareServer> {
  const dir = tempDir('canopy-bench-bare-');
  writeFileSync(join(dir, 'tls.crt'), tls.cert);
  writeFileSync(join(dir, 'tls.key'), tls.key, { mode: 0o600 });
  writeFileSync(join(dir, 'body'), body);
  writeFileSync(join(dir, 'response.json'), JSON.stringify({ status, headers }));
  const started = await startChild(['--import', 'tsx', join(ROOT, 'bench', 'bare-server.ts'), dir], /^ready (\S+)/m, 30_000);
  return {
    url: started.match[1]!,
    async stop() {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}

export interface MemberHost {
  members: Array<{ name: string; url: string; kubeconfig: string }>;
  pid: number;
  stop(): Promise<void>;
}

/** Starts bench/member-host.ts: count local member clusters (member1, member2, ...) in one process. */
export async function startMemberHost(count: number, extraNodeArgs: string[] = []): Promise<MemberHost> {
  const dir = tempDir('canopy-bench-members-');
  const started = await startChild([...extraNodeArgs, '--import', 'tsx', join(ROOT, 'bench', 'member-host.ts'), dir, String(count)],
    /^ready (\S+)/m, 300_000);
  return { members: JSON.parse(readFileSync(started.match[1]!, 'utf8')), pid: started.child.pid!, stop: () => started.stop() };
}

export interface AgentHost {
  pid: number;
  stop(): Promise<void>;
}

/** Starts bench/agent-host.ts: a `canopy agent` for each of the first count members, in one process (Pull mode). */
export async function startAgentHost(controlPlaneKubeconfig: string, members: Array<{ name: string; kubeconfig: string }>,
  count: number, extraNodeArgs: string[] = []): Promise<AgentHost> {
  const dir = tempDir('canopy-bench-agents-');
  writeFileSync(join(dir, 'members.json'), JSON.stringify(members));
  const started = await startChild([...extraNodeArgs, '--import', 'tsx', join(ROOT, 'bench', 'agent-host.ts'), controlPlaneKubeconfig,
    join(dir, 'members.json'), String(count)], /^ready$/m, 300_000);
  return {
    pid: started.child.pid!,
    async stop() {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}
