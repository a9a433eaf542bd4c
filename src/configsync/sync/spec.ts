// A RootSync's spec read with upstream's defaults (kpt-config-sync pkg/api/configsync/v1beta1, pkg/reconcilermanager):
// sourceFormat hierarchy, branch master, revision HEAD (the branch is fetched), dir the repo root, period 15 s. What is
// wrong is reported with upstream's KNV1061 texts (pkg/validate/raw/validate/sync_validator.go).
import { parseGoDuration } from '../../gofmt.ts';
import type { KObject } from '../objects.ts';
import type { SourceFormat } from '../reader.ts';
import type { GitStatus } from './status.ts';

export const DEFAULT_PERIOD_MS = 15_000;
const DEFAULT_BRANCH = 'master';
const DEFAULT_REVISION = 'HEAD';
const DEFAULT_DIR = '.';

export interface RootSyncSpec {
  format: SourceFormat;
  repo: string;
  /** What is fetched: the revision unless HEAD, else the branch. */
  ref: string;
  gitStatus: GitStatus;
  periodMs: number;
  /** The Secret in the RootSync's namespace with the keys username and token (auth: token). */
  tokenSecret?: string;
}

/** The spec with its defaults, or the KNV1061 message of what is wrong with it. */
export function readRootSyncSpec(rootSync: KObject): RootSyncSpec | { invalid: string } {
  const spec = rootSync.spec ?? {};
  const sourceType = spec.sourceType ?? 'git';
  if (sourceType !== 'git') return { invalid: `RootSyncs must specify spec.sourceType to be "git" (Canopy syncs only Git repos)` };
  const git = spec.git;
  if (!git) return { invalid: `RootSyncs must specify spec.git when spec.sourceType is "git"` };
  if (!git.repo) return { invalid: `RootSyncs must specify spec.git.repo when spec.sourceType is "git"` };
  if (git.auth === 'token' && !git.secretRef?.name) {
    return { invalid: `RootSyncs must specify spec.git.secretRef.name when spec.git.auth is "token"` };
  }
  const periodMs = git.period ? parseGoDuration(String(git.period)) : DEFAULT_PERIOD_MS;
  if (periodMs === undefined || periodMs < 0) return { invalid: `RootSyncs must specify spec.git.period as a duration such as "15s", not ${JSON.stringify(git.period)}` };
  const branch = git.branch || DEFAULT_BRANCH;
  const revision = git.revision || DEFAULT_REVISION;
  const dir = git.dir || DEFAULT_DIR;
  return {
    format: spec.sourceFormat === 'unstructured' ? 'unstructured' : 'hierarchy',
    repo: git.repo,
    ref: revision === DEFAULT_REVISION ? branch : revision,
    gitStatus: { repo: git.repo, revision, branch, dir },
    // 0 means the default, as metav1.Duration's zero value does upstream.
    periodMs: periodMs || DEFAULT_PERIOD_MS,
    ...(git.auth === 'token' ? { tokenSecret: git.secretRef.name } : {}),
  };
}
