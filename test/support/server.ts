// Starts real canopy processes for tests: `canopy serve` on a free port in a temporary state directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request, type RequestOptions } from 'node:https';
import { parse } from 'yaml';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const CANOPY = join(ROOT, 'bin', 'canopy');

export interface RunningServer {
  url: string;
  dir: string;
  kubeconfig: string;
  token: string;
  ca: string;
  process: ChildProcess;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

export function tempDir(prefix = 'canopy-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `canopy serve` (or `canopy member NAME`) and resolves once it prints ready. */
export async function startServer(options: {
  dir?: string; port?: number; args?: string[]; command?: 'serve' | 'member'; name?: string;
} = {}): Promise<RunningServer> {
  const dir = options.dir ?? tempDir();
  const command = options.command === 'member' ? ['member', options.name ?? 'member'] : ['serve'];
  const child = spawn(process.execPath, [CANOPY, ...command, '--dir', dir, '--port', String(options.port ?? 0), ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`canopy serve did not become ready:\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const m = /^ready (\S+)/m.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    });
    child.stderr!.on('data', (chunk) => { output += chunk; });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`canopy serve exited with ${code}:\n${output}`));
    });
  });
  const kubeconfig = join(dir, 'kubeconfig');
  const config = parse(readFileSync(kubeconfig, 'utf8'));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    url, dir, kubeconfig, process: child,
    token: config.users[0].user.token,
    ca: Buffer.from(config.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl against a server, with its own discovery cache. */
export function kubectl(server: RunningServer, args: string[], options: { input?: string; binary?: string } = {}): KubectlResult {
  const result = spawnSync(options.binary ?? KUBECTL, ['--kubeconfig', server.kubeconfig, '--cache-dir', join(server.dir, 'kubectl-cache'), ...args], {
    input: options.input, encoding: 'utf8', timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

export interface HttpAnswer { status: number; headers: Headers; text: string; json: any }

/** One HTTPS request (a string or Buffer body as is, anything else as JSON), its answer read whole. */
export function httpsRequest(options: RequestOptions, body?: unknown): Promise<HttpAnswer & { reusedSocket: boolean }> {
  const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolveReq, reject) => {
    const req = request({
      ...options,
      headers: { 'Content-Type': 'application/json', ...(data !== undefined ? { 'Content-Length': String(Buffer.byteLength(data)) } : {}), ...options.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolveReq({ status: res.statusCode ?? 0, headers: h, text, json, reusedSocket: req.reusedSocket });
      });
    });
    req.on('error', (e) => reject(Object.assign(e, { reusedSocket: req.reusedSocket })));
    if (data !== undefined) req.write(data);
    req.end();
  });
}

/**
 * An authenticated HTTPS request to the server. The path is sent as is (no resolution of `.`/`..`
 * segments); `agent: false` sends it on a connection of its own.
 */
export async function api(server: RunningServer, method: string, path: string, body?: unknown,
  headers: Record<string, string> = {}, agent?: Agent | false): Promise<HttpAnswer> {
  const url = new URL(server.url);
  const send = () => httpsRequest({
    host: url.hostname, port: url.port, path, method, ca: server.ca, ...(agent !== undefined ? { agent } : {}),
    headers: { Authorization: `Bearer ${server.token}`, ...headers },
  }, body);
  try {
    return await send();
  } catch (e) {
    // A pooled connection the server closed while this process was blocked (spawnSync) fails at its first use:
    // the request never reached the server, so it is sent again, as Node's documentation advises.
    if ((e as { reusedSocket?: boolean }).reusedSocket && (e as NodeJS.ErrnoException).code === 'ECONNRESET') return send();
    throw e;
  }
}

/** Runs kubectl and asserts it succeeded; returns stdout. */
export function kubectlOk(server: RunningServer, args: string[], options: { input?: string; binary?: string } = {}): string {
  const r = kubectl(server, args, options);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** Runs kubectl and asserts it failed; returns stderr. */
export function kubectlFails(server: RunningServer, args: string[], options: { input?: string; binary?: string } = {}): string {
  const r = kubectl(server, args, options);
  if (r.code === 0) throw new Error(`kubectl ${args.join(' ')} unexpectedly succeeded:\n${r.stdout}`);
  return r.stderr;
}

/** The non-empty lines of a command's output, trailing blanks trimmed. */
export function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);
}

/** Polls probe until it returns a value (errors count as not yet), or fails after timeoutMs saying what it waited for. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
