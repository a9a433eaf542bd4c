// A RootSync with `spec.git.auth: token`, end to end: a real control plane and member, a Git repo made with the git CLI
// and served by this process over git's "dumb HTTP" protocol only to requests with the right Basic credentials, the
// Secret of config-management-system holding them. The right token syncs the repo to the member; a wrong one is a
// KNV2004 source error whose status never shows the token.
import assert from 'node:assert/strict';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configMapYaml, makeRepo, namespaceYaml, removeTemporaryDirectories, temporaryDirectory } from './support/configsync.ts';
import { memberGet, startFederation, type Federation } from './support/federation.ts';
import { git, initRepo } from './support/git.ts';
import { api, kubectlOk, type RunningServer, waitFor } from './support/server.ts';

const NS = 'config-management-system';
const ROOT_SYNCS = '/apis/configsync.gke.io/v1beta1/namespaces/config-management-system/rootsyncs';
const USERNAME = 'canopy-bot';
const TOKEN = 'secret-token';
const WRONG_TOKEN = 'wrong-token-7f3c9a1e';

const basic = (username: string, token: string) => `Basic ${Buffer.from(`${username}:${token}`).toString('base64')}`;

let f: Federation;
let cp: RunningServer;
let m1: RunningServer;
let http: Server;
let repoUrl: string;
let commit: string;
/** Every Authorization header the Git server was sent, and how many requests it refused with 401. */
const authorizationsSeen = new Set<string>();
let refused = 0;

/**
 * Serves the files of the bare repository `bare` under /repo.git/ (git's dumb HTTP protocol: info/refs, HEAD,
 * objects/...), only to requests with `Authorization: Basic base64(USERNAME:TOKEN)`; never a file outside `bare`.
 */
function gitHttpServer(bare: string): Server {
  const root = realpathSync(bare);
  return createServer((req, res) => {
    const authorization = req.headers.authorization;
    if (authorization !== undefined) authorizationsSeen.add(authorization);
    if (authorization !== basic(USERNAME, TOKEN)) {
      refused++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' }).end('authentication required\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const rawPath = (req.url ?? '').split('?')[0]!; // the smart-protocol probe ?service=git-upload-pack gets the dumb answer
    const prefix = '/repo.git/';
    let relative: string;
    try {
      relative = rawPath.startsWith(prefix) ? decodeURIComponent(rawPath.slice(prefix.length)) : '';
    } catch {
      relative = '';
    }
    const file = resolve(root, relative);
    let isFile = false;
    try {
      // Inside the repository (no `..`, no absolute path), after symbolic links too.
      isFile = !relative.includes('\0') && file.startsWith(root + sep) && realpathSync(file).startsWith(root + sep) && statSync(file).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': relative === 'info/refs' ? 'text/plain' : 'application/octet-stream', 'Content-Length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
}

/** One plain HTTP GET of the Git server with the path sent as is. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const { port } = http.address() as AddressInfo;
  return new Promise((resolveGet, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function rootSync(name: string): Promise<any> {
  return (await api(cp, 'GET', `${ROOT_SYNCS}/${name}`)).json;
}

function applyTokenRootSync(name: string, secret: string, username: string, token: string): void {
  kubectlOk(cp, ['create', 'secret', 'generic', secret, '-n', NS, `--from-literal=username=${username}`, `--from-literal=token=${token}`]);
  kubectlOk(cp, ['apply', '-f', '-'], {
    input: `apiVersion: configsync.gke.io/v1beta1
kind: RootSync
metadata:
  name: ${name}
  namespace: ${NS}
spec:
  sourceFormat: hierarchy
  git:
    repo: ${repoUrl}
    branch: main
    period: 1s
    auth: token
    secretRef:
      name: ${secret}
`,
  });
}

describe('RootSync with auth: token, from a Git server over HTTP that wants Basic credentials', { timeout: 600_000 }, () => {
  before(async () => {
    const repo = makeRepo({
      'namespaces/token-auth/namespace.yaml': namespaceYaml('token-auth'),
      'namespaces/token-auth/settings.yaml': configMapYaml('settings'),
    });
    commit = initRepo(repo);
    const bare = join(temporaryDirectory('canopy-configsync-bare-'), 'repo.git');
    git(repo, ['clone', '--quiet', '--bare', repo, bare]);
    git(bare, ['update-server-info']);
    http = gitHttpServer(bare);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    repoUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/repo.git`;

    f = await startFederation(['m1']);
    cp = f.cp;
    m1 = f.members.m1!;
  });

  after(async () => {
    await f?.stop();
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    }
    removeTemporaryDirectories();
  });

  it('the Git server answers only the right credentials, and only with files of the bare repository', async () => {
    const anonymous = await get('/repo.git/info/refs?service=git-upload-pack');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="git"');
    assert.equal((await get('/repo.git/info/refs', { Authorization: basic(USERNAME, WRONG_TOKEN) })).status, 401);
    const refs = await get('/repo.git/info/refs?service=git-upload-pack', { Authorization: basic(USERNAME, TOKEN) });
    assert.equal(refs.status, 200);
    assert.equal(refs.text, `${commit}\trefs/heads/main\n`);
    for (const path of ['/repo.git/../../../../etc/passwd', '/repo.git/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/repo.git/..%2f..%2f..%2fetc/passwd',
      '/repo.git/%2fetc%2fpasswd', '/repo.git/', '/etc/passwd']) {
      assert.equal((await get(path, { Authorization: basic(USERNAME, TOKEN) })).status, 404, path);
    }
  });

  it('the right token in the Secret: the commit syncs and its ConfigMap is on the member', async () => {
    applyTokenRootSync('token-sync', 'git-creds', USERNAME, TOKEN);
    let last: any;
    const rs = await waitFor(`commit ${commit} synced`, async () => {
      last = await rootSync('token-sync');
      return last?.status?.lastSyncedCommit === commit && last.status.clusters?.every((c: any) => c.commit === commit) ? last : undefined;
    }, 60_000).catch((e) => { throw new Error(`${e.message}; last status ${JSON.stringify(last?.status)}`); });
    assert.equal(rs.status.source.commit, commit);
    assert.equal(rs.status.source.errors, undefined);
    assert.deepEqual(rs.status.source.gitStatus, { repo: repoUrl, revision: 'HEAD', branch: 'main', dir: '.' });
    assert.deepEqual(rs.status.clusters, [{ name: 'm1', commit }]);
    assert.ok(authorizationsSeen.has(basic(USERNAME, TOKEN)), 'git sent the Secret\'s credentials');

    const cm = await waitFor('the ConfigMap on m1', () => memberGet(m1, ['configmap', 'settings', '-n', 'token-auth']), 60_000);
    assert.deepEqual(cm.data, { key: 'value' });
    assert.equal(cm.metadata.annotations['configmanagement.gke.io/token'], commit);
    assert.equal(cm.metadata.annotations['configmanagement.gke.io/source-path'], 'namespaces/token-auth/settings.yaml');
    assert.ok(memberGet(m1, ['namespace', 'token-auth']));
  });

  it('a wrong token in the Secret: KNV2004, the token nowhere in the status, nothing synced', async () => {
    const refusedBefore = refused;
    applyTokenRootSync('wrong-token-sync', 'git-creds-wrong', USERNAME, WRONG_TOKEN);
    const rs = await waitFor('KNV2004', async () => {
      const r = await rootSync('wrong-token-sync');
      return r?.status?.source?.errors?.length ? r : undefined;
    }, 60_000);
    assert.deepEqual(rs.status.source.errors.map((e: any) => e.code), ['2004']);
    assert.match(rs.status.source.errors[0].errorMessage, new RegExp(`^KNV2004: failed to fetch main from ${repoUrl.replaceAll('.', '\\.')}: `));
    assert.equal(rs.status.lastSyncedCommit, undefined);
    // The server was reached and refused the Secret's (wrong) credentials: an authentication failure, not another one.
    assert.ok(authorizationsSeen.has(basic(USERNAME, WRONG_TOKEN)), 'git sent the wrong credentials');
    assert.ok(refused > refusedBefore);

    const status = JSON.stringify(rs.status);
    assert.ok(!status.includes(WRONG_TOKEN), `the token is in the status: ${status}`);
    assert.ok(!status.includes(Buffer.from(`${USERNAME}:${WRONG_TOKEN}`).toString('base64')), `the credentials are in the status: ${status}`);
    // Nor anywhere in the RootSync as kubectl shows it.
    const shown = kubectlOk(cp, ['get', 'rootsync', 'wrong-token-sync', '-n', NS, '-o', 'yaml']);
    assert.match(shown, /KNV2004/);
    assert.ok(!shown.includes(WRONG_TOKEN), shown);
    // The RootSync with the right token is untouched.
    assert.equal((await rootSync('token-sync')).status.lastSyncedCommit, commit);
    assert.ok(memberGet(m1, ['configmap', 'settings', '-n', 'token-auth']));
  });
});
