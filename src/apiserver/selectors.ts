// Label selectors (k8s.io/apimachinery/pkg/labels) and field selectors (pkg/fields):
// parsing, validation and matching, with upstream's error texts.

export class SelectorError extends Error {
  override name = 'SelectorError';
}

// ---------------------------------------------------------------- validation

/** Label keys and values follow the qualified-name and label-value rules. */
export { qualifiedName as qualifiedNameErrors, labelValue as labelValueErrors } from '../registry/validation.ts';
import { qualifiedName as qualifiedNameErrors, labelValue as labelValueErrors } from '../registry/validation.ts';

// field.Invalid(path, value, detail).Error()
function invalid(path: string, value: unknown, detail: string): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}

// utilerrors.NewAggregate(...).Error(): one message alone, several deduplicated in brackets.
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

// ---------------------------------------------------------------- label selectors

/** selection.Operator values, as upstream spells them. */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/**
 * AND of requirements. No requirements: matches everything.
 * `matchesNothing` is set only by labelSelectorFromObject(null|undefined) (upstream labels.Nothing()).
 */
export interface LabelSelector {
  readonly requirements: readonly Requirement[];
  readonly matchesNothing?: boolean;
}

export const EVERYTHING: LabelSelector = Object.freeze({ requirements: Object.freeze([]) });
export const NOTHING: LabelSelector = Object.freeze({ requirements: Object.freeze([]), matchesNothing: true });

const BINARY_OPERATORS: Operator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** labels.NewRequirement: validates and builds one requirement; throws SelectorError. */
export function newRequirement(key: string, operator: Operator, values: readonly string[], path = ''): Requirement {
  const child = (name: string) => (path ? `${path}.${name}` : name);
  const errs: string[] = [];
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length) errs.push(invalid(child('key'), key, keyErrs.join('; ')));
  const valuesPath = child('values');
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalid(valuesPath, null, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalid(valuesPath, values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalid(valuesPath, values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalid(valuesPath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) {
          errs.push(invalid(`${valuesPath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default: {
      const supported = [...BINARY_OPERATORS, 'exists', '!'].map((o) => JSON.stringify(o)).join(', ');
      errs.push(`${child('operator')}: Unsupported value: ${JSON.stringify(operator)}: supported values: ${supported}`);
    }
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length) errs.push(invalid(`${valuesPath}[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length) throw new SelectorError(aggregate(errs));
  return { key, operator, values: [...values] };
}

// Lexer: identifiers run until whitespace or one of the special symbols below.
type Tok = 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
interface Item {
  tok: Tok;
  lit: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOLS = new Set(['(', ')', ',', '!', '==', '=', '>', '<', '!=']);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isSpace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (SPECIAL.has(s[pos])) {
      // Longest run of special characters that still forms a known symbol.
      let lit = s[pos++];
      while (pos < s.length && SPECIAL.has(s[pos]) && SYMBOLS.has(lit + s[pos])) lit += s[pos++];
      items.push({ tok: lit as Tok, lit });
    } else {
      const start = pos;
      while (pos < s.length && !SPECIAL.has(s[pos]) && !isSpace(s[pos])) pos++;
      const lit = s.slice(start, pos);
      items.push({ tok: lit === 'in' || lit === 'notin' ? lit : 'id', lit });
    }
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  // In "values" context the keywords in/notin are plain identifiers.
  private peek(values = true): Item {
    const it = this.items[this.pos];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }

  private next(values = true): Item {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek();
      if (tok === 'end') return reqs;
      if (tok !== 'id' && tok !== '!') throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        throw new SelectorError(`unable to parse requirement: ${(e as Error).message}`);
      }
      const after = this.next();
      if (after.tok === 'end') return reqs;
      if (after.tok !== ',') throw new SelectorError(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek();
      if (following.tok !== 'id' && following.tok !== '!') {
        throw new SelectorError(`found '${following.lit}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): Requirement {
    let negated = false;
    let { tok, lit } = this.next();
    if (tok === '!') {
      negated = true;
      ({ tok, lit } = this.next());
    }
    if (tok !== 'id') throw new SelectorError(`found '${lit}', expected: identifier`);
    const keyErrs = qualifiedNameErrors(lit);
    if (keyErrs.length) throw new SelectorError(invalid('<nil>', lit, keyErrs.join('; ')));
    const key = lit;
    const follow = this.peek().tok;
    if (negated) return newRequirement(key, '!', []);
    if (follow === 'end' || follow === ',') return newRequirement(key, 'exists', []);

    const op = this.next(false);
    const operator = (
      { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' } as Partial<Record<Tok, Operator>>
    )[op.tok];
    if (!operator) throw new SelectorError(`found '${op.lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    const values = operator === 'in' || operator === 'notin' ? this.setValues() : this.exactValue();
    return newRequirement(key, operator, [...new Set(values)].sort());
  }

  private setValues(): string[] {
    const open = this.next();
    if (open.tok !== '(') throw new SelectorError(`found '${open.lit}' expected: '('`);
    const first = this.peek();
    if (first.tok === ')') {
      this.next();
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new SelectorError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const { tok, lit } = this.next();
      if (tok === 'id') {
        values.push(lit);
        const after = this.peek();
        if (after.tok === ')') break;
        if (after.tok !== ',') throw new SelectorError(`found '${after.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        // Empty entries, as in "(,a)", "(a,)" or "(a,,b)", stand for the empty value.
        if (values.length === 0) values.push('');
        const after = this.peek().tok;
        if (after === ')') {
          values.push('');
          break;
        }
        if (after === ',') {
          this.next();
          values.push('');
        }
      } else {
        throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
      }
    }
    this.next(); // ')'
    return values;
  }

  private exactValue(): string[] {
    const { tok } = this.peek();
    if (tok === 'end' || tok === ',') return [''];
    const value = this.next();
    if (value.tok !== 'id') throw new SelectorError(`found '${value.lit}', expected: identifier`);
    return [value.lit];
  }
}

const byKey = (a: Requirement, b: Requirement) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** labels.Parse: the `?labelSelector=` syntax. Requirements come back sorted by key. */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements = new Parser(lex(text)).parse();
  return { requirements: requirements.sort(byKey) };
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

const EXPRESSION_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector. An empty object (no labels, no expressions) matches everything;
 * null or undefined yields NOTHING, which matches no object (as upstream's labels.Nothing()).
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel == null) return NOTHING;
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) requirements.push(newRequirement(key, '=', [value]));
  for (const expr of sel.matchExpressions ?? []) {
    const operator = EXPRESSION_OPERATORS[expr.operator];
    if (!operator) throw new SelectorError(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    requirements.push(newRequirement(expr.key, operator, expr.values ?? []));
  }
  return { requirements: requirements.sort(byKey) };
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(value!);
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** Whether `labels` (missing labels: none) satisfy every requirement. */
export function matches(selector: LabelSelector, labels: Record<string, string> | undefined | null): boolean {
  if (selector.matchesNothing) return false;
  return selector.requirements.every((r) => requirementMatches(r, labels ?? {}));
}

/** The canonical string form (upstream Selector.String()): `a=b,c in (x,y),!d`. */
export function labelSelectorToString(selector: LabelSelector): string {
  return selector.requirements
    .map((r) => {
      switch (r.operator) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.operator} (${[...r.values].sort().join(',')})`;
        default:
          return `${r.key}${{ gt: '>', lt: '<' }[r.operator as string] ?? r.operator}${r.values[0]}`;
      }
    })
    .join(',');
}

// ---------------------------------------------------------------- field selectors

export interface FieldRequirement {
  readonly field: string;
  /** `==` is normalised to `=`, as upstream does. */
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
}

// Splits on commas not escaped by a backslash; escapes stay in the terms.
function splitTerms(text: string): string[] {
  if (text === '') return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    if (escaped) escaped = false;
    else if (text[i] === '\\') escaped = true;
    else if (text[i] === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are the only escapes; bare `,` and `=` are errors. */
export function unescapeFieldValue(s: string): string {
  let out = '';
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === ',' || c === '=') {
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (escaped) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.ParseSelector: `a=b`, `a==b`, `a!=b`, comma-separated; requirements come back sorted. */
export function parseFieldSelector(text: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(text).sort()) {
    if (term === '') continue;
    // The left side has no escaping: the first operator occurrence splits the term.
    const m = /!=|==|=/.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    requirements.push({
      field: term.slice(0, m.index),
      operator: m[0] === '!=' ? '!=' : '=',
      value: unescapeFieldValue(term.slice(m.index + m[0].length)),
    });
  }
  return { requirements };
}

/** Missing fields compare as the empty string, as upstream's fields.Set.Get. */
export function fieldSelectorMatches(selector: FieldSelector, fields: Record<string, string>): boolean {
  return selector.requirements.every((r) => {
    const actual = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
    return r.operator === '=' ? actual === r.value : actual !== r.value;
  });
}

/** The field names a selector uses (sorted, unique), e.g. to reject unsupported field labels. */
export function requirementsFor(selector: FieldSelector): string[] {
  return [...new Set(selector.requirements.map((r) => r.field))];
}

/** The value `field` must equal for the selector to match, if it pins one (e.g. metadata.name). */
export function requiresExactMatch(selector: FieldSelector, field: string): string | undefined {
  return selector.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}

export function fieldSelectorToString(selector: FieldSelector): string {
  return selector.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}
