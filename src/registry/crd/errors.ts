// Field errors shaped like k8s.io/apimachinery's field.Error, rendered with the same texts, plus the
// name validators (DNS-1123 subdomain, DNS-1035 label) whose messages kubectl users see verbatim.
import { goQuote } from '../../gofmt.ts';

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate'
  | 'FieldValueTypeInvalid'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany';

/** One metav1.Status cause: `type` is the reason, `field` the path, `message` the full upstream text. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  message: string;
}

/** Marker for "print no value" (upstream's omitValue). */
export const OMIT = Symbol('omit');

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
};

/** Go's `%v` for a float64 (shortest digits, exponent form outside [1e-4, 1e6)). */
export function goFloat(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  if (x === 0) return '0';
  const [mant, expStr] = x.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mant}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  return String(x);
}

/** A JSON number as Go prints it after decoding: integers are int64, the rest float64. */
export function goNumber(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e21 ? String(x) : goFloat(x);
}

/** Go's encoding/json output: sorted map keys, HTML-safe escapes. */
export function goJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'string') return goQuoteJSON(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${goQuoteJSON(k)}:${goJSON(o[k])}`).join(',')}}`;
}

function goQuoteJSON(s: string): string {
  return JSON.stringify(s).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}


/** How field.Error prints a bad value. */
export function formatBadValue(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  return goJSON(v);
}

function make(type: FieldErrorType, field: string, value: unknown, detail: string): FieldError {
  let body = TYPE_TEXT[type];
  const showValue = !['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong'].includes(type) && value !== OMIT;
  if (showValue) body += `: ${formatBadValue(value)}`;
  if (detail) body += `: ${detail}`;
  return { type, field, message: `${field}: ${body}` };
}

export const fieldErr = {
  required: (field: string, detail = '') => make('FieldValueRequired', field, '', detail),
  invalid: (field: string, value: unknown, detail: string) => make('FieldValueInvalid', field, value, detail),
  typeInvalid: (field: string, value: unknown, detail: string) => make('FieldValueTypeInvalid', field, value, detail),
  forbidden: (field: string, detail: string) => make('FieldValueForbidden', field, '', detail),
  duplicate: (field: string, value: unknown) => make('FieldValueDuplicate', field, value, ''),
  notSupported: (field: string, value: unknown, valid: string[]) =>
    make('FieldValueNotSupported', field, value, valid.length ? `supported values: ${valid.map(goQuote).join(', ')}` : ''),
  tooLong: (field: string, max: number) =>
    make('FieldValueTooLong', field, '', max >= 0 ? `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` : 'value is too long'),
  tooMany: (field: string, actual: number, max: number) =>
    make('FieldValueTooMany', field, actual >= 0 ? actual : OMIT, max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'too many items'),
};

// ---- field paths (field.Path.String()) ----

export const child = (path: string, name: string) => (path ? `${path}.${name}` : name);
export const key = (path: string, k: string) => `${path}[${k}]`;
export const index = (path: string, i: number) => `${path}[${i}]`;

// ---- name validation (the rules live in ../validation.ts) ----

export {
  dns1123Subdomain as isDNS1123Subdomain, dns1123Label as isDNS1123Label, dns1035Label as isDNS1035Label,
} from '../validation.ts';
import { dns1123Label as isDNS1123Label, dns1123Subdomain as isDNS1123Subdomain } from '../validation.ts';

/** NameIsDNSSubdomain: a generateName prefix may end in '-'. */
export function nameIsDNSSubdomain(name: string, prefix: boolean): string[] {
  if (prefix && name.length > 1 && name.endsWith('-')) name = `${name.slice(0, -1)}a`;
  return isDNS1123Subdomain(name);
}

export interface ObjectMetaLike {
  name?: string;
  generateName?: string;
  namespace?: string;
}

/**
 * The name/generateName/namespace part of ValidateObjectMeta. `namespaced` undefined skips the
 * namespace checks.
 */
export function validateObjectMetaNames(
  meta: ObjectMetaLike | undefined,
  namespaced: boolean | undefined,
  nameFn: (name: string, prefix: boolean) => string[] = nameIsDNSSubdomain,
  path = 'metadata',
): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  if (m.generateName) {
    for (const msg of nameFn(m.generateName, true)) errs.push(fieldErr.invalid(child(path, 'generateName'), m.generateName, msg));
  }
  if (!m.name) errs.push(fieldErr.required(child(path, 'name'), 'name or generateName is required'));
  else for (const msg of nameFn(m.name, false)) errs.push(fieldErr.invalid(child(path, 'name'), m.name, msg));
  if (namespaced === true) {
    if (!m.namespace) errs.push(fieldErr.required(child(path, 'namespace'), ''));
    else for (const msg of isDNS1123Label(m.namespace)) errs.push(fieldErr.invalid(child(path, 'namespace'), m.namespace, msg));
  } else if (namespaced === false && m.namespace) {
    errs.push(fieldErr.forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  return errs;
}
