// RBAC authorization end to end: users with client certificates minted by the server's CA, the real kubectl
// (1.32 on PATH, and 1.27), every rule shape, the Forbidden texts, kubectl auth can-i and impersonation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { api, kubectl, kubectlFails, kubectlOk, removeDir, startServer, type RunningServer } from './support/server.ts';
import { mintUser, userApi, type TestUser } from './support/users.ts';

const KUBECTL_127 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';

let server: RunningServer;

const admin = (args: string[], input?: string) => kubectlOk(server, args, { input });
const as = (user: TestUser, args: string[]) => kubectlOk(user.server, args);
const denied = (user: TestUser, args: string[], binary?: string) => kubectlFails(user.server, args, { binary }).trim();
const canI = (user: TestUser | RunningServer, args: string[]) => {
  const r = kubectl('server' in user ? user.server : user, ['auth', 'can-i', ...args]);
  return r.stdout.trim();
};

function role(kind: 'Role' | 'ClusterRole', name: string, rules: object[], namespace?: string): string {
  return JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, rules });
}

function binding(kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, roleRef: { kind: string; name: string },
  subjects: object[], namespace?: string): string {
  return JSON.stringify({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef }, subjects,
  });
}

const user = (name: string) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });
const group = (name: string) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });

/** A user allowed exactly these rules in a namespace of their own (a Role and RoleBinding there). */
function userWithRules(name: string, namespace: string, rules: object[]): TestUser {
  admin(['create', 'namespace', namespace]);
  admin(['apply', '-f', '-'], role('Role', name, rules, namespace));
  admin(['apply', '-f', '-'], binding('RoleBinding', name, { kind: 'Role', name }, [user(name)], namespace));
  return mintUser(server, name);
}

describe('RBAC authorization', () => {
  before(async () => {
    server = await startServer();
    admin(['create', 'namespace', 'team-a']);
    admin(['create', 'namespace', 'team-b']);
    admin(['create', 'configmap', 'settings', '-n', 'team-a', '--from-literal=mode=a']);
    admin(['create', 'configmap', 'other', '-n', 'team-a', '--from-literal=mode=b']);
  });

  after(async () => {
    await server.stop();
    removeDir(server.dir);
  });

  describe('denials', () => {
    it('read as upstream words them, for kubectl and as a Status', async () => {
      const nobody = mintUser(server, 'nobody');
      assert.equal(denied(nobody, ['get', 'configmaps', '-n', 'team-a']),
        'Error from server (Forbidden): configmaps is forbidden: User "nobody" cannot list resource "configmaps" in API group "" in the namespace "team-a"');
      assert.equal(denied(nobody, ['get', 'namespaces']),
        'Error from server (Forbidden): namespaces is forbidden: User "nobody" cannot list resource "namespaces" in API group "" at the cluster scope');
      assert.equal(denied(nobody, ['get', 'configmap', 'settings', '-n', 'team-a']),
        'Error from server (Forbidden): configmaps "settings" is forbidden: User "nobody" cannot get resource "configmaps" in API group "" in the namespace "team-a"');
      assert.equal(denied(nobody, ['get', '--raw', '/metrics']),
        'Error from server (Forbidden): forbidden: User "nobody" cannot get path "/metrics"');

      const scale = await userApi(nobody, 'GET', '/apis/apps/v1/namespaces/team-a/deployments/web/scale');
      assert.equal(scale.status, 403);
      assert.deepEqual(scale.json, {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
        message: 'deployments.apps "web" is forbidden: User "nobody" cannot get resource "deployments/scale" in API group "apps" in the namespace "team-a"',
        reason: 'Forbidden', details: { name: 'web', group: 'apps', kind: 'deployments' }, code: 403,
      });
      const metrics = await userApi(nobody, 'GET', '/metrics');
      assert.deepEqual(metrics.json, {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
        message: 'forbidden: User "nobody" cannot get path "/metrics"', reason: 'Forbidden', details: {}, code: 403,
      });
      const namespace = await userApi(nobody, 'DELETE', '/api/v1/namespaces/team-a');
      assert.equal(namespace.json.message,
        'namespaces "team-a" is forbidden: User "nobody" cannot delete resource "namespaces" in API group "" in the namespace "team-a"');
    });

    it('name a binding whose role is missing', async () => {
      admin(['apply', '-f', '-'], binding('RoleBinding', 'dangling', { kind: 'ClusterRole', name: 'no-such-role' }, [user('dangler')], 'team-b'));
      const dangler = mintUser(server, 'dangler');
      assert.equal((await userApi(dangler, 'GET', '/api/v1/namespaces/team-b/pods')).json.message,
        'pods is forbidden: User "dangler" cannot list resource "pods" in API group "" in the namespace "team-b": RBAC: clusterrole.rbac.authorization.k8s.io "no-such-role" not found');
    });

    it('leave unauthenticated requests unauthorized and health checks open', async () => {
      const anonymous = await api(server, 'GET', '/api/v1/namespaces', undefined, { Authorization: 'Bearer wrong' });
      assert.equal(anonymous.status, 401);
      assert.equal((await api(server, 'GET', '/healthz', undefined, { Authorization: '' })).text, 'ok');
    });

    it('are not made for discovery, version and self reviews of any authenticated user', () => {
      const nobody = mintUser(server, 'newcomer');
      assert.match(as(nobody, ['version', '-o', 'json']), /"serverVersion"/);
      assert.match(as(nobody, ['api-resources', '--api-group=apps', '-o', 'name']), /^deployments\.apps$/m);
      assert.equal(canI(nobody, ['get', 'pods']), 'no');
    });
  });

  describe('rules', () => {
    it('match verbs, and every verb with "*"', () => {
      const reader = userWithRules('getter', 'verbs', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
      admin(['create', 'configmap', 'c', '-n', 'verbs']);
      assert.match(as(reader, ['get', 'configmap', 'c', '-n', 'verbs', '-o', 'name']), /configmap\/c/);
      assert.match(denied(reader, ['get', 'configmaps', '-n', 'verbs']), /cannot list resource "configmaps"/);
      assert.match(denied(reader, ['delete', 'configmap', 'c', '-n', 'verbs']), /cannot delete resource "configmaps"/);

      const owner = userWithRules('all-verbs', 'all-verbs', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }]);
      assert.match(as(owner, ['create', 'configmap', 'd', '-n', 'all-verbs']), /created/);
      assert.match(as(owner, ['delete', 'configmap', 'd', '-n', 'all-verbs']), /deleted/);
      assert.match(denied(owner, ['get', 'secrets', '-n', 'all-verbs']), /cannot list resource "secrets"/);
    });

    it('match API groups, and every group with "*"', () => {
      const apps = userWithRules('apps-reader', 'groups', [{ apiGroups: ['apps'], resources: ['*'], verbs: ['list'] }]);
      assert.match(as(apps, ['get', 'deployments,statefulsets', '-n', 'groups']), /^$/);
      assert.match(denied(apps, ['get', 'jobs', '-n', 'groups']), /cannot list resource "jobs" in API group "batch"/);
      assert.match(denied(apps, ['get', 'pods', '-n', 'groups']), /cannot list resource "pods" in API group ""/);
      const any = userWithRules('any-group', 'any-group', [{ apiGroups: ['*'], resources: ['jobs', 'pods'], verbs: ['list'] }]);
      assert.doesNotThrow(() => as(any, ['get', 'jobs,pods', '-n', 'any-group']));
    });

    it('match resources with "*" and subresources by resource/subresource or */subresource', () => {
      admin(['create', 'namespace', 'subs']);
      admin(['create', 'deployment', 'web', '--image=nginx', '-n', 'subs']);
      admin(['apply', '-f', '-'], role('Role', 'scaler', [
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'patch', 'update'] },
      ], 'subs'));
      admin(['apply', '-f', '-'], binding('RoleBinding', 'scaler', { kind: 'Role', name: 'scaler' }, [user('scaler')], 'subs'));
      const scaler = mintUser(server, 'scaler');
      assert.match(as(scaler, ['scale', 'deployment', 'web', '--replicas=3', '-n', 'subs']), /scaled/);
      assert.match(denied(scaler, ['label', 'deployment', 'web', 'x=y', '-n', 'subs']),
        /deployments\.apps "web" is forbidden: User "scaler" cannot patch resource "deployments" in API group "apps"/);

      const status = userWithRules('status-reader', 'status', [{ apiGroups: [''], resources: ['*/status'], verbs: ['get'] }]);
      admin(['run', 'p', '--image=nginx', '-n', 'status']);
      assert.equal(canI(status, ['get', 'pods', '--subresource=status', '-n', 'status']), 'yes');
      assert.equal(canI(status, ['get', 'pods', '-n', 'status']), 'no');
      assert.match(denied(status, ['get', 'pod', 'p', '-n', 'status']), /cannot get resource "pods" in API group ""/);

      const everything = userWithRules('everything', 'everything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list'] }]);
      assert.equal(canI(everything, ['list', 'secrets', '-n', 'everything']), 'yes');
      assert.equal(canI(everything, ['get', 'deployments', '--subresource=scale', '-n', 'everything']), 'yes');
      assert.equal(canI(everything, ['list', 'secrets', '-n', 'team-a']), 'no');
    });

    it('with resourceNames allow the named objects, never a list or a create', async () => {
      admin(['apply', '-f', '-'], role('Role', 'settings-only', [
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get', 'list', 'watch', 'create', 'update'] },
      ], 'team-a'));
      admin(['apply', '-f', '-'], binding('RoleBinding', 'settings-only', { kind: 'Role', name: 'settings-only' }, [user('named')], 'team-a'));
      const named = mintUser(server, 'named');
      assert.match(as(named, ['get', 'configmap', 'settings', '-n', 'team-a', '-o', 'jsonpath={.data.mode}']), /^a$/);
      assert.match(denied(named, ['get', 'configmap', 'other', '-n', 'team-a']), /configmaps "other" is forbidden/);
      assert.match(denied(named, ['get', 'configmaps', '-n', 'team-a']), /cannot list resource "configmaps"/);
      assert.match(denied(named, ['create', 'configmap', 'settings', '-n', 'team-a']), /cannot create resource "configmaps"/);
      const pinned = await userApi(named, 'GET', '/api/v1/namespaces/team-a/configmaps?fieldSelector=metadata.name%3Dsettings');
      assert.equal(pinned.status, 200);
      assert.deepEqual(pinned.json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['settings']);
    });

    it('from a RoleBinding hold in its namespace only, also when it binds a ClusterRole', () => {
      admin(['create', 'rolebinding', 'viewer', '--clusterrole=view', '--user=viewer', '-n', 'team-a']);
      const viewer = mintUser(server, 'viewer');
      assert.match(as(viewer, ['get', 'configmaps', '-n', 'team-a', '-o', 'name']), /configmap\/settings/);
      assert.match(denied(viewer, ['get', 'configmaps', '-n', 'team-b']), /in the namespace "team-b"$/);
      assert.match(denied(viewer, ['get', 'configmaps', '-A']), /at the cluster scope$/);
      assert.match(as(viewer, ['get', 'namespace', 'team-a', '-o', 'name']), /namespace\/team-a/);
      assert.match(denied(viewer, ['get', 'namespace', 'team-b']), /namespaces "team-b" is forbidden/);
      assert.match(denied(viewer, ['get', 'secrets', '-n', 'team-a']), /cannot list resource "secrets"/);
    });

    it('grant non-resource URLs, exactly or by a prefix ending in *', () => {
      admin(['apply', '-f', '-'], role('ClusterRole', 'metrics-reader', [{ nonResourceURLs: ['/metrics', '/openapi/v3/*'], verbs: ['get'] }]));
      admin(['create', 'clusterrolebinding', 'metrics-reader', '--clusterrole=metrics-reader', '--user=scraper']);
      const scraper = mintUser(server, 'scraper');
      assert.match(as(scraper, ['get', '--raw', '/metrics']), /apiserver_request_total/);
      assert.match(as(scraper, ['get', '--raw', '/openapi/v3/apis/apps/v1']), /"openapi"/);
      assert.equal(canI(scraper, ['get', '/metrics']), 'yes');
      assert.equal(canI(scraper, ['post', '/metrics']), 'no');
      assert.equal(canI(scraper, ['get', '/logs']), 'no');
    });

    it('bind Groups (client certificate organizations) and ServiceAccounts', async () => {
      admin(['create', 'rolebinding', 'devs', '--clusterrole=edit', '--group=devs', '-n', 'team-b']);
      const dev = mintUser(server, 'carol', ['devs', 'other']);
      assert.match(as(dev, ['auth', 'whoami']), /^Groups\s+\[devs other system:authenticated\]$/m);
      assert.match(as(dev, ['create', 'configmap', 'from-carol', '-n', 'team-b']), /created/);
      assert.match(denied(mintUser(server, 'dave', ['other']), ['get', 'configmaps', '-n', 'team-b']), /User "dave" cannot list/);

      admin(['create', 'serviceaccount', 'robot', '-n', 'team-b']);
      admin(['create', 'rolebinding', 'robot', '--clusterrole=view', '--serviceaccount=team-b:robot', '-n', 'team-b']);
      const robot = mintUser(server, 'system:serviceaccount:team-b:robot', ['system:serviceaccounts', 'system:serviceaccounts:team-b']);
      assert.match(as(robot, ['get', 'configmaps', '-n', 'team-b', '-o', 'name']), /configmap\/from-carol/);
      assert.match(denied(robot, ['get', 'configmaps', '-n', 'team-a']), /User "system:serviceaccount:team-b:robot" cannot list/);
      assert.equal(canI(server, ['list', 'pods', '-n', 'team-b', '--as=system:serviceaccount:team-b:robot']), 'yes');
      assert.equal(canI(server, ['list', 'pods', '-n', 'team-b', '--as=system:serviceaccount:team-a:robot']), 'no');

      admin(['create', 'rolebinding', 'all-accounts', '--clusterrole=view', '--group=system:serviceaccounts:team-a', '-n', 'team-a']);
      assert.equal(canI(server, ['list', 'configmaps', '-n', 'team-a', '--as=system:serviceaccount:team-a:anyone']), 'yes');
      assert.equal(canI(server, ['list', 'configmaps', '-n', 'team-a', '--as=system:serviceaccount:team-b:robot']), 'no');
      const review = await userApi(robot, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: 'list', resource: 'configmaps', namespace: 'team-b' } },
      });
      assert.equal(review.status, 201);
      assert.deepEqual(review.json.status, {
        allowed: true, reason: 'RBAC: allowed by RoleBinding "robot/team-b" of ClusterRole "view" to ServiceAccount "robot/team-b"',
      });
    });
  });

  describe('kubectl auth can-i', () => {
    it('answers for the user, in a namespace, and lists the rules held', () => {
      const viewer = mintUser(server, 'viewer');
      assert.equal(canI(viewer, ['list', 'configmaps', '-n', 'team-a']), 'yes');
      assert.equal(canI(viewer, ['create', 'configmaps', '-n', 'team-a']), 'no');
      assert.equal(canI(viewer, ['list', 'configmaps', '-n', 'team-b']), 'no');
      assert.equal(canI(server, ['*', '*']), 'yes');
      const list = as(viewer, ['auth', 'can-i', '--list', '-n', 'team-a']);
      assert.match(list, /^configmaps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
      assert.match(list, /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/m);
      assert.doesNotMatch(as(viewer, ['auth', 'can-i', '--list', '-n', 'team-b']), /^configmaps/m);
    });

    it('answers with SubjectAccessReview for anyone, to whoever may create those', async () => {
      const sar = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: { user: 'viewer', resourceAttributes: { verb: 'get', resource: 'configmaps', namespace: 'team-a' } } };
      const answered = await api(server, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar);
      assert.equal(answered.status, 201);
      assert.deepEqual(answered.json.status, {
        allowed: true, reason: 'RBAC: allowed by RoleBinding "viewer/team-a" of ClusterRole "view" to User "viewer"',
      });
      const refused = await userApi(mintUser(server, 'viewer'), 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar);
      assert.equal(refused.json.message,
        'subjectaccessreviews.authorization.k8s.io is forbidden: User "viewer" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope');
      const local = (namespace: string) => api(server, 'POST', '/apis/authorization.k8s.io/v1/namespaces/team-a/localsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview',
        spec: { user: 'viewer', resourceAttributes: { verb: 'list', resource: 'configmaps', namespace } },
      });
      assert.equal((await local('team-a')).json.status.allowed, true);
      assert.equal((await local('team-b')).json.message, 'spec.resourceAttributes.namespace must match namespace: team-a');
      const invalid = await api(server, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        { ...sar, spec: { resourceAttributes: sar.spec.resourceAttributes } });
      assert.equal(invalid.json.message,
        'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified');
    });
  });

  describe('impersonation', () => {
    it('needs the impersonate verb on users, groups and service accounts', async () => {
      const nobody = mintUser(server, 'impostor');
      const refused = await userApi(nobody, 'GET', '/api/v1/namespaces/team-a/pods', undefined, { 'Impersonate-User': 'viewer' });
      assert.deepEqual(refused.json.details, { name: 'viewer', kind: 'users' });
      // With its discovery cache empty kubectl shows 'Forbidden: unknown' for a refused discovery (as against any
      // apiserver): fill it first, as the user's own.
      as(nobody, ['api-resources', '-o', 'name']);
      assert.equal(denied(nobody, ['get', 'pods', '--as=viewer', '-n', 'team-a']),
        'Error from server (Forbidden): users "viewer" is forbidden: User "impostor" cannot impersonate resource "users" in API group "" at the cluster scope');
      admin(['apply', '-f', '-'], role('ClusterRole', 'impersonator', [
        { apiGroups: [''], resources: ['users'], resourceNames: ['viewer'], verbs: ['impersonate'] },
        { apiGroups: [''], resources: ['groups'], resourceNames: ['devs'], verbs: ['impersonate'] },
      ]));
      admin(['create', 'clusterrolebinding', 'impostor', '--clusterrole=impersonator', '--user=impostor']);
      assert.match(as(nobody, ['get', 'configmaps', '--as=viewer', '-n', 'team-a', '-o', 'name']), /configmap\/settings/);
      assert.match(denied(nobody, ['get', 'configmaps', '--as=viewer', '-n', 'team-b']), /User "viewer" cannot list resource "configmaps"/);
      assert.equal(canI(nobody, ['create', 'configmaps', '-n', 'team-b', '--as=viewer', '--as-group=devs']), 'yes');
      assert.match(denied(nobody, ['get', 'pods', '--as=viewer', '--as-group=system:masters']),
        /groups "system:masters" is forbidden: User "impostor" cannot impersonate resource "groups" in API group "" at the cluster scope/);
      assert.match(denied(nobody, ['get', 'pods', '--as=system:serviceaccount:team-b:robot', '-n', 'team-b']),
        /serviceaccounts "robot" is forbidden: User "impostor" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team-b"/);
      const groupsOnly = await userApi(nobody, 'GET', '/api/v1/namespaces/team-a/configmaps', undefined, { 'Impersonate-Group': 'devs' });
      assert.equal(groupsOnly.status, 500);
      assert.match(groupsOnly.json.message, /without impersonating a user$/);
    });
  });

  describe('the admin kubeconfig (system:masters)', () => {
    it('can do everything', () => {
      assert.equal(canI(server, ['*', '*', '--all-namespaces']), 'yes');
      assert.match(admin(['get', 'clusterroles', '-o', 'name']), /clusterrole\.rbac\.authorization\.k8s\.io\/cluster-admin/);
      assert.match(admin(['get', '--raw', '/metrics']), /apiserver_request_total/);
      const whoami = admin(['auth', 'whoami']);
      assert.match(whoami, /^Username\s+admin$/m);
      assert.match(whoami, /^Groups\s+\[system:masters system:authenticated\]$/m);
    });
  });

  describe('kubectl 1.27', { skip: !existsSync(KUBECTL_127) && 'kubectl 1.27 is not installed' }, () => {
    it('shows the same Forbidden errors and can-i answers', () => {
      const viewer = mintUser(server, 'viewer');
      assert.equal(denied(viewer, ['get', 'configmaps', '-n', 'team-b'], KUBECTL_127),
        'Error from server (Forbidden): configmaps is forbidden: User "viewer" cannot list resource "configmaps" in API group "" in the namespace "team-b"');
      assert.equal(kubectl(viewer.server, ['auth', 'can-i', 'list', 'configmaps', '-n', 'team-a'], { binary: KUBECTL_127 }).stdout.trim(), 'yes');
      assert.equal(kubectl(viewer.server, ['auth', 'can-i', 'list', 'configmaps', '-n', 'team-b'], { binary: KUBECTL_127 }).stdout.trim(), 'no');
    });
  });
});
