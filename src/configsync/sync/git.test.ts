// A commit's files read from a real git repository through GitMirror: long paths (pax headers), directories, symlinks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GitMirror } from './git.ts';

describe('GitMirror', () => {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-git-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const repo = join(dir, 'repo');
  const longDir = `namespaces/${'a'.repeat(90)}/${'b'.repeat(90)}`;
  const files: Record<string, string> = {
    'system/repo.yaml': 'kind: Repo\n',
    'namespaces/team/ns.yaml': 'kind: Namespace\n',
    [`${longDir}/${'c'.repeat(120)}.yaml`]: 'long: path\n',
    'namespaces/unicode-ä/cm.yaml': 'data: ü\n',
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  symlinkSync('/etc/hostname', join(repo, 'namespaces/team/link.yaml'));
  const git = (args: string[]) => execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  git(['init', '--quiet', '--initial-branch', 'main']);
  git(['add', '--all']);
  git(['commit', '--quiet', '--message', 'files']);

  it('reads every regular file of a commit, long and non-ASCII paths included, symlinks not followed', async () => {
    const mirror = new GitMirror(join(dir, 'state'));
    const commit = await mirror.fetch({ repo: `file://${repo}`, ref: 'main' });
    assert.match(commit, /^[0-9a-f]{40}$/);
    const all = await mirror.files(commit, '');
    assert.deepEqual(Object.fromEntries(all), files);
    const namespaces = await mirror.files(commit, 'namespaces');
    assert.deepEqual([...namespaces.keys()].sort(), [`${longDir.slice('namespaces/'.length)}/${'c'.repeat(120)}.yaml`, 'team/ns.yaml', 'unicode-ä/cm.yaml']);
    assert.equal((await mirror.files(commit, 'nothing')).size, 0);
  });
});
