// A client for one member cluster, built from a kubeconfig (token, client certificate or exec plugin, as
// kubectl reads them, through @kubernetes/client-node). Errors never carry credentials.
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';

export class MemberConfigError extends Error {}

export interface MemberResponse {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface ApiEnablement {
  groupVersion: string;
  resources: Array<{ name: string; kind: string }>;
}

const TIMEOUT_MS = 10_000;

export class MemberClient {
  private constructor(private readonly config: KubeConfig, readonly server: string) {}

  /**
   * Reads a kubeconfig's text; context defaults to its current-context. Exec and auth-provider plugins run
   * commands, so they are only allowed for a kubeconfig the user hands over (allowPlugins), never for
   * credentials read back from the store.
   */
  static fromKubeconfig(text: string, context?: string, options: { allowPlugins?: boolean } = {}): MemberClient {
    const config = new KubeConfig();
    try {
      config.loadFromString(text);
    } catch (e) {
      throw new MemberConfigError(`the kubeconfig cannot be read: ${firstLine(e)}`);
    }
    const name = context ?? config.getCurrentContext();
    if (!name) throw new MemberConfigError('the kubeconfig has no current-context; pass --context');
    if (!config.getContextObject(name)) {
      const known = config.getContexts().map((c) => c.name);
      throw new MemberConfigError(`context "${name}" does not exist in the kubeconfig (it has: ${known.join(', ') || 'none'})`);
    }
    config.setCurrentContext(name);
    const user = config.getCurrentUser();
    if (!options.allowPlugins && (user?.exec || user?.authProvider)) {
      throw new MemberConfigError(`context "${name}" uses a credential plugin, which is not accepted for stored credentials`);
    }
    const cluster = config.getCurrentCluster();
    if (!cluster?.server) throw new MemberConfigError(`context "${name}" names no cluster with a server address`);
    return new MemberClient(config, cluster.server.replace(/\/+$/, ''));
  }

  /** The Authorization header value this client sends (running a credential plugin if the kubeconfig has one). */
  async bearerToken(): Promise<string | undefined> {
    const options: import('node:https').RequestOptions = { headers: {} };
    await this.config.applyToHTTPSOptions(options);
    const header = (options.headers as Record<string, string | undefined>).Authorization;
    return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  }

  /** A request to the member's API; the body, if any, is sent as JSON. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<MemberResponse> {
    const url = new URL(path, `${this.server}/`);
    const options: import('node:https').RequestOptions = {
      method, host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`,
      headers: { Accept: 'application/json' }, timeout: TIMEOUT_MS,
    };
    await this.config.applyToHTTPSOptions(options);
    const data = body === undefined ? undefined : JSON.stringify(body);
    if (data !== undefined) options.headers = { ...options.headers, 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(data)) };
    const send = url.protocol === 'http:' ? httpRequest : request;
    return new Promise((resolve, reject) => {
      const req = send(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try { json = JSON.parse(text); } catch { json = undefined; }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
        res.on('error', (e) => reject(new Error(`reading the answer of ${this.server} failed: ${e.message}`)));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${this.server} within ${TIMEOUT_MS / 1000}s`)));
      req.on('error', (e) => reject(new Error(`cannot reach ${this.server}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      if (data !== undefined) req.write(data);
      req.end();
    });
  }

  /** Health as the cluster controller sees it: /readyz, or /healthz where /readyz is not served. */
  async health(): Promise<{ healthy: boolean; message: string }> {
    let res = await this.request('GET', '/readyz');
    if (res.status === 404) res = await this.request('GET', '/healthz');
    if (res.status === 200) return { healthy: true, message: 'cluster is healthy and ready to accept workloads' };
    if (res.status === 401 || res.status === 403) return { healthy: false, message: `the member refused the credentials (HTTP ${res.status})` };
    return { healthy: false, message: `cluster is not healthy: HTTP ${res.status}` };
  }

  /** The member's gitVersion (e.g. v1.32.0); fails on a refusal or an unexpected answer. */
  async version(): Promise<string> {
    const res = await this.request('GET', '/version');
    if (res.status === 401 || res.status === 403) throw new Error(`the member ${this.server} refused the credentials (HTTP ${res.status})`);
    if (res.status !== 200 || typeof res.json?.gitVersion !== 'string') throw new Error(`the member ${this.server} did not answer /version (HTTP ${res.status})`);
    return res.json.gitVersion;
  }

  /** How many Nodes the member has and how many are Ready (Cluster.status.nodeSummary). */
  async nodeSummary(): Promise<{ totalNum: number; readyNum: number }> {
    const res = await this.request('GET', '/api/v1/nodes');
    if (res.status !== 200 || !Array.isArray(res.json?.items)) throw new Error(`the member ${this.server} did not list its nodes (HTTP ${res.status})`);
    const items = res.json.items as Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
    const ready = items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return { totalNum: items.length, readyNum: ready.length };
  }

  /** Every served group-version with its resources (subresources left out), as Cluster.status.apiEnablements. */
  async apiEnablements(): Promise<ApiEnablement[]> {
    const paths = ['/api/v1'];
    const groups = await this.request('GET', '/apis');
    for (const g of groups.json?.groups ?? []) for (const v of g.versions ?? []) paths.push(`/apis/${v.groupVersion}`);
    const lists = await Promise.all(paths.map((p) => this.request('GET', p)));
    return lists.filter((l) => l.status === 200 && l.json?.groupVersion).map((l) => ({
      groupVersion: l.json.groupVersion,
      resources: (l.json.resources ?? []).filter((r: { name: string }) => !r.name.includes('/'))
        .map((r: { name: string; kind: string }) => ({ name: r.name, kind: r.kind })),
    })).sort((a, b) => a.groupVersion.localeCompare(b.groupVersion));
  }
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0]!;
}
