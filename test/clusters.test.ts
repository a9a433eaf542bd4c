// canopy join / unjoin / up with real processes and the real kubectl.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import forge from 'node-forge';
import { CANOPY, kubectl, kubectlOk, removeDir, startServer, tempDir, type RunningServer } from './support/server.ts';

function canopy(args: string[], controlPlane?: RunningServer) {
  const r = spawnSync(process.execPath, [CANOPY, ...args], {
    encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, ...(controlPlane ? { CANOPY_KUBECONFIG: controlPlane.kubeconfig } : {}) },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts a one-line error that says what is wrong, without credentials. */
function assertFails(result: { code: number; stdout: string; stderr: string }, pattern: RegExp, secrets: string[] = []): void {
  assert.notEqual(result.code, 0, result.stdout);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, pattern);
  for (const secret of secrets) assert.ok(!result.stderr.includes(secret), 'the error leaks a credential');
}

describe('join and unjoin', () => {
  let cp: RunningServer;
  let member: RunningServer;
  before(async () => {
    [cp, member] = await Promise.all([startServer(), startServer({ command: 'member', name: 'm1' })]);
  });
  after(async () => {
    await Promise.all([cp.stop(), member.stop()]);
    removeDir(cp.dir);
    removeDir(member.dir);
  });

  it('refuses bad input with one clear line and creates nothing', () => {
    const dir = tempDir();
    const wrongToken = join(dir, 'wrong.kubeconfig');
    writeFileSync(wrongToken, readFileSync(member.kubeconfig, 'utf8').replace(/token: .*/, 'token: not-the-token'));
    const unreachable = join(dir, 'unreachable.kubeconfig');
    writeFileSync(unreachable, readFileSync(member.kubeconfig, 'utf8').replace(/server: .*/, 'server: https://127.0.0.1:1'));
    const garbage = join(dir, 'garbage.kubeconfig');
    writeFileSync(garbage, '{{{ not yaml');
    assertFails(canopy(['join', 'm1', '--kubeconfig', join(dir, 'missing')], cp), /kubeconfig .*missing does not exist/);
    assertFails(canopy(['join', 'm1', '--kubeconfig', garbage], cp), /cannot be read/);
    assertFails(canopy(['join', 'm1', '--kubeconfig', member.kubeconfig, '--context', 'nope'], cp), /context "nope" does not exist/);
    assertFails(canopy(['join', 'm1', '--kubeconfig', wrongToken], cp), /refused the credentials \(HTTP 401\)/, ['not-the-token']);
    assertFails(canopy(['join', 'm1', '--kubeconfig', unreachable], cp), /cannot reach https:\/\/127\.0\.0\.1:1/);
    assertFails(canopy(['join', 'Bad_Name', '--kubeconfig', member.kubeconfig], cp), /invalid cluster name "Bad_Name"/);
    assertFails(canopy(['join', 'x'.repeat(49), '--kubeconfig', member.kubeconfig], cp), /must be no more than 48 characters/);
    assertFails(canopy(['join', 'm1', '--kubeconfig', member.kubeconfig, '--mode', 'pull'], cp), /^error: a Pull cluster is registered with `canopy register m1`, then its agent runs beside the member \(docs\/pull.md\)$/);
    assertFails(canopy(['unjoin', 'never-joined'], cp), /cluster "never-joined" is not joined/);
    assert.match(kubectl(cp, ['get', 'clusters']).stderr, /No resources found/);
    assert.equal(kubectlOk(cp, ['get', 'secrets', '-n', 'karmada-cluster', '-o', 'name']).trim(), '');
    removeDir(dir);
  });

  it('joins a member, refuses a duplicate, and the member becomes Ready', async () => {
    const joined = canopy(['join', 'm1', '--kubeconfig', member.kubeconfig, '--output', 'json'], cp);
    assert.equal(joined.code, 0, joined.stderr);
    const cluster = JSON.parse(joined.stdout);
    assert.deepEqual(cluster.spec.secretRef, { namespace: 'karmada-cluster', name: 'm1' });
    assert.equal(cluster.spec.syncMode, 'Push');
    assert.equal(cluster.spec.apiEndpoint, member.url);
    assertFails(canopy(['join', 'm1', '--kubeconfig', member.kubeconfig], cp), /cluster "m1" is already joined/);
    const secret = JSON.parse(kubectlOk(cp, ['get', 'secret', 'm1', '-n', 'karmada-cluster', '-o', 'json']));
    assert.deepEqual(Object.keys(secret.data).sort(), ['caBundle', 'kubeconfig', 'token']);
    assert.ok(!kubectlOk(cp, ['get', 'cluster', 'm1', '-o', 'yaml']).includes(member.token), 'the Cluster does not carry the token');
    const deadline = Date.now() + 60_000;
    let row = '';
    while (Date.now() < deadline) {
      row = kubectlOk(cp, ['get', 'clusters', '--no-headers']);
      if (/^m1\s+v1\.32\.0-canopy\s+Push\s+True\s+/.test(row)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(row, /^m1\s+v1\.32\.0-canopy\s+Push\s+True\s+/);
    assert.match(kubectlOk(cp, ['get', 'clusters']), /^NAME\s+VERSION\s+MODE\s+READY\s+AGE\n/);
  });

  it('unjoin removes only objects Canopy owns on the member, then the Cluster and its Secret', () => {
    kubectlOk(member, ['create', 'configmap', 'ours', '-n', 'default']);
    kubectlOk(member, ['label', 'configmap', 'ours', '-n', 'default', 'karmada.io/managed=true']);
    kubectlOk(member, ['create', 'configmap', 'theirs', '-n', 'default']);
    const result = canopy(['unjoin', 'm1', '--output', 'json'], cp);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { cluster: 'm1', removed: 1 });
    const left = kubectlOk(member, ['get', 'configmaps', '-n', 'default', '-o', 'name']);
    assert.match(left, /configmap\/theirs/);
    assert.doesNotMatch(left, /configmap\/ours/);
    assert.match(kubectl(cp, ['get', 'cluster', 'm1']).stderr, /NotFound/);
    assert.match(kubectl(cp, ['get', 'secret', 'm1', '-n', 'karmada-cluster']).stderr, /NotFound/);
  });

  it('joins with exec-plugin credentials, as kubectl reads them', async () => {
    const other = await startServer({ command: 'member', name: 'm3' });
    const dir = tempDir();
    const plugin = join(dir, 'credential-plugin.mjs');
    writeFileSync(plugin, `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: ${JSON.stringify(other.token)} } }));\n`);
    const kubeconfig = join(dir, 'exec.kubeconfig');
    writeFileSync(kubeconfig, readFileSync(other.kubeconfig, 'utf8').replace(/^( *)token: .*$/m, (_line, indent: string) =>
      [`${indent}exec:`, `${indent}  apiVersion: client.authentication.k8s.io/v1`, `${indent}  command: ${process.execPath}`,
        `${indent}  args: [${plugin}]`, `${indent}  interactiveMode: Never`].join('\n')));
    assert.doesNotMatch(readFileSync(kubeconfig, 'utf8'), /token:/);
    const joined = canopy(['join', 'm3', '--kubeconfig', kubeconfig], cp);
    assert.equal(joined.code, 0, joined.stderr);
    assert.match(joined.stdout, /cluster "m3" joined \(Push mode, https:\/\/127\.0\.0\.1:\d+\)/);
    const secret = JSON.parse(kubectlOk(cp, ['get', 'secret', 'm3', '-n', 'karmada-cluster', '-o', 'json']));
    const stored = Buffer.from(secret.data.kubeconfig, 'base64').toString('utf8');
    assert.doesNotMatch(stored, /exec:|command:/, 'the stored credentials name no command');
    assert.ok(stored.includes(other.token), 'the token the plugin gave is stored instead');
    assert.equal(canopy(['unjoin', 'm3'], cp).code, 0);
    await other.stop();
    removeDir(other.dir);
    removeDir(dir);
  });

  it('joins with a client certificate (files inlined into the stored credentials); a foreign one is refused', async () => {
    const dir = tempDir();
    const caCert = forge.pki.certificateFromPem(readFileSync(join(member.dir, 'pki', 'ca.crt'), 'utf8'));
    const caKey = forge.pki.privateKeyFromPem(readFileSync(join(member.dir, 'pki', 'ca.key'), 'utf8'));
    const issue = (issuer: forge.pki.Certificate | undefined, signer: forge.pki.PrivateKey | undefined, prefix: string) => {
      const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
      const cert = forge.pki.createCertificate();
      cert.publicKey = keys.publicKey;
      cert.serialNumber = '01';
      cert.validity.notBefore = new Date(Date.now() - 60_000);
      cert.validity.notAfter = new Date(Date.now() + 3600_000);
      cert.setSubject([{ name: 'commonName', value: 'joiner' }]);
      cert.setIssuer(issuer ? issuer.subject.attributes : cert.subject.attributes);
      cert.setExtensions([{ name: 'extKeyUsage', clientAuth: true }]);
      cert.sign((signer ?? keys.privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
      writeFileSync(join(dir, `${prefix}.crt`), forge.pki.certificateToPem(cert));
      writeFileSync(join(dir, `${prefix}.key`), forge.pki.privateKeyToPem(keys.privateKey));
    };
    issue(caCert, caKey, 'good');
    issue(undefined, undefined, 'foreign');
    const withCert = (prefix: string) => {
      const path = join(dir, `${prefix}.kubeconfig`);
      writeFileSync(path, readFileSync(member.kubeconfig, 'utf8').replace(/^( *)token: .*$/m, (_line, indent: string) =>
        `${indent}client-certificate: ${prefix}.crt\n${indent}client-key: ${prefix}.key`));
      return path;
    };
    assertFails(canopy(['join', 'm4', '--kubeconfig', withCert('foreign')], cp), /refused the credentials \(HTTP 401\)/);
    const joined = canopy(['join', 'm4', '--kubeconfig', withCert('good')], cp);
    assert.equal(joined.code, 0, joined.stderr);
    const secret = JSON.parse(kubectlOk(cp, ['get', 'secret', 'm4', '-n', 'karmada-cluster', '-o', 'json']));
    assert.deepEqual(Object.keys(secret.data).sort(), ['caBundle', 'kubeconfig']);
    const stored = Buffer.from(secret.data.kubeconfig, 'base64').toString('utf8');
    assert.match(stored, /client-certificate-data: /);
    assert.match(stored, /client-key-data: /);
    assert.doesNotMatch(stored, /client-certificate: |good\.crt/);
    assert.equal(canopy(['unjoin', 'm4'], cp).code, 0);
    removeDir(dir);
  });

  it('never runs a credential plugin named in stored credentials', async () => {
    const dir = tempDir();
    const marker = join(dir, 'plugin-ran');
    const plugin = join(dir, 'plugin.mjs');
    writeFileSync(plugin, `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const kubeconfig = readFileSync(member.kubeconfig, 'utf8').replace(/^( *)token: .*$/m, (_line, indent: string) =>
      [`${indent}exec:`, `${indent}  apiVersion: client.authentication.k8s.io/v1`, `${indent}  command: ${process.execPath}`,
        `${indent}  args: [${plugin}]`, `${indent}  interactiveMode: Never`].join('\n'));
    kubectlOk(cp, ['create', 'secret', 'generic', 'planted', '-n', 'karmada-cluster', `--from-literal=kubeconfig=${kubeconfig}`]);
    kubectlOk(cp, ['apply', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'planted' },
      spec: { syncMode: 'Push', apiEndpoint: member.url, secretRef: { namespace: 'karmada-cluster', name: 'planted' } },
    }) });
    const deadline = Date.now() + 30_000;
    let ready: any;
    while (Date.now() < deadline && !ready) {
      const cluster = JSON.parse(kubectlOk(cp, ['get', 'cluster', 'planted', '-o', 'json']));
      ready = cluster.status?.conditions?.find((c: any) => c.type === 'Ready');
      if (!ready) await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(ready?.status, 'False');
    assert.match(ready.message, /credential plugin, which is not accepted for stored credentials/);
    assert.ok(!existsSync(marker), 'the plugin never ran');
    kubectlOk(cp, ['delete', 'cluster', 'planted']);
    kubectlOk(cp, ['delete', 'secret', 'planted', '-n', 'karmada-cluster']);
    removeDir(dir);
  });

  it('unjoin of an unreachable member needs --force', async () => {
    const other = await startServer({ command: 'member', name: 'm2' });
    assert.equal(canopy(['join', 'm2', '--kubeconfig', other.kubeconfig], cp).code, 0);
    await other.stop();
    assertFails(canopy(['unjoin', 'm2'], cp), /cannot clean up member cluster "m2": .*use --force/);
    kubectlOk(cp, ['get', 'cluster', 'm2']);
    const forced = canopy(['unjoin', 'm2', '--force'], cp);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(kubectl(cp, ['get', 'cluster', 'm2']).stderr, /NotFound/);
    removeDir(other.dir);
  });
});

describe('canopy up', () => {
  const dir = tempDir();
  after(() => removeDir(dir));

  async function startUp(): Promise<{ stop(): Promise<void>; output: string }> {
    const child = spawn(process.execPath, [CANOPY, 'up', '--dir', dir, '--port', '0', '--pull', 'member2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`canopy up did not become ready:\n${output}`)), 60_000);
      child.stdout.on('data', (c) => {
        output += c;
        if (/\ntry: .*\n.*\n/.test(output)) { clearTimeout(timer); resolve(); }
      });
      child.stderr.on('data', (c) => { output += c; });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`canopy up exited with ${code}:\n${output}`)); });
    });
    const exited = new Promise((r) => child.on('exit', r));
    return { output, async stop() { child.kill('SIGTERM'); await exited; } };
  }

  const run = (kubeconfig: string, args: string[]) => {
    const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kubectl-cache'), ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  it('reaches ready, its kubeconfigs work, and a restart resumes the same state', async () => {
    const first = await startUp();
    assert.match(first.output, /^ready\n/);
    assert.match(first.output, /control plane\s+https:\/\/127\.0\.0\.1:\d+\s+kubeconfig /);
    assert.match(first.output, /^member1\s+https:\/\/\S+\s+kubeconfig \S+\s+Push$/m);
    assert.match(first.output, /^member2\s+https:\/\/\S+\s+kubeconfig \S+\s+Pull$/m);
    assert.match(run(join(dir, 'kubeconfig'), ['get', 'clusters', '-o', 'name']), /cluster\.cluster\.karmada\.io\/member1\ncluster\.cluster\.karmada\.io\/member2/);
    run(join(dir, 'member1.kubeconfig'), ['create', 'namespace', 'kept']);
    run(join(dir, 'kubeconfig'), ['create', 'namespace', 'global']);
    const token = readFileSync(join(dir, 'pki', 'admin.token'), 'utf8');
    await first.stop();

    const second = await startUp();
    assert.equal(readFileSync(join(dir, 'pki', 'admin.token'), 'utf8'), token, 'same credentials after a restart');
    assert.match(run(join(dir, 'member1.kubeconfig'), ['get', 'namespace', 'kept', '-o', 'name']), /namespace\/kept/);
    assert.match(run(join(dir, 'kubeconfig'), ['get', 'namespace', 'global', '-o', 'name']), /namespace\/global/);
    const clusters = JSON.parse(run(join(dir, 'kubeconfig'), ['get', 'clusters', '-o', 'json'])).items;
    const member2 = readFileSync(join(dir, 'member2.kubeconfig'), 'utf8');
    const pulled = clusters.find((c: any) => c.metadata.name === 'member2');
    assert.equal(pulled.spec.syncMode, 'Pull');
    assert.ok(member2.includes(pulled.spec.apiEndpoint), 'the Cluster follows the member\'s new address');
    await second.stop();
  });
});
