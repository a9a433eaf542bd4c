// RBAC policy end to end: the default roles and bindings a server starts with, ClusterRole aggregation,
// escalation prevention on writes of roles and bindings, and changes counting from the very next request.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, kubectl, kubectlFails, kubectlOk, removeDir, startServer, waitFor, type RunningServer } from './support/server.ts';
import { mintUser, userApi, type TestUser } from './support/users.ts';

let server: RunningServer;

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const admin = (args: string[], input?: string) => kubectlOk(server, args, { input });
const as = (user: TestUser, args: string[]) => kubectlOk(user.server, args);
const canI = (user: TestUser, args: string[]) => kubectl(user.server, ['auth', 'can-i', ...args]).stdout.trim();

function apply(kind: string, metadata: object, body: object): void {
  admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata, ...body }));
}

function roleBinding(name: string, namespace: string, roleRef: { kind: string; name: string }, userName: string): object {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: userName }],
  };
}

async function clusterRoleRules(name: string): Promise<Array<Record<string, string[]>>> {
  return (await api(server, 'GET', `${RBAC}/clusterroles/${name}`)).json.rules ?? [];
}

describe('RBAC policy', () => {
  before(async () => {
    server = await startServer();
  });

  after(async () => {
    await server.stop();
    removeDir(server.dir);
  });

  describe('defaults', () => {
    it('are the upstream roles and bindings, made again when missing at start', async () => {
      const roles = admin(['get', 'clusterroles', '-o', 'name']);
      for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user',
        'system:public-info-viewer', 'system:aggregate-to-view']) {
        assert.match(roles, new RegExp(`^clusterrole.rbac.authorization.k8s.io/${name}$`, 'm'));
      }
      const clusterAdmin = (await api(server, 'GET', `${RBAC}/clusterrolebindings/cluster-admin`)).json;
      assert.deepEqual(clusterAdmin.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
      assert.deepEqual(clusterAdmin.metadata.labels, { 'kubernetes.io/bootstrapping': 'rbac-defaults' });
      assert.deepEqual(await clusterRoleRules('cluster-admin'),
        [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]);

      admin(['delete', 'clusterrolebinding', 'system:basic-user']);
      assert.match(kubectlFails(mintUser(server, 'locked-out').server, ['auth', 'can-i', 'get', 'pods']),
        /selfsubjectaccessreviews\.authorization\.k8s\.io is forbidden: User "locked-out" cannot create resource "selfsubjectaccessreviews"/);
      await server.stop();
      server = await startServer({ dir: server.dir });
      const answer = kubectl(mintUser(server, 'locked-out').server, ['auth', 'can-i', 'get', 'pods']);
      assert.deepEqual([answer.stdout.trim(), answer.stderr], ['no', '']);
    });
  });

  describe('aggregation', () => {
    it('fills admin, edit and view from the labelled roles', async () => {
      await waitFor('view to be aggregated', async () => (await clusterRoleRules('view')).length > 0 || undefined);
      const view = await clusterRoleRules('view');
      assert.ok(view.some((r) => r.resources?.includes('configmaps') && r.verbs?.join() === 'get,list,watch'));
      await waitFor('edit to hold the view rules', async () => {
        const edit = await clusterRoleRules('edit');
        return view.every((r) => edit.some((e) => JSON.stringify(e) === JSON.stringify(r))) || undefined;
      });
      await waitFor('admin to hold role management', async () =>
        (await clusterRoleRules('admin')).some((r) => r.resources?.includes('rolebindings')) || undefined);
    });

    it('adds the rules of a role labelled later, and takes them away when it goes', async () => {
      const crontabs = { apiGroups: ['stable.example.com'], resources: ['crontabs'], verbs: ['get', 'list', 'watch'] };
      apply('ClusterRole', { name: 'crontab-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, { rules: [crontabs] });
      for (const aggregate of ['view', 'edit', 'admin']) {
        await waitFor(`${aggregate} to gain the crontab rule`, async () =>
          (await clusterRoleRules(aggregate)).some((r) => r.resources?.includes('crontabs')) || undefined);
      }
      admin(['create', 'namespace', 'cron']);
      admin(['create', 'rolebinding', 'cron-viewer', '--clusterrole=view', '--user=cron-viewer', '-n', 'cron']);
      const viewer = mintUser(server, 'cron-viewer');
      // kubectl asks about a resource discovery does not know in the core group: ask the API directly.
      const listCrontabs = async () => (await userApi(viewer, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1',
        spec: { resourceAttributes: { verb: 'list', group: 'stable.example.com', resource: 'crontabs', namespace: 'cron' } },
      })).json.status.allowed;
      assert.equal(await listCrontabs(), true);

      admin(['label', 'clusterrole', 'crontab-view', 'rbac.authorization.k8s.io/aggregate-to-view-']);
      await waitFor('view to lose the crontab rule', async () =>
        !(await clusterRoleRules('view')).some((r) => r.resources?.includes('crontabs')) || undefined);
      assert.equal(await listCrontabs(), false);
    });

    it('works for any selector, and stops when the aggregationRule goes', async () => {
      apply('ClusterRole', { name: 'monitoring' }, {
        aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'example.com/monitoring', operator: 'Exists' }] }] },
      });
      apply('ClusterRole', { name: 'b-metrics', labels: { 'example.com/monitoring': 'metrics' } },
        { rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] });
      apply('ClusterRole', { name: 'a-pods', labels: { 'example.com/monitoring': 'pods' } },
        { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }, { nonResourceURLs: ['/metrics'], verbs: ['get'] }] });
      await waitFor('monitoring to aggregate both', async () => ((await clusterRoleRules('monitoring')).length === 2 || undefined));
      assert.deepEqual(await clusterRoleRules('monitoring'), [
        { apiGroups: [''], resources: ['pods'], verbs: ['list'] }, { nonResourceURLs: ['/metrics'], verbs: ['get'] },
      ]);
      admin(['delete', 'clusterrole', 'a-pods']);
      await waitFor('monitoring to keep the metrics rule only', async () =>
        ((await clusterRoleRules('monitoring')).length === 1 || undefined));
      assert.deepEqual(await clusterRoleRules('monitoring'), [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }]);
    });
  });

  describe('escalation prevention', () => {
    before(() => {
      admin(['create', 'namespace', 'esc']);
      apply('Role', { name: 'binder', namespace: 'esc' }, {
        rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: ['create', 'patch', 'get'] }],
      });
      admin(['apply', '-f', '-'], JSON.stringify(roleBinding('binder', 'esc', { kind: 'Role', name: 'binder' }, 'binder')));
    });

    it('refuses a binding to a role with permissions the user does not hold, unless they may bind it', async () => {
      const binder = mintUser(server, 'binder');
      const refused = await userApi(binder, 'POST', `${RBAC}/namespaces/esc/rolebindings`,
        roleBinding('root', 'esc', { kind: 'ClusterRole', name: 'cluster-admin' }, 'binder'));
      assert.equal(refused.status, 403);
      assert.equal(refused.json.message, 'rolebindings.rbac.authorization.k8s.io "root" is forbidden: user "binder" '
        + '(groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
        + '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}');
      assert.deepEqual(refused.json.details, { name: 'root', group: 'rbac.authorization.k8s.io', kind: 'rolebindings' });
      assert.match(kubectlFails(binder.server, ['create', 'rolebinding', 'root', '--clusterrole=cluster-admin', '--user=binder', '-n', 'esc']),
        /rolebindings\.rbac\.authorization\.k8s\.io "root" is forbidden: user "binder" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held/);
      const missing = await userApi(binder, 'POST', `${RBAC}/namespaces/esc/rolebindings`,
        roleBinding('ghost', 'esc', { kind: 'ClusterRole', name: 'no-such-role' }, 'binder'));
      assert.equal(missing.json.message,
        'rolebindings.rbac.authorization.k8s.io "ghost" is forbidden: clusterroles.rbac.authorization.k8s.io "no-such-role" not found');

      apply('ClusterRole', { name: 'bind-cluster-admin' }, {
        rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['cluster-admin'], verbs: ['bind'] }],
      });
      admin(['apply', '-f', '-'], JSON.stringify(roleBinding('bind-cluster-admin', 'esc', { kind: 'ClusterRole', name: 'bind-cluster-admin' }, 'binder')));
      assert.match(as(binder, ['create', 'rolebinding', 'root', '--clusterrole=cluster-admin', '--user=binder', '-n', 'esc']), /created/);
      assert.equal(canI(binder, ['delete', 'secrets', '-n', 'esc']), 'yes');
      assert.equal(canI(binder, ['delete', 'secrets', '-n', 'default']), 'no');
    });

    it('lets a namespace admin hand out what they hold', () => {
      admin(['create', 'namespace', 'delegated']);
      admin(['create', 'rolebinding', 'owner', '--clusterrole=admin', '--user=owner', '-n', 'delegated']);
      const owner = mintUser(server, 'owner');
      assert.match(as(owner, ['create', 'rolebinding', 'reader', '--clusterrole=view', '--user=reader', '-n', 'delegated']), /created/);
      assert.match(kubectlFails(owner.server, ['create', 'rolebinding', 'root', '--clusterrole=cluster-admin', '--user=owner', '-n', 'delegated']),
        /is attempting to grant RBAC permissions not currently held/);
      assert.match(kubectlFails(owner.server, ['create', 'rolebinding', 'elsewhere', '--clusterrole=view', '--user=reader', '-n', 'esc']),
        /User "owner" cannot create resource "rolebindings"/);
    });

    it('refuses roles granting more than the user holds, by create or patch, unless they may escalate', async () => {
      const binder = mintUser(server, 'role-maker');
      apply('Role', { name: 'role-maker', namespace: 'esc' }, {
        rules: [
          { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['create', 'get', 'patch'] },
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
        ],
      });
      admin(['apply', '-f', '-'], JSON.stringify(roleBinding('role-maker', 'esc', { kind: 'Role', name: 'role-maker' }, 'role-maker')));
      const role = (name: string, rules: object[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules });

      const created = await userApi(binder, 'POST', `${RBAC}/namespaces/esc/roles`, role('readers', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]));
      assert.equal(created.status, 201);
      const refused = await userApi(binder, 'POST', `${RBAC}/namespaces/esc/roles`, role('secrets', [
        { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'delete'] },
      ]));
      assert.equal(refused.json.message, 'roles.rbac.authorization.k8s.io "secrets" is forbidden: user "role-maker" '
        + '(groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
        + '{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "delete"]}');
      assert.match(kubectlFails(binder.server, ['patch', 'role', 'readers', '-n', 'esc', '--type=json',
        '-p', '[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}}]']),
        /roles\.rbac\.authorization\.k8s\.io "readers" is forbidden: user "role-maker" .* not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}/);

      apply('Role', { name: 'escalator', namespace: 'esc' }, {
        rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }],
      });
      admin(['apply', '-f', '-'], JSON.stringify(roleBinding('escalator', 'esc', { kind: 'Role', name: 'escalator' }, 'role-maker')));
      const escalated = await userApi(binder, 'POST', `${RBAC}/namespaces/esc/roles`, role('secrets', [
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
      ]));
      assert.equal(escalated.status, 201);
    });

    it('keeps aggregationRule to those holding every permission', async () => {
      apply('ClusterRole', { name: 'role-creator' }, {
        rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['create'] }],
      });
      admin(['create', 'clusterrolebinding', 'role-creator', '--clusterrole=role-creator', '--user=role-creator']);
      const creator = mintUser(server, 'role-creator');
      const aggregated = await userApi(creator, 'POST', `${RBAC}/clusterroles`, {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'sneaky' },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }] },
      });
      assert.equal(aggregated.json.message,
        'clusterroles.rbac.authorization.k8s.io "sneaky" is forbidden: must have cluster-admin privileges to use the aggregationRule');
    });
  });

  describe('changes', () => {
    it('count from the very next request, through kubectl and the API', async () => {
      admin(['create', 'namespace', 'fresh']);
      const fresh = mintUser(server, 'fresh');
      const list = () => userApi(fresh, 'GET', '/api/v1/namespaces/fresh/configmaps');
      for (let round = 0; round < 10; round++) {
        const created = await api(server, 'POST', `${RBAC}/namespaces/fresh/rolebindings`,
          roleBinding('fresh', 'fresh', { kind: 'ClusterRole', name: 'view' }, 'fresh'));
        assert.equal(created.status, 201);
        assert.equal((await list()).status, 200, `round ${round}: allowed right after the binding`);
        assert.equal((await api(server, 'DELETE', `${RBAC}/namespaces/fresh/rolebindings/fresh`)).status, 200);
        assert.equal((await list()).status, 403, `round ${round}: refused right after the deletion`);
      }
      apply('Role', { name: 'fresh', namespace: 'fresh' }, { rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] });
      admin(['apply', '-f', '-'], JSON.stringify(roleBinding('fresh-role', 'fresh', { kind: 'Role', name: 'fresh' }, 'fresh')));
      assert.equal(as(fresh, ['get', 'configmaps', '-n', 'fresh', '-o', 'name']).trim(), '');
      apply('Role', { name: 'fresh', namespace: 'fresh' }, { rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
      assert.equal((await list()).status, 403);
    });
  });
});
