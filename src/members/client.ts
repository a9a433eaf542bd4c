// A client for one member cluster, built from a kubeconfig (token, client certificate or exec plugin, as
// kubectl reads them, through @kubernetes/client-node). Errors never carry credentials.
import { readFileSync } from 'node:fs';
import { Agent, request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { onEachLine } from '../lines.ts';
import type { KObject } from '../registry/objects.ts';
import { KUBERNETES_VERSION } from '../apiserver/server.ts';
import {
  formatQuantity, newMilliQuantity, newQuantity, parseQuantity, quantityMilliValue, quantityValue, type Quantity,
} from '../propagation/quantity.ts';

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

/** A resource list as the API writes it: resource name to quantity ({cpu: '4', memory: '16Gi', pods: '110'}). */
export type ResourceList = Record<string, string>;

/** Cluster.status.resourceSummary; a list with nothing in it is left out, as upstream's omitempty does. */
export interface ResourceSummary {
  allocatable?: ResourceList;
  allocating?: ResourceList;
  allocated?: ResourceList;
}

const TIMEOUT_MS = 10_000;

/** Names Canopy's writes on a member (and so their manager in managedFields: "canopy"), as upstream's components do. */
const USER_AGENT = `canopy/${KUBERNETES_VERSION.gitVersion} (${process.platform}/${process.arch})`;

export class MemberClient {
  private agent: Agent | undefined;

  private constructor(private config: KubeConfig, readonly server: string) {}

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

  /**
   * Sends the credentials of another kubeconfig from now on (a renewed client certificate); connections already
   * open finish with the old ones.
   */
  replaceCredentials(kubeconfigText: string): void {
    this.config = MemberClient.fromKubeconfig(kubeconfigText).config;
    this.agent = undefined;
  }

  /** The PEM CA bundle the server's certificate is checked against, if the kubeconfig names one. */
  certificateAuthority(): string | undefined {
    const cluster = this.config.getCurrentCluster();
    if (cluster?.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
    return cluster?.caFile ? readFileSync(cluster.caFile, 'utf8') : undefined;
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
      headers: { Accept: 'application/json', 'User-Agent': USER_AGENT }, timeout: TIMEOUT_MS,
    };
    await this.config.applyToHTTPSOptions(options);
    options.agent = this.keepAlive(options);
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

  /**
   * The kubeconfig gives every request a new agent, hence a new connection and TLS handshake (milliseconds of CPU
   * on both sides); a plain HTTPS one is replaced by this client's keep-alive agent with the same TLS settings.
   */
  private keepAlive(options: RequestOptions): RequestOptions['agent'] {
    if (options.agent?.constructor !== Agent) return options.agent;
    this.agent ??= new Agent({
      keepAlive: true, ca: options.ca, cert: options.cert, key: options.key,
      rejectUnauthorized: options.rejectUnauthorized, servername: options.servername,
    });
    return this.agent;
  }

  /**
   * Streams a watch (`path` is a collection with its query, without watch=true) until the member ends it or
   * close() is called; onEvent gets each event, onEnd is called once, when the stream is over for any reason.
   */
  watch(path: string, onEvent: (event: { type: string; object: KObject }) => void, onEnd: (error?: Error) => void): { close(): void } {
    let ended = false;
    let req: import('node:http').ClientRequest | undefined;
    const end = (error?: Error) => {
      if (ended) return;
      ended = true;
      req?.destroy();
      onEnd(error);
    };
    const url = new URL(path, `${this.server}/`);
    url.searchParams.set('watch', 'true');
    const options: import('node:https').RequestOptions = {
      method: 'GET', host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`,
      headers: { Accept: 'application/json', 'User-Agent': USER_AGENT },
    };
    this.config.applyToHTTPSOptions(options).then(() => {
      if (ended) return;
      const send = url.protocol === 'http:' ? httpRequest : request;
      req = send(options, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          end(new Error(`watching ${url.pathname} on ${this.server} failed: HTTP ${res.statusCode}`));
          return;
        }
        onEachLine(res, (line) => {
          if (ended) return;
          try {
            onEvent(JSON.parse(line));
          } catch (e) {
            end(new Error(`a watch event from ${this.server} could not be read: ${firstLine(e)}`));
          }
        });
        res.on('end', () => end());
        res.on('error', (e) => end(e));
      });
      req.on('error', (e) => end(new Error(`cannot reach ${this.server}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      req.end();
    }, (e) => end(e instanceof Error ? e : new Error(String(e))));
    return { close: () => end() };
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
    const items = await this.list('/api/v1/nodes', 'nodes');
    const ready = items.filter((n) => n.status?.conditions?.some((c: KObject) => c.type === 'Ready' && c.status === 'True'));
    return { totalNum: items.length, readyNum: ready.length };
  }

  /** What the member's Nodes offer and its Pods ask for (Cluster.status.resourceSummary). */
  async resourceSummary(): Promise<ResourceSummary> {
    const [nodes, pods] = await Promise.all([this.list('/api/v1/nodes', 'nodes'), this.list('/api/v1/pods', 'pods')]);
    return summarizeResources(nodes, pods);
  }

  private async list(path: string, what: string): Promise<KObject[]> {
    const res = await this.request('GET', path);
    if (res.status !== 200 || !Array.isArray(res.json?.items)) {
      throw new Error(`the member ${this.server} did not list its ${what} (HTTP ${res.status})`);
    }
    return res.json.items;
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

/**
 * Karmada's getResourceSummary: allocatable is the sum of every Node's status.allocatable (each sum written in the
 * format of its first term); allocated is what the Pods bound to a node and not finished request, allocating what
 * the Pods not bound yet request, each with the number of those Pods as 'pods'.
 */
export function summarizeResources(nodes: KObject[], pods: KObject[]): ResourceSummary {
  const allocatable = new Map<string, Quantity>();
  for (const node of nodes) {
    for (const [name, text] of Object.entries(node.status?.allocatable ?? {})) {
      const q = parseQuantity(text);
      if (!q) continue;
      const sum = allocatable.get(name);
      allocatable.set(name, sum ? { ...sum, nanos: sum.nanos + q.nanos } : q);
    }
  }
  const finished = (pod: KObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  const summary: ResourceSummary = {};
  if (allocatable.size) summary.allocatable = resourceList(allocatable);
  const allocating = podsRequests(pods.filter((p) => !p.spec?.nodeName));
  if (allocating) summary.allocating = allocating;
  const allocated = podsRequests(pods.filter((p) => p.spec?.nodeName && !finished(p)));
  if (allocated) summary.allocated = allocated;
  return summary;
}

/** The summed effective requests of pods plus their count, as upstream's util.Resource keeps them (undefined when all zero). */
function podsRequests(pods: KObject[]): ResourceList | undefined {
  const total = new Map<string, bigint>([['pods', BigInt(pods.length)]]);
  for (const pod of pods) {
    for (const [name, units] of podRequests(pod.spec ?? {})) total.set(name, (total.get(name) ?? 0n) + units);
  }
  const list = new Map<string, Quantity>();
  for (const [name, units] of total) {
    if (units <= 0n) continue;
    if (name === 'cpu') list.set(name, newMilliQuantity(units, 'DecimalSI'));
    else list.set(name, newQuantity(units, BINARY_RESOURCES.test(name) ? 'BinarySI' : 'DecimalSI'));
  }
  return list.size ? resourceList(list) : undefined;
}

const BINARY_RESOURCES = /^(memory|ephemeral-storage|hugepages-.*)$/;

/** A pod's effective request: its containers' requests summed, raised to any larger init container request, plus overhead. */
function podRequests(spec: KObject): Map<string, bigint> {
  const total = new Map<string, bigint>();
  const each = (requests: Record<string, unknown> | undefined, combine: (sum: bigint, units: bigint) => bigint) => {
    for (const [name, text] of Object.entries(requests ?? {})) {
      const q = parseQuantity(text);
      if (!q || !countedResource(name)) continue;
      total.set(name, combine(total.get(name) ?? 0n, name === 'cpu' ? quantityMilliValue(q) : quantityValue(q)));
    }
  };
  for (const c of spec.containers ?? []) each(c.resources?.requests, (sum, units) => sum + units);
  for (const c of spec.initContainers ?? []) each(c.resources?.requests, (sum, units) => (units > sum ? units : sum));
  each(spec.overhead, (sum, units) => sum + units);
  return total;
}

/** The resources upstream's util.Resource accounts: the native ones and the scalar (extended, hugepages, volume) ones. */
function countedResource(name: string): boolean {
  return ['cpu', 'memory', 'ephemeral-storage', 'pods'].includes(name) || name.includes('/')
    || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

function resourceList(quantities: Map<string, Quantity>): ResourceList {
  return Object.fromEntries([...quantities].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, q]) => [name, formatQuantity(q)]));
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0]!;
}
