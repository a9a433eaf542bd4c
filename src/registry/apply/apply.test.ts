import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { patchSchemaFor } from '../openapi/patch-schema.ts';
import { fieldValues, fromFieldsV1, pathString, SEP, toFieldsV1 } from './fieldset.ts';
import { mergeApplied, removePaths } from './merge.ts';

const POD_SPEC = patchSchemaFor('io.k8s.api.core.v1.PodSpec');
const path = (...elements: string[]) => elements.join(SEP);

describe('field sets', () => {
  it('counts leaves, keyed list items and map entries, and treats lists without a merge key as one value', () => {
    const values = fieldValues({
      containers: [{ name: 'web', image: 'nginx', args: ['a', 'b'], env: [{ name: 'A', value: '1' }] }],
      nodeSelector: { disk: 'ssd' },
    }, POD_SPEC);
    assert.deepEqual([...values.keys()].map(pathString).sort(), [
      '.containers[name="web"]',
      '.containers[name="web"].args',
      '.containers[name="web"].env[name="A"]',
      '.containers[name="web"].env[name="A"].name',
      '.containers[name="web"].env[name="A"].value',
      '.containers[name="web"].image',
      '.containers[name="web"].name',
      '.nodeSelector.disk',
    ]);
    assert.deepEqual(values.get(path('f:containers', 'k:{"name":"web"}', 'f:args')), ['a', 'b']);
  });

  it('takes a keyed list with a duplicate key as one value, as it cannot address its items', () => {
    const values = fieldValues({ containers: [{ name: 'a' }, { name: 'a' }] }, POD_SPEC);
    assert.deepEqual([...values.keys()], ['f:containers']);
  });

  it('writes FieldsV1 with "." for a member that holds others, and reads it back', () => {
    const paths = [path('f:containers', 'k:{"name":"web"}'), path('f:containers', 'k:{"name":"web"}', 'f:image'), path('f:finalizers', 'v:"x"')];
    const fields = toFieldsV1(paths);
    assert.deepEqual(fields, { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {}, '.': {} } }, 'f:finalizers': { 'v:"x"': {} } });
    assert.deepEqual(Object.keys((fields['f:containers'] as any)['k:{"name":"web"}']), ['f:image', '.'], '"." comes last, as upstream writes it');
    assert.deepEqual([...fromFieldsV1(fields)].sort(), [...paths].sort());
    assert.throws(() => fromFieldsV1({ 'x:y': {} }), /unexpected path element/);
  });
});

describe('merging an applied configuration', () => {
  it('merges keyed lists by key, keeping live-only items in place and applied items in applied order', () => {
    const live = { containers: [{ name: 'a', image: '1' }, { name: 'side', image: 's' }, { name: 'b', image: '2' }] };
    const merged = mergeApplied(live, { containers: [{ name: 'b', image: '3' }, { name: 'a' }, { name: 'c', image: '4' }] }, POD_SPEC);
    assert.deepEqual(merged.containers, [
      { name: 'side', image: 's' }, { name: 'b', image: '3' }, { name: 'a', image: '1' }, { name: 'c', image: '4' },
    ]);
    assert.deepEqual(live.containers[2], { name: 'b', image: '2' }, 'the live object is not changed');
    const names = (list: string[], applied: string[]) => (mergeApplied({ containers: list.map((name) => ({ name })) },
      { containers: applied.map((name) => ({ name })) }, POD_SPEC).containers as { name: string }[]).map((c) => c.name);
    assert.deepEqual(names(['a', 'b', 'c'], ['c', 'a']), ['b', 'c', 'a']);
    assert.deepEqual(names(['a', 'b'], ['x', 'a', 'y']), ['x', 'a', 'b', 'y']);
  });

  it('replaces atomic lists and refuses a keyed item without its key', () => {
    const merged = mergeApplied({ containers: [{ name: 'a', args: ['x', 'y'] }] }, { containers: [{ name: 'a', args: ['z'] }] }, POD_SPEC);
    assert.deepEqual(merged.containers, [{ name: 'a', args: ['z'] }]);
    assert.throws(() => mergeApplied({}, { containers: [{ image: 'x' }] }, POD_SPEC), /omits key field "name"/);
  });

  it('removes fields by path, and the maps and lists that this empties below the top level', () => {
    const obj: Record<string, any> = {
      containers: [{ name: 'a', env: [{ name: 'E', value: '1' }] }], nodeSelector: { disk: 'ssd' },
    };
    removePaths(obj, [path('f:containers', 'k:{"name":"a"}', 'f:env', 'k:{"name":"E"}'), path('f:nodeSelector', 'f:disk')], POD_SPEC);
    assert.deepEqual(obj, { containers: [{ name: 'a' }], nodeSelector: {} });
  });
});
