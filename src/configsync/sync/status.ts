// A RootSync's status as upstream's (kpt-config-sync pkg/api/configsync/v1beta1 sync_types.go, rootsync_types.go):
// the source, rendering and sync stages with their commit, ConfigSyncErrors and error summary, lastSyncedCommit,
// the Reconciling/Stalled/Syncing conditions, and Canopy's status.clusters (what each member cluster has).
import { rfc3339 } from '../../gofmt.ts';
import { stableJson } from '../../controllers/runtime.ts';
import { formatKnv, type KnvError } from '../knv.ts';
import type { KObject } from '../objects.ts';

/** Upstream's ConfigSyncError: the code without "KNV", the whole printed error, the resources it names. */
export interface ConfigSyncError {
  code: string;
  errorMessage: string;
  errorResources?: KObject[];
}

export interface GitStatus {
  repo: string;
  revision: string;
  branch: string;
  dir: string;
}

/** Errors a status lists at most per stage; errorSummary counts them all. */
const MAX_ERRORS = 100;

export function configSyncError(e: KnvError): ConfigSyncError {
  const resources = e.resources.map((r) => ({
    ...(r.sourcePath ? { sourcePath: r.sourcePath } : {}), ...(r.name ? { name: r.name } : {}),
    ...(r.namespace ? { namespace: r.namespace } : {}), gvk: { group: r.group, version: r.version, kind: r.kind },
  }));
  return { code: e.code.replace(/^KNV/, ''), errorMessage: formatKnv(e), ...(resources.length ? { errorResources: resources } : {}) };
}

/** An error upstream has no builder of its own for here: code and message, printed as KNV errors are. */
export function plainConfigSyncError(code: string, message: string): ConfigSyncError {
  return configSyncError({ code: `KNV${code}`, message, paths: [], resources: [] });
}

/** The errors deduplicated (one repo error is every cluster's), sorted by their text. */
export function uniqueErrors(errors: readonly ConfigSyncError[]): ConfigSyncError[] {
  const byText = new Map(errors.map((e) => [e.errorMessage, e]));
  return [...byText.keys()].sort().map((k) => byText.get(k)!);
}

/** `errors` and `errorSummary` of a stage, or nothing when there are none. */
export function errorFields(errors: readonly ConfigSyncError[]): KObject {
  if (!errors.length) return {};
  const listed = errors.slice(0, MAX_ERRORS);
  return {
    errors: listed,
    errorSummary: { totalCount: errors.length, ...(listed.length < errors.length ? { truncated: true } : {}), errorCountAfterTruncation: listed.length },
  };
}

export interface Condition {
  type: 'Reconciling' | 'Stalled' | 'Syncing';
  status: 'True' | 'False';
  reason: string;
  message: string;
  commit?: string;
  errorSourceRefs?: string[];
  errorSummary?: KObject;
  errors?: ConfigSyncError[];
}

/** The conditions with these set: lastTransitionTime kept unless the status flips, lastUpdateTime when anything changes. */
export function setConditions(current: KObject[] | undefined, next: Condition[], nowMs: number): KObject[] {
  const now = rfc3339(nowMs);
  return next.map((c) => {
    const was = (current ?? []).find((x) => x.type === c.type);
    const { lastUpdateTime: _u, lastTransitionTime: _t, ...wasContent } = was ?? {};
    const unchanged = was && stableJson(wasContent) === stableJson(c);
    return {
      ...c,
      lastUpdateTime: unchanged ? was.lastUpdateTime : now,
      lastTransitionTime: was && was.status === c.status ? was.lastTransitionTime : now,
    };
  });
}

/** A status without its times, to tell whether anything but the clock changed. */
export function withoutTimes(status: KObject | undefined): string {
  return stableJson(status ?? {}).replace(/"(lastUpdate|lastUpdateTime|lastTransitionTime)":"[^"]*"/g, '');
}
