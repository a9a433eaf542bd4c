import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EVERYTHING,
  NOTHING,
  SelectorError,
  escapeFieldValue,
  fieldSelectorMatches,
  fieldSelectorToString,
  labelSelectorFromObject,
  labelSelectorToString,
  matches,
  parseFieldSelector,
  parseLabelSelector,
  requirementsFor,
  requiresExactMatch,
} from './selectors.ts';

function parseError(text: string): string {
  try {
    parseLabelSelector(text);
  } catch (e) {
    assert.ok(e instanceof SelectorError);
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseLabelSelector', () => {
  it('parses every operator', () => {
    const sel = parseLabelSelector('a=1, b==2,c!=3,d in (x, y),e notin (z),f,!g,h>5,i<10');
    assert.deepEqual(
      sel.requirements.map((r) => [r.key, r.operator, r.values]),
      [
        ['a', '=', ['1']],
        ['b', '==', ['2']],
        ['c', '!=', ['3']],
        ['d', 'in', ['x', 'y']],
        ['e', 'notin', ['z']],
        ['f', 'exists', []],
        ['g', '!', []],
        ['h', 'gt', ['5']],
        ['i', 'lt', ['10']],
      ],
    );
  });

  it('sorts requirements by key and set values, deduplicating', () => {
    const sel = parseLabelSelector('z=1,a in (c,b,c)');
    assert.deepEqual(sel.requirements, [
      { key: 'a', operator: 'in', values: ['b', 'c'] },
      { key: 'z', operator: '=', values: ['1'] },
    ]);
  });

  it('accepts empty values and keywords used as names', () => {
    assert.deepEqual(parseLabelSelector('x in (foo,,baz),y,z notin ()').requirements, [
      { key: 'x', operator: 'in', values: ['', 'baz', 'foo'] },
      { key: 'y', operator: 'exists', values: [] },
      { key: 'z', operator: 'notin', values: [''] },
    ]);
    assert.deepEqual(parseLabelSelector('a=').requirements, [{ key: 'a', operator: '=', values: [''] }]);
    assert.deepEqual(parseLabelSelector('in in (in, notin)').requirements, [
      { key: 'in', operator: 'in', values: ['in', 'notin'] },
    ]);
  });

  it('accepts prefixed keys and tolerates whitespace', () => {
    const sel = parseLabelSelector('  app.kubernetes.io/name  =  web ,\tx\n');
    assert.deepEqual(sel.requirements.map((r) => r.key), ['app.kubernetes.io/name', 'x']);
  });

  it('parses the empty string as match-everything', () => {
    assert.deepEqual(parseLabelSelector('').requirements, []);
    assert.deepEqual(parseLabelSelector('   ').requirements, []);
  });

  it('reports syntax errors with upstream texts', () => {
    assert.equal(parseError('a in b'), "unable to parse requirement: found 'b' expected: '('");
    assert.equal(parseError('a b'), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
    assert.equal(parseError('a,'), "found '', expected: identifier after ','");
    assert.equal(parseError(',a'), "found ',', expected: !, identifier, or 'end of string'");
    assert.equal(parseError('a=b c'), "found 'c', expected: ',' or 'end of string'");
    assert.equal(parseError('a in (b c)'), "unable to parse requirement: found 'c', expected: ',' or ')'");
    assert.equal(parseError('a in (b,=)'), "unable to parse requirement: found '=', expected: ',', or identifier");
    assert.equal(parseError('a in (='), "unable to parse requirement: found '=', expected: ',', ')' or identifier");
    assert.equal(parseError('a=(b)'), "unable to parse requirement: found '(', expected: identifier");
    assert.equal(parseError('!'), "unable to parse requirement: found '', expected: identifier");
  });

  it('validates keys and values', () => {
    assert.equal(
      parseError('a@b=c'),
      'unable to parse requirement: <nil>: Invalid value: "a@b": name part must consist of alphanumeric characters, ' +
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or " +
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
    assert.match(parseError('Bad_Prefix/a=b'), /<nil>: Invalid value: "Bad_Prefix\/a": prefix part a lowercase RFC 1123 subdomain must/);
    assert.match(parseError(`${'k'.repeat(64)}=v`), /name part must be no more than 63 characters/);
    assert.match(parseError('a/b/c'), /a qualified name must consist of .* with an optional DNS subdomain prefix/);
    assert.match(parseError(`a=${'v'.repeat(64)}`), /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "v+": must be no more than 63 characters$/);
    assert.match(parseError('a=-x'), /values\[0\]\[a\]: Invalid value: "-x": a valid label must be an empty string/);
    assert.equal(
      parseError('a>x'),
      "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
    );
  });
});

describe('matches', () => {
  const labels = { app: 'web', tier: 'front', replicas: '3' };
  const check = (text: string) => matches(parseLabelSelector(text), labels);

  it('implements each operator', () => {
    assert.equal(check('app=web'), true);
    assert.equal(check('app==db'), false);
    assert.equal(check('app!=db'), true);
    assert.equal(check('missing!=x'), true);
    assert.equal(check('app in (db,web)'), true);
    assert.equal(check('missing in (x)'), false);
    assert.equal(check('app notin (web)'), false);
    assert.equal(check('missing notin (x)'), true);
    assert.equal(check('tier'), true);
    assert.equal(check('!tier'), false);
    assert.equal(check('!missing'), true);
    assert.equal(check('replicas>2'), true);
    assert.equal(check('replicas<3'), false);
    assert.equal(check('app>1'), false);
    assert.equal(check('missing<1'), false);
    assert.equal(check('app=web,tier=back'), false);
  });

  it('treats undefined labels as none', () => {
    assert.equal(matches(parseLabelSelector('!a'), undefined), true);
    assert.equal(matches(parseLabelSelector('a'), undefined), false);
  });

  it('empty matches everything; NOTHING matches nothing', () => {
    assert.equal(matches(EVERYTHING, {}), true);
    assert.equal(matches(NOTHING, {}), false);
  });
});

describe('labelSelectorFromObject', () => {
  it('combines matchLabels and matchExpressions', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    assert.equal(labelSelectorToString(sel), 'app=web,env notin (prod),!legacy,team,tier in (edge,front)');
    assert.equal(matches(sel, { app: 'web', tier: 'edge', team: 'a' }), true);
    assert.equal(matches(sel, { app: 'web', tier: 'edge', team: 'a', legacy: '' }), false);
  });

  it('treats an empty selector as everything and null as nothing', () => {
    assert.equal(matches(labelSelectorFromObject({}), { any: 'thing' }), true);
    assert.equal(matches(labelSelectorFromObject(null), {}), false);
    assert.equal(matches(labelSelectorFromObject(undefined), {}), false);
  });

  it('rejects invalid expressions with upstream texts', () => {
    const err = (sel: Parameters<typeof labelSelectorFromObject>[0]) =>
      assert.throws(() => labelSelectorFromObject(sel), SelectorError);
    err({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] });
    assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }), {
      message: '"Foo" is not a valid label selector operator',
    });
    assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), {
      message: "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    });
    assert.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), {
      message: 'values: Invalid value: ["x"]: values set must be empty for exists and does not exist',
    });
    assert.throws(() => labelSelectorFromObject({ matchLabels: { 'a b': 'c d' } }), {
      message: /^\[key: Invalid value: "a b": name part .*, values\[0\]\[a b\]: Invalid value: "c d": a valid label .*\]$/,
    });
  });
});

describe('field selectors', () => {
  it('parses =, == and !=, sorted', () => {
    const sel = parseFieldSelector('status.phase!=Failed,metadata.name==foo,spec.nodeName=');
    assert.deepEqual(requirementsFor(parseFieldSelector('b=1,a=2,b!=3')), ['a', 'b']);
    assert.deepEqual(sel.requirements, [
      { field: 'metadata.name', operator: '=', value: 'foo' },
      { field: 'spec.nodeName', operator: '=', value: '' },
      { field: 'status.phase', operator: '!=', value: 'Failed' },
    ]);
    assert.equal(requiresExactMatch(sel, 'metadata.name'), 'foo');
    assert.equal(requiresExactMatch(sel, 'status.phase'), undefined);
  });

  it('matches, treating missing fields as empty', () => {
    const sel = parseFieldSelector('metadata.name=foo,spec.nodeName=');
    assert.equal(fieldSelectorMatches(sel, { 'metadata.name': 'foo' }), true);
    assert.equal(fieldSelectorMatches(sel, { 'metadata.name': 'foo', 'spec.nodeName': 'n1' }), false);
    assert.equal(fieldSelectorMatches(parseFieldSelector('a!=x'), {}), true);
    assert.equal(fieldSelectorMatches(parseFieldSelector(''), { a: 'b' }), true);
  });

  it('supports backslash escapes in values', () => {
    const sel = parseFieldSelector('a=x\\,y\\=z\\\\,b=1');
    assert.deepEqual(sel.requirements, [
      { field: 'a', operator: '=', value: 'x,y=z\\' },
      { field: 'b', operator: '=', value: '1' },
    ]);
    assert.equal(escapeFieldValue('x,y=z\\'), 'x\\,y\\=z\\\\');
    assert.equal(fieldSelectorToString(sel), 'a=x\\,y\\=z\\\\,b=1');
  });

  it('rejects malformed terms with upstream texts', () => {
    assert.throws(() => parseFieldSelector('a=b,foo'), { message: "invalid selector: 'a=b,foo'; can't understand 'foo'" });
    assert.throws(() => parseFieldSelector('a=b=c'), { message: 'invalid field selector: unescaped character in value: 61' });
    assert.throws(() => parseFieldSelector('a=b\\x'), { message: 'invalid field selector: invalid escape sequence: \\x' });
    assert.throws(() => parseFieldSelector('a=b\\'), { message: 'invalid field selector: invalid escape sequence: \\' });
  });
});
