// The set of resources the API serves: the built-ins plus every established CustomResourceDefinition.
import { BUILTIN_RESOURCES } from './builtins.ts';
import type { ResourceInfo } from './types.ts';

export function groupVersion(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Splits an apiVersion ('apps/v1', or 'v1' for the core group) into group and version. */
export function parseApiVersion(apiVersion: unknown): { group: string; version: string } {
  const text = String(apiVersion);
  const slash = text.indexOf('/');
  return slash < 0 ? { group: '', version: text } : { group: text.slice(0, slash), version: text.slice(slash + 1) };
}

/** The path an apiVersion is served under: /api/v1 for the core group, /apis/<group>/<version> otherwise. */
export function apiPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export class Registry {
  private readonly byPath = new Map<string, ResourceInfo>();
  private readonly crdResources = new Map<string, ResourceInfo[]>();
  private readonly listeners: Array<() => void> = [];
  /** Bumped on every change, so caches (discovery, OpenAPI) know when to rebuild. */
  generation = 0;

  constructor(builtins: ResourceInfo[] = BUILTIN_RESOURCES) {
    for (const r of builtins) this.byPath.set(pathKey(r.group, r.version, r.plural), r);
  }

  /** The resource served at /api[s]/<group>/<version>/<plural>, if any. */
  lookup(group: string, version: string, plural: string): ResourceInfo | undefined {
    return this.byPath.get(pathKey(group, version, plural));
  }

  /** The storage version's ResourceInfo of a group/plural (the key space objects live in). */
  storageResource(group: string, plural: string): ResourceInfo | undefined {
    for (const r of this.byPath.values()) if (r.group === group && r.plural === plural && r.storage) return r;
    return undefined;
  }

  byKind(group: string, version: string, kind: string): ResourceInfo | undefined {
    for (const r of this.byPath.values()) if (r.group === group && r.version === version && r.kind === kind) return r;
    return undefined;
  }

  all(): ResourceInfo[] {
    return [...this.byPath.values()];
  }

  groupVersions(): Array<{ group: string; version: string }> {
    const seen = new Map<string, { group: string; version: string }>();
    for (const r of this.byPath.values()) seen.set(groupVersion(r), { group: r.group, version: r.version });
    return [...seen.values()];
  }

  /** Replaces the resources contributed by one CRD (empty list: the CRD is gone). */
  setCustomResources(crdName: string, resources: ResourceInfo[]): void {
    const before = this.crdResources.get(crdName) ?? [];
    if (JSON.stringify(before) === JSON.stringify(resources)) return;
    for (const r of before) this.byPath.delete(pathKey(r.group, r.version, r.plural));
    for (const r of resources) this.byPath.set(pathKey(r.group, r.version, r.plural), r);
    if (resources.length) this.crdResources.set(crdName, resources);
    else this.crdResources.delete(crdName);
    this.generation++;
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
}

function pathKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}
