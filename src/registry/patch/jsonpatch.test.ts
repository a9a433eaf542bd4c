import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError, applyJsonPatch, decodeJsonPatch } from './jsonpatch.ts';

const deployment = () => ({
  metadata: { name: 'web', labels: { app: 'web' }, 'a/b': 1, 'm~n': 2 },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } },
});

function patchError(doc: unknown, patch: unknown): string {
  try {
    applyJsonPatch(doc, patch);
  } catch (e) {
    assert.ok(e instanceof PatchError, String(e));
    return e.message;
  }
  assert.fail('expected the patch to fail');
}

describe('applyJsonPatch', () => {
  it('adds members, inserts and appends array items', () => {
    const out = applyJsonPatch(deployment(), [
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'add', path: '/spec/template/spec/containers/0', value: { name: 'first' } },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'last' } },
      { op: 'add', path: '/spec/template/spec/containers/-1', value: { name: 'also-last' } },
    ]) as ReturnType<typeof deployment>;
    assert.deepEqual(out.metadata.labels, { app: 'web', tier: 'front' });
    assert.deepEqual(
      out.spec.template.spec.containers.map((c) => c.name),
      ['first', 'a', 'b', 'last', 'also-last'],
    );
  });

  it('does not modify its inputs', () => {
    const doc = deployment();
    const value = { x: 1 };
    const out = applyJsonPatch(doc, [{ op: 'add', path: '/spec/extra', value }]) as { spec: { extra: { x: number } } };
    out.spec.extra.x = 2;
    assert.deepEqual(doc, deployment());
    assert.deepEqual(value, { x: 1 });
  });

  it('removes, replaces, moves and copies', () => {
    const out = applyJsonPatch(deployment(), [
      { op: 'remove', path: '/spec/template/spec/containers/0' },
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'move', from: '/metadata/labels', path: '/spec/selector' },
      { op: 'copy', from: '/spec/selector', path: '/metadata/labels' },
      { op: 'remove', path: '/metadata/a~1b' },
      { op: 'replace', path: '/metadata/m~0n', value: 'tilde' },
    ]);
    assert.deepEqual(out, {
      metadata: { name: 'web', labels: { app: 'web' }, 'm~n': 'tilde' },
      spec: { replicas: 3, selector: { app: 'web' }, template: { spec: { containers: [{ name: 'b' }] } } },
    });
  });

  it('replaces a missing object member like the API server (adds it)', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]), { a: 1, b: 2 });
  });

  it('replaces the whole document with path ""', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
    assert.equal(patchError({}, [{ op: 'replace', path: '', value: 1 }]), 'replace operation value must be object or array');
  });

  it('tests values, including missing members against null', () => {
    const ops = [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'test', path: '/spec/template/spec/containers/1', value: { name: 'b' } },
      { op: 'test', path: '/spec/missing', value: null },
      { op: 'test', path: '', value: deployment() },
    ];
    assert.deepEqual(applyJsonPatch(deployment(), ops), deployment());
    assert.equal(patchError({ x: 1 }, [{ op: 'test', path: '/x', value: 2 }]), 'testing value /x failed: test failed');
    assert.equal(patchError({ x: 1 }, [{ op: 'test', path: '/y', value: 2 }]), 'testing value /y failed: test failed');
    assert.equal(patchError({ x: 1 }, [{ op: 'test', path: '/x' }]), 'testing value /x failed: test failed');
    assert.equal(patchError({ x: 1 }, [{ op: 'test', path: '', value: {} }]), 'testing value  failed: test failed');
  });

  it('reports missing paths with upstream texts', () => {
    const doc = deployment();
    assert.equal(
      patchError(doc, [{ op: 'add', path: '/spec/foo/bar', value: 1 }]),
      'add operation does not apply: doc is missing path: "/spec/foo/bar": missing value',
    );
    assert.equal(
      patchError(doc, [{ op: 'remove', path: '/spec/foo' }]),
      "error in remove for path: '/spec/foo': Unable to remove nonexistent key: foo: missing value",
    );
    assert.equal(
      patchError(doc, [{ op: 'remove', path: '/nope/foo' }]),
      'remove operation does not apply: doc is missing path: "/nope/foo": missing value',
    );
    assert.equal(
      patchError(doc, [{ op: 'replace', path: '/nope/foo', value: 1 }]),
      'replace operation does not apply: doc is missing path: /nope/foo: missing value',
    );
    assert.equal(
      patchError(doc, [{ op: 'replace', path: '/spec/template/spec/containers/5', value: 1 }]),
      'replace operation does not apply: doc is missing key: /spec/template/spec/containers/5: missing value',
    );
    assert.equal(
      patchError(doc, [{ op: 'move', from: '/spec/nope', path: '/x' }]),
      "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value",
    );
    assert.equal(
      patchError(doc, [{ op: 'move', from: '/spec/replicas', path: '/x/y' }]),
      'move operation does not apply: doc is missing destination path: /x/y: missing value',
    );
    assert.equal(
      patchError(doc, [{ op: 'copy', from: '/a/b', path: '/x' }]),
      'copy operation does not apply: doc is missing from path: /a/b: missing value',
    );
    assert.equal(
      patchError(doc, [{ op: 'test', path: '/a/b', value: 1 }]),
      'test operation does not apply: is missing path: /a/b: missing value',
    );
    assert.equal(patchError(doc, [{ op: 'add', path: 'spec', value: 1 }]), 'add operation does not apply: doc is missing path: "spec": missing value');
    assert.equal(patchError(doc, [{ op: 'add', value: 1 }]), 'add operation failed to decode path: missing value');
  });

  it('reports bad array indices', () => {
    const doc = { a: [1, 2] };
    assert.equal(
      patchError(doc, [{ op: 'add', path: '/a/5', value: 0 }]),
      "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced",
    );
    assert.equal(
      patchError(doc, [{ op: 'add', path: '/a/x', value: 0 }]),
      "error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax",
    );
    assert.equal(
      patchError(doc, [{ op: 'remove', path: '/a/2' }]),
      "error in remove for path: '/a/2': Unable to access invalid index: 2: invalid index referenced",
    );
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'remove', path: '/a/-1' }]), { a: [1] });
    assert.equal(
      patchError(doc, [{ op: 'test', path: '/a/9', value: 1 }]),
      "error in test for path: '/a/9': Unable to access invalid index: 9: invalid index referenced",
    );
  });

  it('rejects unknown operations and malformed patches', () => {
    assert.equal(patchError({}, [{ op: 'frob', path: '/a' }]), 'Unexpected kind: frob');
    assert.equal(patchError({}, [{ path: '/a' }]), 'Unexpected kind: unknown');
    assert.equal(patchError({}, { op: 'add' }), 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    assert.equal(patchError({}, ['add']), 'json: cannot unmarshal string into Go value of type jsonpatch.Operation');
    assert.deepEqual(decodeJsonPatch(null), []);
  });

  it('adds null when value is absent and copies null from a missing member', () => {
    assert.deepEqual(applyJsonPatch({}, [{ op: 'add', path: '/a' }]), { a: null });
    assert.deepEqual(applyJsonPatch({}, [{ op: 'copy', from: '/x', path: '/a' }]), { a: null });
  });
});
