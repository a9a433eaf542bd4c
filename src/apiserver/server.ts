// The HTTPS API server: authentication, impersonation, authorization, routing, discovery, metrics, and the
// resource endpoints.
import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { authenticateBootstrapToken } from '../certificates/bootstrap-token.ts';
import { ObjectService } from '../registry/objects.ts';
import { Registry } from '../registry/registry.ts';
import type { Store } from '../storage/store.ts';
import { forbiddenError, nonResourceAttributes, resourceAttributes } from './authz/attributes.ts';
import { Authorizer } from './authz/authorizer.ts';
import { RBAC_GROUP } from './authz/cache.ts';
import { RbacWrites } from './authz/escalation.ts';
import { impersonate, wantsImpersonation } from './authz/impersonation.ts';
import { REVIEW_GROUPS, serveReview } from './authz/reviews.ts';
import { ANONYMOUS_USER, withAuthenticatedGroup, type UserInfo } from './authz/user.ts';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.ts';
import { ApiError, asApiError, badRequest, notFoundPath, unauthorized } from './errors.ts';
import { ApiMetrics, instrumentStore } from './metrics.ts';
import { wantsAggregatedDiscovery } from './negotiate.ts';
import { serveOpenApi } from './openapi-routes.ts';
import { parseResourcePath, type ResourceRequest } from './request-info.ts';
import { handleResource } from './resources.ts';
import { sendError, sendJson } from './respond.ts';
import { loadCustomResources } from '../registry/crd/loader.ts';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-canopy' };

export interface ApiServerOptions {
  store: Store;
  /**
   * Serving certificate and key, and the CA whose client certificates authenticate: the common name is the
   * user, the organizations its groups.
   */
  tls: { cert: string; key: string; clientCA: string };
  /** Bearer tokens accepted, with the user each one authenticates. */
  tokens: Map<string, UserInfo>;
  logger: Logger;
  host?: string;
  port?: number;
}

export class ApiServer {
  readonly metrics = new ApiMetrics();
  readonly registry = new Registry();
  readonly objects: ObjectService;
  readonly authorizer: Authorizer;
  private readonly rbacWrites: RbacWrites;
  private readonly server: Server;
  private readonly tokens: Array<{ token: Buffer; user: UserInfo }>;
  private stopCrdSync?: () => void;
  private stopNamespaceStates?: () => void;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: ApiServerOptions) {
    this.objects = new ObjectService(instrumentStore(options.store, this.metrics), this.registry);
    this.authorizer = new Authorizer(this.objects, options.logger);
    this.rbacWrites = new RbacWrites(this.authorizer, options.logger);
    this.tokens = [...options.tokens].map(([token, user]) => ({ token: Buffer.from(token), user: withAuthenticatedGroup(user) }));
    this.server = createServer({
      cert: options.tls.cert, key: options.tls.key,
      ca: options.tls.clientCA, requestCert: true, rejectUnauthorized: false,
    }, (req, res) => {
      void this.handle(req, res);
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 70_000;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<number> {
    this.stopCrdSync = await loadCustomResources(this.objects);
    this.stopNamespaceStates = this.objects.followNamespaces();
    await this.authorizer.cache.synced;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.stopCrdSync?.();
    this.stopNamespaceStates?.();
    this.authorizer.stop();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Every socket, not only those closeAllConnections knows: one still in its TLS handshake would otherwise
      // become a keep-alive connection that a busy client never lets go, and close() would wait for ever.
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /**
   * A client certificate signed by the client CA (user = its common name, groups = its organizations), else a
   * known bearer token, else a bootstrap token.
   */
  private async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const subject = socket.getPeerCertificate().subject;
      const commonName = subject?.CN;
      if (typeof commonName === 'string' && commonName) {
        const organizations = subject.O === undefined ? [] : ([] as string[]).concat(subject.O);
        return withAuthenticatedGroup({ name: commonName, groups: organizations });
      }
    }
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) return undefined;
    const text = header.slice(7).trim();
    const presented = Buffer.from(text);
    for (const { token, user } of this.tokens) {
      if (token.length === presented.length && timingSafeEqual(token, presented)) return user;
    }
    const bootstrap = await authenticateBootstrapToken(this.objects, text);
    return bootstrap && withAuthenticatedGroup(bootstrap);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://localhost');
    } catch {
      sendError(res, new ApiError(400, 'BadRequest', 'malformed request URL'));
      return;
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    let request: ResourceRequest | undefined;
    try {
      request = parseResourcePath(req.method ?? 'GET', path, url.searchParams);
    } catch {
      request = undefined;
    }
    const labels = { verb: request?.verb ?? (req.method ?? 'GET').toLowerCase(), group: request?.group ?? '', resource: request?.plural ?? '' };
    let user: UserInfo | undefined;
    try {
      // Health checks are open to anyone, as upstream's anonymous access to them through system:public-info-viewer.
      user = (await this.authenticate(req)) ?? (isHealthPath(path) ? ANONYMOUS_USER : undefined);
      if (!user) throw unauthorized();
      if (wantsImpersonation(req)) user = impersonate(this.authorizer, user, req);
      // URL parsing resolved `.` and `..` segments (configmaps/.. became the namespace): refuse them as upstream does.
      const dot = dotSegment(req.url ?? '/');
      if (dot !== undefined) throw badRequest(`Name parameter invalid: ${JSON.stringify(dot)}: may not be '${dot}'`);
      const attributes = request
        ? resourceAttributes(user, request, url.searchParams)
        : nonResourceAttributes(user, req.method ?? 'GET', url.pathname);
      const decision = this.authorizer.authorize(attributes);
      if (!decision.allowed) throw forbiddenError(attributes, decision.reason);
      if (request && REVIEW_GROUPS.has(request.group)) await serveReview(this.authorizer, user, req, res, request);
      else if (request) await handleResource({ objects: this.objectsFor(request, user), metrics: this.metrics, user }, req, res, request, url.searchParams);
      else await this.handleNonResource(req, res, path, url.searchParams);
    } catch (error) {
      const apiError = asApiError(error);
      if (apiError.code >= 500) this.options.logger.error({ err: error, path }, 'request failed');
      sendError(res, apiError);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.requests.inc({ ...labels, code: String(res.statusCode) });
      if (labels.verb !== 'watch') this.metrics.latency.observe(labels, seconds);
      this.options.logger.info({
        verb: labels.verb, method: req.method, uri: req.url, user: user?.name, code: res.statusCode,
        ms: Math.round(seconds * 1e4) / 10, userAgent: req.headers['user-agent'],
      }, 'request');
    }
  }

  /** RBAC objects are written through a view that refuses escalation and waits for the authorizer's cache. */
  private objectsFor(request: ResourceRequest, user: UserInfo): ObjectService {
    return request.group === RBAC_GROUP ? this.rbacWrites.objectsFor(this.objects, user) : this.objects;
  }

  private async handleNonResource(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw notFoundPath();
    if (isHealthPath(path)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (path === '/version') return sendJson(res, 200, versionInfo());
    if (path === '/metrics') {
      const text = await this.metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
      res.end(text);
      return;
    }
    if (path.startsWith('/openapi/')) {
      if (serveOpenApi(this.registry, req, res, path, query)) return;
      throw notFoundPath();
    }
    const host = `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`;
    if (path === '/api' || path === '/apis') {
      const aggregated = wantsAggregatedDiscovery(req);
      if (aggregated) {
        const body = aggregatedDiscovery(this.registry, path === '/api', aggregated);
        return sendJson(res, 200, body, `application/json;g=apidiscovery.k8s.io;v=${aggregated.split('/')[1]};as=APIGroupDiscoveryList`);
      }
      return sendJson(res, 200, path === '/api' ? apiVersions(host) : apiGroupList(this.registry));
    }
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'api' && parts.length === 2) {
      const list = apiResourceList(this.registry, '', parts[1]!);
      if (list) return sendJson(res, 200, list);
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const group = apiGroup(this.registry, parts[1]!);
      if (group) return sendJson(res, 200, group);
    }
    if (parts[0] === 'apis' && parts.length === 3) {
      const list = apiResourceList(this.registry, parts[1]!, parts[2]!);
      if (list) return sendJson(res, 200, list);
    }
    throw notFoundPath();
  }
}

/** The first `.` or `..` segment of the raw request path (percent-encoded dots included), if any. */
function dotSegment(rawUrl: string): string | undefined {
  for (const segment of rawUrl.split(/[?#]/, 1)[0]!.split('/')) {
    const decoded = segment.replace(/%2e/gi, '.');
    if (decoded === '.' || decoded === '..') return decoded;
  }
  return undefined;
}

function isHealthPath(path: string): boolean {
  return path === '/healthz' || path === '/readyz' || path === '/livez'
    || path.startsWith('/healthz/') || path.startsWith('/readyz/') || path.startsWith('/livez/');
}


function versionInfo() {
  return {
    ...KUBERNETES_VERSION, gitCommit: '', gitTreeState: 'clean', buildDate: '2026-11-25T00:00:00Z',
    goVersion: 'go1.23.0', compiler: 'gc', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
