// The control plane as a controller sees it: in process (the object service) or over HTTPS (a `canopy agent`
// beside a Pull member). The execution and cluster status code runs unchanged on either.
import type { MemberClient, MemberResponse } from '../members/client.ts';
import { ApiError } from '../apiserver/errors.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { apiPath } from '../registry/registry.ts';

export interface ApiRef {
  group: string;
  version: string;
  plural: string;
}

export const WORKS: ApiRef = { group: 'work.karmada.io', version: 'v1alpha1', plural: 'works' };
export const CLUSTERS: ApiRef = { group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters' };
export const LEASES: ApiRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

export type ApiEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KObject };

export interface ControlPlaneApi {
  /** Whether the control plane serves these resources (the federation CRDs are installed at its start). */
  serves(refs: ApiRef[]): Promise<boolean>;
  get(ref: ApiRef, namespace: string | undefined, name: string): Promise<KObject | undefined>;
  list(ref: ApiRef, namespace?: string): Promise<KObject[]>;
  create(ref: ApiRef, namespace: string | undefined, object: KObject): Promise<KObject>;
  /** Read, transform, write, retried on conflicts; a 404 ApiError when the object is gone. */
  modify(ref: ApiRef, namespace: string | undefined, name: string, transform: (current: KObject) => KObject,
    subresource?: 'status'): Promise<KObject>;
  /** The current objects as ADDED events, then every change, until closed or onEnd (call again to resume). */
  watch(ref: ApiRef, scope: { namespace?: string; name?: string }, onEvent: (event: ApiEvent) => void,
    onEnd: () => void): { close(): void };
}

/** The object service of this process. */
export function inProcessApi(objects: ObjectService): ControlPlaneApi {
  const resource = (ref: ApiRef) => {
    const res = objects.registry.lookup(ref.group, ref.version, ref.plural);
    if (!res) throw new Error(`${ref.plural}.${ref.group} is not served`);
    return res;
  };
  return {
    async serves(refs) {
      return refs.every((ref) => objects.registry.lookup(ref.group, ref.version, ref.plural));
    },
    get: (ref, namespace, name) => objects.tryGet(resource(ref), namespace, name),
    list: async (ref, namespace) => (await objects.list(resource(ref), namespace)).items,
    create: (ref, namespace, object) => objects.create(resource(ref), namespace, object),
    modify: (ref, namespace, name, transform, subresource) =>
      objects.modify(resource(ref), namespace, name, transform, {}, subresource),
    watch(ref, scope, onEvent, onEnd) {
      return objects.watch(resource(ref), scope.namespace, { sendInitialState: true }, (event) => {
        if (scope.name === undefined || event.object.metadata.name === scope.name) onEvent(event);
      }, onEnd);
    },
  };
}

const MAX_CONFLICT_RETRIES = 8;

/** A control plane reached over HTTPS with the given client. */
export function httpApi(client: MemberClient): ControlPlaneApi {
  const collection = (ref: ApiRef, namespace?: string) =>
    `${apiPath(ref.group ? `${ref.group}/${ref.version}` : ref.version)}/${namespace ? `namespaces/${encodeURIComponent(namespace)}/` : ''}${ref.plural}`;
  const item = (ref: ApiRef, namespace: string | undefined, name: string) => `${collection(ref, namespace)}/${encodeURIComponent(name)}`;
  const check = (res: MemberResponse, what: string): KObject => {
    if (res.status >= 200 && res.status < 300) return res.json as KObject;
    const status = res.json as KObject | undefined;
    throw new ApiError(res.status, status?.reason ?? 'Unknown', `${what}: ${status?.message ?? `HTTP ${res.status}`}`);
  };
  return {
    async serves(refs) {
      for (const ref of refs) {
        const res = await client.request('GET', apiPath(ref.group ? `${ref.group}/${ref.version}` : ref.version));
        if (res.status !== 200 || !(res.json?.resources ?? []).some((r: KObject) => r.name === ref.plural)) return false;
      }
      return true;
    },
    async get(ref, namespace, name) {
      const res = await client.request('GET', item(ref, namespace, name));
      return res.status === 404 ? undefined : check(res, `get ${ref.plural} ${name}`);
    },
    async list(ref, namespace) {
      return check(await client.request('GET', collection(ref, namespace)), `list ${ref.plural}`).items ?? [];
    },
    async create(ref, namespace, object) {
      return check(await client.request('POST', collection(ref, namespace), object), `create ${ref.plural}`);
    },
    async modify(ref, namespace, name, transform, subresource) {
      const path = item(ref, namespace, name);
      for (let attempt = 0; ; attempt++) {
        const current = check(await client.request('GET', path), `get ${ref.plural} ${name}`);
        const desired = transform(structuredClone(current));
        if (JSON.stringify(desired) === JSON.stringify(current)) return current;
        const res = await client.request('PUT', subresource ? `${path}/${subresource}` : path, desired);
        if (res.status === 409 && attempt < MAX_CONFLICT_RETRIES) continue;
        return check(res, `update ${ref.plural} ${name}`);
      }
    },
    watch(ref, scope, onEvent, onEnd) {
      const query = scope.name ? `?fieldSelector=${encodeURIComponent(`metadata.name=${scope.name}`)}` : '';
      return client.watch(`${collection(ref, scope.namespace)}${query}`, (event) => {
        if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') onEvent(event as ApiEvent);
      }, () => onEnd());
    },
  };
}

const SERVES_RETRY_MS = 1000;

/** Calls then() once the control plane serves the resources (the federation CRDs come at its start), asking every second. */
export function whenApiServes(api: ControlPlaneApi, refs: ApiRef[], isStopped: () => boolean, then: () => void): void {
  const retry = () => setTimeout(ask, SERVES_RETRY_MS).unref();
  function ask(): void {
    if (isStopped()) return;
    api.serves(refs).then((served) => {
      if (isStopped()) return;
      if (served) then(); else retry();
    }, retry);
  }
  ask();
}
