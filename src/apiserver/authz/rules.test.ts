import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attributes } from './attributes.ts';
import { goQuote, goQuoteList } from '../../gofmt.ts';
import { compactRules, compactString, ruleAllows, toPolicyRule, uncovered } from './rules.ts';

const user = { name: 'alice', groups: [] };

function resource(verb: string, group: string, resource: string, more: Partial<Attributes> = {}): Attributes {
  return { user, verb, resourceRequest: true, path: '', namespace: 'ns', apiGroup: group, apiVersion: 'v1', resource, subresource: '', name: '', ...more };
}

function url(verb: string, path: string): Attributes {
  return { user, verb, resourceRequest: false, path, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
}

test('a rule allows by verb, group, resource (or */subresource) and resource name', () => {
  const rule = toPolicyRule({ apiGroups: ['apps'], resources: ['deployments', '*/scale'], verbs: ['get', 'update'] });
  assert.equal(ruleAllows(resource('get', 'apps', 'deployments'), rule), true);
  assert.equal(ruleAllows(resource('list', 'apps', 'deployments'), rule), false);
  assert.equal(ruleAllows(resource('get', '', 'deployments'), rule), false);
  assert.equal(ruleAllows(resource('update', 'apps', 'statefulsets', { subresource: 'scale' }), rule), true);
  assert.equal(ruleAllows(resource('get', 'apps', 'deployments', { subresource: 'status' }), rule), false);
  const everything = toPolicyRule({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] });
  assert.equal(ruleAllows(resource('deletecollection', 'batch', 'jobs', { subresource: 'status' }), everything), true);
  const named = toPolicyRule({ apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['get', 'list'] });
  assert.equal(ruleAllows(resource('get', '', 'configmaps', { name: 'a' }), named), true);
  assert.equal(ruleAllows(resource('get', '', 'configmaps', { name: 'b' }), named), false);
  assert.equal(ruleAllows(resource('list', '', 'configmaps'), named), false);
});

test('a rule allows non-resource URLs exactly or by a prefix ending in *', () => {
  const rule = toPolicyRule({ nonResourceURLs: ['/healthz', '/apis/*'], verbs: ['get'] });
  assert.equal(ruleAllows(url('get', '/healthz'), rule), true);
  assert.equal(ruleAllows(url('get', '/healthz/etcd'), rule), false);
  assert.equal(ruleAllows(url('get', '/apis/apps/v1'), rule), true);
  assert.equal(ruleAllows(url('post', '/apis/apps/v1'), rule), false);
  assert.equal(ruleAllows(resource('get', '', 'pods'), rule), false);
  assert.equal(ruleAllows(url('get', '/anything'), toPolicyRule({ nonResourceURLs: ['*'], verbs: ['*'] })), true);
});

test('uncovered lists the single permissions the owner lacks; compacted and described as upstream', () => {
  const owned = [
    toPolicyRule({ apiGroups: [''], resources: ['configmaps', '*/status'], verbs: ['get', 'list'] }),
    toPolicyRule({ nonResourceURLs: ['/api/*'], verbs: ['get'] }),
  ];
  assert.deepEqual(uncovered(owned, [toPolicyRule({ apiGroups: [''], resources: ['configmaps', 'pods/status'], verbs: ['get'] })]), []);
  const missing = uncovered(owned, [
    toPolicyRule({ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'delete'] }),
    toPolicyRule({ apiGroups: [''], resources: ['secrets'], resourceNames: ['a'], verbs: ['get'] }),
    toPolicyRule({ nonResourceURLs: ['/api/v1', '/metrics'], verbs: ['get'] }),
  ]);
  assert.deepEqual(compactRules(missing).map(compactString), [
    '{APIGroups:[""], Resources:["secrets"], ResourceNames:["a"], Verbs:["get"]}',
    '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
    '{APIGroups:[""], Resources:["configmaps"], Verbs:["delete"]}',
    '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}',
  ]);
  const namedOwner = [toPolicyRule({ apiGroups: [''], resources: ['secrets'], resourceNames: ['a'], verbs: ['get'] })];
  assert.equal(uncovered(namedOwner, [toPolicyRule({ apiGroups: [''], resources: ['secrets'], verbs: ['get'] })]).length, 1);
});

test('Go quoting', () => {
  assert.equal(goQuote('a "b"\n\\'), '"a \\"b\\"\\n\\\\"');
  assert.equal(goQuote('\x01é'), '"\\x01é"');
  assert.equal(goQuoteList(['system:authenticated', 'devs']), '["system:authenticated" "devs"]');
});
