// Discovery documents: /api, /apis, /api/v1, /apis/<group>[/<version>], legacy and aggregated (v2).
import type { Registry } from '../registry/registry.ts';
import { groupVersion } from '../registry/registry.ts';
import type { ResourceInfo } from '../registry/types.ts';

/** Groups in the order upstream lists them; later groups (CRDs) sort by name after these. */
const GROUP_ORDER = ['', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch',
  'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io',
  'discovery.k8s.io', 'flowcontrol.apiserver.k8s.io'];

function groupRank(group: string): number {
  const i = GROUP_ORDER.indexOf(group);
  return i === -1 ? GROUP_ORDER.length : i;
}

interface GroupEntry {
  name: string;
  versions: string[];
  preferred: string;
}

/** Kubernetes' version priority: GA > beta > alpha, higher numbers first; others alphabetically last. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number, string] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0, v];
    const level = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [level, -Number(m[1]), -Number(m[3] ?? 0), v];
  };
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
  return ra[3].localeCompare(rb[3]);
}

export function apiGroups(registry: Registry): GroupEntry[] {
  const versions = new Map<string, Set<string>>();
  for (const r of registry.all()) {
    if (!r.group) continue;
    if (!versions.has(r.group)) versions.set(r.group, new Set());
    versions.get(r.group)!.add(r.version);
  }
  return [...versions.entries()]
    .sort(([a], [b]) => groupRank(a) - groupRank(b) || a.localeCompare(b))
    .map(([name, set]) => {
      const sorted = [...set].sort(compareVersions);
      return { name, versions: sorted, preferred: sorted[0]! };
    });
}

function groupDoc(g: GroupEntry) {
  const gv = (v: string) => ({ groupVersion: `${g.name}/${v}`, version: v });
  return { name: g.name, versions: g.versions.map(gv), preferredVersion: gv(g.preferred) };
}

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions', versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(registry: Registry) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups(registry).map(groupDoc) };
}

export function apiGroup(registry: Registry, group: string) {
  const g = apiGroups(registry).find((x) => x.name === group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) } : undefined;
}

function resourceEntries(r: ResourceInfo) {
  const main = {
    name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    storageVersionHash: storageVersionHash(r),
  };
  const subs = r.subresources.map((sub) => ({
    name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced,
    ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { kind: r.kind }),
    verbs: sub === 'finalize' ? ['update'] : ['get', 'patch', 'update'],
  }));
  return [main, ...subs];
}

function storageVersionHash(r: ResourceInfo): string {
  let h = 0;
  for (const ch of `${r.group}/${r.version}/${r.kind}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return Buffer.from(h.toString(16).padStart(8, '0')).toString('base64').slice(0, 11);
}

export function apiResourceList(registry: Registry, group: string, version: string) {
  const resources = registry.all().filter((r) => r.group === group && r.version === version);
  if (!resources.length) return undefined;
  return {
    kind: 'APIResourceList', apiVersion: 'v1',
    groupVersion: groupVersion({ group, version }),
    resources: resources.flatMap(resourceEntries),
  };
}

/** apidiscovery.k8s.io/v2 APIGroupDiscoveryList, for /api (legacy: core only) or /apis. */
export function aggregatedDiscovery(registry: Registry, legacy: boolean, apiVersion: string) {
  const groups = legacy
    ? [{ name: '', versions: ['v1'], preferred: 'v1' }]
    : apiGroups(registry);
  return {
    kind: 'APIGroupDiscoveryList', apiVersion, metadata: {},
    items: groups.map((g) => ({
      metadata: g.name ? { name: g.name } : {},
      versions: g.versions.map((version) => ({
        version,
        resources: registry.all().filter((r) => r.group === g.name && r.version === version).map((r) => ({
          resource: r.plural,
          responseKind: { group: r.group, version: r.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: r.verbs,
          ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
          ...(r.categories.length ? { categories: r.categories } : {}),
          ...(r.subresources.length ? {
            subresources: r.subresources.map((sub) => ({
              subresource: sub,
              responseKind: sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { group: r.group, version: r.version, kind: r.kind },
              verbs: sub === 'finalize' ? ['update'] : ['get', 'patch', 'update'],
            })),
          } : {}),
        })),
        freshness: 'Current',
      })),
    })),
  };
}
