// gRPC to the members of an etcd cluster: one channel per endpoint, calls go to the current endpoint and move
// to the next one when it fails. Every call has a deadline, and every transport failure (member down, no
// leader, deadline) becomes a StoreUnavailableError naming the endpoint.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { StoreError, StoreUnavailableError } from '../store.ts';
import type { EtcdConfig } from './url.ts';
import type { RangeRequest, RangeResponse, WatchRequest, WatchResponse } from './messages.ts';

/** A unary call fails after this long, whatever it waits for (a connection, a leader, a quorum). */
const REQUEST_TIMEOUT_MS = 10_000;

const definition = protoLoader.loadSync(fileURLToPath(new URL('./etcd.proto', import.meta.url)), {
  keepCase: true, longs: Number, enums: String, bytes: Buffer, defaults: true, oneofs: true,
});

type Method = { path: string; requestSerialize(value: unknown): Buffer; responseDeserialize(bytes: Buffer): any };
const method = (service: string, name: string) => (definition[`etcdserverpb.${service}`] as Record<string, Method>)[name]!;

type KvMethod = 'Range' | 'Put' | 'DeleteRange' | 'Txn' | 'Compact';

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // Lists of many objects and watch responses batching many events exceed gRPC's 4 MiB default.
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  // etcd's default --grpc-keepalive-min-time is 5 s; pinging less often finds dead connections without a GOAWAY.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 2_000,
};

/** An error etcd answered that is not a transport failure (compaction, a future revision, permissions...). */
export class EtcdRequestError extends StoreError {
  constructor(readonly code: grpc.status, readonly details: string, endpoint: string) {
    super(`etcd ${endpoint}: ${details}`);
  }
}

type Failure = 'unsent' | 'no-leader' | 'unavailable' | 'expired-token' | 'answer';

function classify(error: grpc.ServiceError): Failure {
  switch (error.code) {
    case grpc.status.UNAVAILABLE:
      // grpc-js fails a call this way when no connection could be made: the request was never sent.
      if (/No connection established/.test(error.details)) return 'unsent';
      // Raised by etcd before the request is handled, for the "hasleader" metadata every call carries.
      if (/etcdserver: no leader/.test(error.details)) return 'no-leader';
      return 'unavailable';
    case grpc.status.DEADLINE_EXCEEDED:
    case grpc.status.CANCELLED:
      return 'unavailable';
    case grpc.status.RESOURCE_EXHAUSTED:
      return /too many requests/.test(error.details) ? 'unavailable' : 'answer';
    case grpc.status.UNAUTHENTICATED:
      return /invalid auth token/.test(error.details) ? 'expired-token' : 'answer';
    default:
      return 'answer';
  }
}

function describe(error: grpc.ServiceError): string {
  if (error.code === grpc.status.DEADLINE_EXCEEDED) return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const unreachable = /No connection established\. Last error: (?:Error: )?(.*?)(?:\. Resolution note:.*)?$/.exec(error.details);
  if (unreachable) return `cannot connect (${unreachable[1]})`;
  return error.details || error.message;
}

export class EtcdConnection {
  private readonly clients: grpc.Client[];
  private current = 0;
  private token?: Promise<string>;
  private closed = false;
  /** The newest revision any answer carried: serializable reads older than this are refused. */
  private newestSeen = 0;

  constructor(private readonly config: EtcdConfig) {
    const credentials = config.tls
      ? grpc.credentials.createSsl(
        config.tls.cacert ? readFileSync(config.tls.cacert) : null,
        config.tls.key ? readFileSync(config.tls.key) : null,
        config.tls.cert ? readFileSync(config.tls.cert) : null)
      : grpc.credentials.createInsecure();
    this.clients = config.endpoints.map((endpoint) => new grpc.Client(endpoint, credentials, CHANNEL_OPTIONS));
  }

  get endpoints(): string {
    return this.config.endpoints.join(', ');
  }

  /**
   * A KV call. Reads go to the next endpoint on any transport failure; writes only when the request certainly
   * did not reach etcd (no connection, no leader), because a write whose answer was lost may have been applied.
   */
  async call<T>(name: KvMethod, request: unknown, kind: 'read' | 'write', deadline = Date.now() + REQUEST_TIMEOUT_MS): Promise<T> {
    const response = await this.withFailover<T & { header?: { revision: number } }>('KV', name, request, { kind, deadline });
    this.newestSeen = Math.max(this.newestSeen, response.header?.revision ?? 0);
    return response;
  }

  /**
   * A linearizable range; when no member can serve one (no quorum), the same range served from a member's
   * own state, provided that state is not older than any revision this connection has seen.
   */
  async range(request: RangeRequest): Promise<RangeResponse> {
    const deadline = Date.now() + REQUEST_TIMEOUT_MS;
    try {
      return await this.call<RangeResponse>('Range', request, 'read', deadline);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      const newest = this.newestSeen;
      let local: RangeResponse;
      try {
        // Without "hasleader": that is what a member without a leader refuses.
        local = await this.withFailover<RangeResponse>('KV', 'Range', { ...request, serializable: true },
          { kind: 'read', deadline, requireLeader: false });
      } catch {
        throw error;
      }
      if (local.header.revision < newest) throw error;
      return local;
    }
  }

  /** Opens a watch stream on the current endpoint; endpointFailed(index) moves away from it when it fails. */
  async watchStream(): Promise<{ call: grpc.ClientDuplexStream<WatchRequest, WatchResponse>; index: number }> {
    this.checkOpen();
    const index = this.current;
    const watch = method('Watch', 'Watch');
    const call = this.clients[index]!.makeBidiStreamRequest<WatchRequest, WatchResponse>(
      watch.path, watch.requestSerialize, watch.responseDeserialize, await this.metadata({ authenticated: true, requireLeader: true }));
    return { call, index };
  }

  endpoint(index: number): string {
    return this.config.endpoints[index]!;
  }

  /** After a failure at index, later calls go to the next endpoint (unless another failure moved on already). */
  endpointFailed(index: number): void {
    if (this.current === index) this.current = (index + 1) % this.clients.length;
  }

  /** The next call authenticates again. */
  forgetToken(): void {
    this.token = undefined;
  }

  close(): void {
    this.closed = true;
    for (const client of this.clients) client.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreUnavailableError('store is closed');
  }

  private async metadata({ authenticated, requireLeader }: { authenticated: boolean; requireLeader: boolean }): Promise<grpc.Metadata> {
    const metadata = new grpc.Metadata();
    // etcd then refuses the call at once ("no leader") instead of waiting for a leader until a timeout.
    if (requireLeader) metadata.set('hasleader', 'true');
    if (authenticated && this.config.auth) metadata.set('token', await (this.token ??= this.authenticate()));
    return metadata;
  }

  private async authenticate(): Promise<string> {
    const { user, password } = this.config.auth!;
    try {
      const response = await this.withFailover<{ token: string }>('Auth', 'Authenticate', { name: user, password },
        { kind: 'read', deadline: Date.now() + REQUEST_TIMEOUT_MS, authenticated: false });
      return response.token;
    } catch (error) {
      this.token = undefined;
      if (error instanceof EtcdRequestError) throw new EtcdRequestError(error.code, `authentication as ${user} failed: ${error.details}`, this.endpoints);
      throw error;
    }
  }

  private async withFailover<T>(service: string, name: string, request: unknown, { kind, deadline, authenticated = true, requireLeader = true }:
    { kind: 'read' | 'write'; deadline: number; authenticated?: boolean; requireLeader?: boolean }): Promise<T> {
    this.checkOpen();
    let refreshedToken = false;
    const failures: string[] = [];
    for (let tried = 0; tried < this.clients.length && Date.now() < deadline;) {
      const index = this.current;
      try {
        return await this.unary<T>(index, method(service, name), request, await this.metadata({ authenticated, requireLeader }), deadline);
      } catch (e) {
        if (!isServiceError(e)) throw e;
        const failure = classify(e);
        if (failure === 'expired-token' && !refreshedToken && authenticated) {
          refreshedToken = true;
          this.token = undefined;
          continue;
        }
        if (failure === 'answer' || failure === 'expired-token') throw new EtcdRequestError(e.code, e.details, this.endpoint(index));
        this.endpointFailed(index);
        failures.push(`${this.endpoint(index)}: ${describe(e)}`);
        tried++;
        const retry = kind === 'read' || failure === 'unsent' || failure === 'no-leader';
        if (!retry) break;
      }
    }
    if (this.closed) throw new StoreUnavailableError('store is closed');
    if (failures.length === 0) failures.push(`${this.endpoints}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`);
    throw new StoreUnavailableError(`etcd ${failures.join('; ')}`);
  }

  private unary<T>(index: number, m: Method, request: unknown, metadata: grpc.Metadata, deadline: number): Promise<T> {
    return new Promise((resolve, reject) => {
      this.clients[index]!.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, metadata,
        { deadline }, (error, response) => (error ? reject(error) : resolve(response as T)));
    });
  }
}

function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as grpc.ServiceError).code === 'number' && 'details' in error;
}
