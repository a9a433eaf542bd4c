// Real etcd processes for tests: one member or a cluster, on free ports of 127.0.0.1, each member in its own
// data directory under one temporary directory. Members can be killed, stopped and started again on the same
// data directory and ports. Every process still running when the test process exits is killed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { loadOrCreateCredentials } from '../../src/pki/pki.ts';

const ETCD = process.env.ETCD ?? 'etcd';
const ETCDCTL = process.env.ETCDCTL ?? 'etcdctl';
const READY_TIMEOUT_MS = 30_000;

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface EtcdTls {
  /** PEM files: the server's certificate and key, and the CA that client certificates must be signed by. */
  cert: string;
  key: string;
  ca: string;
}

export interface TlsFiles extends EtcdTls {
  /** A client certificate signed by ca, and its key. */
  clientCert: string;
  clientKey: string;
}

/** A CA, a serving certificate for 127.0.0.1 (the project's own PKI) and a client certificate, as files in dir. */
export function makeTlsFiles(dir: string): TlsFiles {
  loadOrCreateCredentials(dir);
  const pki = join(dir, 'pki');
  const caCert = forge.pki.certificateFromPem(readFileSync(join(pki, 'ca.crt'), 'utf8'));
  const caKey = forge.pki.privateKeyFromPem(readFileSync(join(pki, 'ca.key'), 'utf8'));
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '02';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'canopy-etcd-client' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  const clientCert = join(pki, 'client.crt');
  const clientKey = join(pki, 'client.key');
  writeFileSync(clientCert, forge.pki.certificateToPem(cert));
  writeFileSync(clientKey, forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600 });
  return { ca: join(pki, 'ca.crt'), cert: join(pki, 'apiserver.crt'), key: join(pki, 'apiserver.key'), clientCert, clientKey };
}

export interface EtcdMember {
  name: string;
  /** 127.0.0.1:PORT, the form the store URL takes. */
  endpoint: string;
  /** http://127.0.0.1:PORT (https:// with TLS), the form etcdctl takes. */
  clientUrl: string;
  dir: string;
  readonly running: boolean;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
  /** Starts the member again (same data directory, ports and flags) and waits until it serves clients. */
  start(): Promise<void>;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** etcd://HOST:PORT,... of every member, without options. */
  url: string;
  /** Stops every member and removes the data directories. */
  stop(): Promise<void>;
}

/** count distinct free TCP ports of 127.0.0.1 (held open together, so they differ, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
      ports.push((server.address() as { port: number }).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

class Member implements EtcdMember {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(readonly name: string, readonly endpoint: string, readonly clientUrl: string, readonly dir: string,
    private readonly args: string[]) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error(`etcd member ${this.name} is already running`);
    const child = spawn(ETCD, this.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) => child.once('exit', () => {
      running.delete(child);
      if (this.child === child) this.child = undefined;
      resolve();
    }));
    let log = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`etcd ${this.name} did not serve clients within ${READY_TIMEOUT_MS / 1000} s:\n${log.slice(-4000)}`)),
          READY_TIMEOUT_MS);
        child.stderr!.on('data', (chunk: Buffer) => {
          log += chunk.toString();
          if (/serving client traffic/.test(log)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`etcd ${this.name} exited (${code ?? signal}):\n${log.slice(-4000)}`));
        });
      });
    } catch (error) {
      await this.kill();
      throw error;
    }
    // Keep draining stderr so etcd never blocks on a full pipe; forget what it says.
    log = '';
    child.stderr!.removeAllListeners('data');
    child.stderr!.resume();
  }

  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.child) return;
    this.child.kill(signal);
    await this.exited;
  }
}

export interface EtcdOptions {
  /** Serve clients over TLS, requiring client certificates signed by tls.ca. */
  tls?: EtcdTls;
  /** More etcd flags for every member. */
  args?: string[];
}

/** Starts a cluster of size members (all of them, in parallel) and waits until each serves clients. */
export async function startEtcdCluster(size: number, options: EtcdOptions = {}): Promise<EtcdCluster> {
  // A port found free may be taken by another process before etcd binds it: then try other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(size, options);
    } catch (error) {
      if (attempt === 3 || !/address already in use/.test((error as Error).message)) throw error;
    }
  }
}

async function startOnFreePorts(size: number, options: EtcdOptions): Promise<EtcdCluster> {
  const root = mkdtempSync(join(tmpdir(), 'canopy-etcd-'));
  const ports = await freePorts(2 * size);
  const scheme = options.tls ? 'https' : 'http';
  const names = Array.from({ length: size }, (_, i) => `m${i + 1}`);
  const peerUrl = (i: number) => `http://127.0.0.1:${ports[2 * i + 1]}`;
  const initialCluster = names.map((name, i) => `${name}=${peerUrl(i)}`).join(',');
  const token = `canopy-test-${randomUUID()}`;
  const tlsArgs = options.tls
    ? ['--cert-file', options.tls.cert, '--key-file', options.tls.key, '--client-cert-auth', '--trusted-ca-file', options.tls.ca]
    : [];
  const members = names.map((name, i) => {
    const clientUrl = `${scheme}://127.0.0.1:${ports[2 * i]}`;
    const dir = join(root, name);
    return new Member(name, `127.0.0.1:${ports[2 * i]}`, clientUrl, dir, [
      '--name', name, '--data-dir', dir, '--logger', 'zap', '--log-outputs', 'stderr',
      '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl(i), '--initial-advertise-peer-urls', peerUrl(i),
      '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', token,
      ...tlsArgs, ...(options.args ?? []),
    ]);
  });
  const cluster: EtcdCluster = {
    members,
    url: `etcd://${members.map((m) => m.endpoint).join(',')}`,
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(members.map((m) => m.start()));
  } catch (error) {
    await Promise.all(members.map((m) => m.kill()));
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}

/** One etcd member: a cluster of one. */
export function startEtcd(options: EtcdOptions = {}): Promise<EtcdCluster> {
  return startEtcdCluster(1, options);
}

/** Runs etcdctl against the given members (v3 API); throws with its output when it fails. */
export function etcdctl(members: EtcdMember[], args: string[], flags: string[] = []): string {
  const result = spawnSync(ETCDCTL, ['--endpoints', members.map((m) => m.clientUrl).join(','), ...flags, ...args], {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, ETCDCTL_API: '3' },
  });
  if (result.status !== 0) throw new Error(`etcdctl ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}${result.stdout}`);
  return result.stdout;
}
