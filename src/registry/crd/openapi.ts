// OpenAPI v3 value validation with kube-openapi's semantics and messages, converted to field errors
// the way apiextensions-apiserver does (kubeOpenAPIResultToFieldErrors).

import type { JSONSchemaProps } from '../types.ts';
import { goQuote } from '../../gofmt.ts';
import { fieldErr, goFloat, goJSON, goNumber, type FieldError } from './errors.ts';
import { checkFormat, SUPPORTED_FORMATS } from './formats.ts';

type Code = 'type' | 'required' | 'enum' | 'tooLong' | 'maxItems' | 'tooManyProps' | 'invalid' | 'composite';

interface OErr {
  code: Code;
  name: string;
  value?: unknown;
  valid?: number;
  values?: unknown[];
  message: string;
}

interface Result {
  errors: OErr[];
  matchCount: number;
}

const IN = 'body';

const newResult = (): Result => ({ errors: [], matchCount: 0 });

function add(r: Result, ...errs: OErr[]): void {
  for (const e of errs) if (!r.errors.some((x) => x.message === e.message)) r.errors.push(e);
}

function merge(r: Result, ...others: Result[]): Result {
  for (const o of others) {
    add(r, ...o.errors);
    r.matchCount += o.matchCount;
  }
  return r;
}

/** Go's `%v` of a decoded JSON value (used inside messages). */
function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  const o = v as Record<string, unknown>;
  return `map[${Object.keys(o).sort().map((k) => `${k}:${goV(o[k])}`).join(' ')}]`;
}

const typesOf = (s: JSONSchemaProps): string[] =>
  s['x-kubernetes-int-or-string'] ? ['integer', 'string'] : s.type ? [s.type] : [];

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string, boolean, object
}

const invalidType = (name: string, type: string, value: string): OErr =>
  ({ code: 'type', name, value, message: `${name} in ${IN} must be of type ${type}: ${goQuote(value)}` });
const invalid = (name: string, value: unknown, message: string): OErr => ({ code: 'invalid', name, value, message });
const composite = (message: string): OErr => ({ code: 'composite', name: '', message });

/** Validates `data` against `schema` (SchemaValidator.Validate) and converts the result. */
export function openAPIErrors(data: unknown, schema: JSONSchemaProps): FieldError[] {
  return validate(data, schema, '').errors.map(toFieldError);
}

function toFieldError(e: OErr): FieldError {
  const path = e.name && e.name !== '.' ? e.name.replace(/^\./, '') : '<nil>';
  const value = e.value === undefined || e.value === null ? '' : e.value;
  switch (e.code) {
    case 'required': return fieldErr.required(path);
    case 'enum': return fieldErr.notSupported(path, e.value ?? null, (e.values ?? []).map((v) => (typeof v === 'string' ? v : goJSON(v))));
    case 'tooLong': return fieldErr.tooLong(path, e.valid ?? -1);
    case 'maxItems':
    case 'tooManyProps': return fieldErr.tooMany(path, typeof e.value === 'number' ? e.value : -1, e.valid ?? -1);
    case 'type': return fieldErr.typeInvalid(path, value, e.message);
    case 'composite': return fieldErr.invalid('<nil>', '', e.message);
    default: return fieldErr.invalid(path, value, e.message);
  }
}

function validate(data: unknown, s: JSONSchemaProps, path: string): Result {
  const r = newResult();
  const types = typesOf(s);
  if (data === null || data === undefined) {
    if (types.length && !s.nullable) add(r, invalidType(path, types.join(','), 'null'));
    add(r, ...enumErrors(null, s, path));
    return r;
  }
  const kind = jsonType(data);
  const step = (res: Result | OErr[]) => {
    if (Array.isArray(res)) add(r, ...res);
    else merge(r, res);
    r.matchCount++;
  };
  if (types.length) {
    const ok = types.includes(kind) || (kind === 'integer' && types.includes('number'));
    step(ok ? [] : [invalidType(path, types.join(','), kind)]);
  }
  step(junctors(data, s, path));
  if (kind === 'string') {
    step(stringErrors(data as string, s, path));
    const format = s.type === 'string' && s.format && SUPPORTED_FORMATS.has(s.format) ? s.format : '';
    if (format && !checkFormat(format, data as string)) {
      step([{ code: 'type', name: path, value: data, message: `${path} in ${IN} must be of type ${format}: ${goQuote(data as string)}` }]);
    }
  }
  if (kind === 'integer' || kind === 'number') step(numberErrors(data as number, s, path));
  if (kind === 'array') step(sliceErrors(data as unknown[], s, path));
  step(enumErrors(data, s, path));
  if (kind === 'object') step(objectErrors(data as Record<string, unknown>, s, path));
  r.matchCount++;
  return r;
}

function stringErrors(data: string, s: JSONSchemaProps, path: string): OErr[] {
  const len = [...data].length;
  if (s.maxLength !== undefined && len > s.maxLength) {
    return [{ code: 'tooLong', name: path, value: data, valid: s.maxLength, message: `${path} in ${IN} should be at most ${s.maxLength} chars long` }];
  }
  if (s.minLength !== undefined && len < s.minLength) return [invalid(path, data, `${path} in ${IN} should be at least ${s.minLength} chars long`)];
  if (s.pattern) {
    let re: RegExp;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch (e) {
      return [invalid(path, data, `${path} in ${IN} should match '${s.pattern}, but pattern is invalid: ${(e as Error).message}'`)];
    }
    if (!re.test(data)) return [invalid(path, data, `${path} in ${IN} should match '${s.pattern}'`)];
  }
  return [];
}

const isJSONInteger = (f: number) => Number.isFinite(f) && Math.abs(f - Math.round(f)) < 1e-9 * Math.max(1, Math.abs(f));

function numberErrors(data: number, s: JSONSchemaProps, path: string): Result {
  const asInt = Number.isInteger(data);
  const bound = (b: number) => (asInt ? String(Math.trunc(b)) : goFloat(b));
  const maxRes: OErr[] = [];
  const minRes: OErr[] = [];
  const mulRes: OErr[] = [];
  if (s.multipleOf !== undefined) {
    const f = s.multipleOf;
    if (f < 0) mulRes.push(invalid(path, f, `factor MultipleOf declared for ${path} must be positive: ${goNumber(f)}`));
    else if (asInt && Math.trunc(f) !== 0) {
      if (data % Math.trunc(f) !== 0) mulRes.push(invalid(path, data, `${path} in ${IN} should be a multiple of ${Math.trunc(f)}`));
    } else if (!isJSONInteger(f < 1 ? (1 / f) * data : data / f)) {
      mulRes.push(invalid(path, data, `${path} in ${IN} should be a multiple of ${goFloat(f)}`));
    }
  }
  if (s.maximum !== undefined) {
    const max = asInt ? Math.trunc(s.maximum) : s.maximum;
    if (s.exclusiveMaximum ? data >= max : data > max) {
      maxRes.push(invalid(path, data, `${path} in ${IN} should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${bound(s.maximum)}`));
    }
  }
  if (s.minimum !== undefined) {
    const min = asInt ? Math.trunc(s.minimum) : s.minimum;
    if (s.exclusiveMinimum ? data <= min : data < min) {
      minRes.push(invalid(path, data, `${path} in ${IN} should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${bound(s.minimum)}`));
    }
  }
  const r = newResult();
  add(r, ...maxRes, ...minRes, ...mulRes);
  return r;
}

function sliceErrors(data: unknown[], s: JSONSchemaProps, path: string): Result {
  const r = newResult();
  const items = s.items && !Array.isArray(s.items) ? s.items : undefined;
  if (items) data.forEach((v, i) => merge(r, validate(v, items, `${path}[${i}]`)));
  if (s.minItems !== undefined && data.length < s.minItems) {
    add(r, invalid(path, data.length, `${path} in ${IN} should have at least ${s.minItems} items`));
  }
  if (s.maxItems !== undefined && data.length > s.maxItems) {
    add(r, { code: 'maxItems', name: path, value: data.length, valid: s.maxItems, message: `${path} in ${IN} should have at most ${s.maxItems} items` });
  }
  if (s.uniqueItems && new Set(data.map(goJSON)).size !== data.length) add(r, invalid(path, undefined, `${path} in ${IN} shouldn't contain duplicates`));
  r.matchCount++;
  return r;
}

function enumErrors(data: unknown, s: JSONSchemaProps, path: string): OErr[] {
  if (!s.enum?.length) return [];
  const d = goJSON(data);
  if (data !== null && s.enum.some((e) => goJSON(e) === d)) return [];
  return [{ code: 'enum', name: path, value: data, values: s.enum, message: `${path} in ${IN} should be one of ${goV(s.enum)}` }];
}

function objectErrors(data: Record<string, unknown>, s: JSONSchemaProps, path: string): Result {
  const r = newResult();
  const keys = Object.keys(data).filter((k) => data[k] !== undefined); // undefined: absent, as in JSON
  if (s.minProperties !== undefined && keys.length < s.minProperties) {
    add(r, invalid(path, keys.length, `${path} in ${IN} should have at least ${s.minProperties} properties`));
    return r;
  }
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) {
    add(r, { code: 'tooManyProps', name: path, value: keys.length, valid: s.maxProperties, message: `${path} in ${IN} should have at most ${s.maxProperties} properties` });
    return r;
  }
  const props = s.properties ?? {};
  if (s.additionalProperties === false) {
    for (const k of keys) if (!(k in props)) add(r, invalid(path, k, `${path}.${k} in ${IN} is a forbidden property`));
  } else if (typeof s.additionalProperties === 'object') {
    for (const k of keys) if (!(k in props)) merge(r, validate(data[k], s.additionalProperties, `${path}.${k}`));
  }
  for (const [name, p] of Object.entries(props)) {
    if (data[name] !== undefined) merge(r, validate(data[name], p, path ? `${path}.${name}` : name));
  }
  for (const k of s.required ?? []) {
    if (data[k] === undefined) add(r, { code: 'required', name: `${path}.${k}`, message: `${path}.${k} in ${IN} is required` });
  }
  return r;
}

const isValid = (r: Result) => r.errors.length === 0;

// schemaPropsValidator: anyOf, oneOf, allOf, not.
function junctors(data: unknown, s: JSONSchemaProps, path: string): Result {
  const main = newResult();
  if (s.anyOf?.length) {
    let best: Result | undefined;
    let firstSuccess: Result | undefined;
    for (const sub of s.anyOf) {
      const res = validate(data, sub, path);
      if (isValid(res)) {
        best = undefined;
        firstSuccess = res;
        break;
      }
      if (!best || res.matchCount > best.matchCount) best = res;
    }
    if (!firstSuccess) add(main, composite(`${goQuote(path)} must validate at least one schema (anyOf)`));
    if (best) merge(main, best);
    else if (firstSuccess) merge(main, firstSuccess);
  }
  if (s.oneOf?.length) {
    let best: Result | undefined;
    let firstSuccess: Result | undefined;
    let validated = 0;
    for (const sub of s.oneOf) {
      const res = validate(data, sub, path);
      if (isValid(res)) {
        validated++;
        best = undefined;
        firstSuccess ??= res;
        continue;
      }
      if (validated === 0 && (!best || res.matchCount > best.matchCount)) best = res;
    }
    if (validated !== 1) {
      const more = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      add(main, composite(`${goQuote(path)} must validate one and only one schema (oneOf). ${more}`));
      if (best) merge(main, best);
    } else if (firstSuccess) merge(main, firstSuccess);
  }
  if (s.allOf?.length) {
    let validated = 0;
    for (const sub of s.allOf) {
      const res = validate(data, sub, path);
      if (isValid(res)) validated++;
      merge(main, res);
    }
    if (validated !== s.allOf.length) {
      add(main, composite(`${goQuote(path)} must validate all the schemas (allOf)${validated === 0 ? '. None validated' : ''}`));
    }
  }
  if (s.not && isValid(validate(data, s.not, path))) add(main, composite(`${goQuote(path)} must not validate the schema (not)`));
  main.matchCount++;
  return main;
}
