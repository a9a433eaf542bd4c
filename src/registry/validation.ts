// Field validation with upstream's (k8s.io/apimachinery/pkg/util/validation) rules and messages.
import type { FieldError } from '../apiserver/errors.ts';

export function fieldInvalid(field: string, value: unknown, message: string): FieldError {
  return { type: 'FieldValueInvalid', field, detail: `Invalid value: ${formatValue(value)}: ${message}` };
}

export function fieldRequired(field: string, message = ''): FieldError {
  return { type: 'FieldValueRequired', field, detail: message ? `Required value: ${message}` : 'Required value' };
}

export function fieldForbidden(field: string, message: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail: `Forbidden: ${message}` };
}

export function fieldNotSupported(field: string, value: unknown, supported: string[]): FieldError {
  return {
    type: 'FieldValueNotSupported', field,
    detail: `Unsupported value: ${formatValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  };
}

export function fieldDuplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, detail: `Duplicate value: ${JSON.stringify(value)}` };
}

export function fieldTooLong(field: string, max: number): FieldError {
  return { type: 'FieldValueTooLong', field, detail: `Too long: must have at most ${max} bytes` };
}

export function fieldImmutable(field: string, value: unknown): FieldError {
  return fieldInvalid(field, value, 'field is immutable');
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function maxLen(n: number): string {
  return `must be no more than ${n} characters`;
}

/** Each returns upstream's messages for value (empty when valid). */
export function dns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!DNS1123_LABEL.test(value)) errs.push(DNS1123_LABEL_MSG);
  return errs;
}

export function dns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLen(253));
  if (!DNS1123_SUBDOMAIN.test(value)) errs.push(DNS1123_SUBDOMAIN_MSG);
  return errs;
}

export function dns1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!DNS1035_LABEL.test(value)) errs.push(DNS1035_LABEL_MSG);
  return errs;
}

/** Names that only need to be a valid path segment (RBAC kinds, for instance). */
export function pathSegmentName(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (value.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/** validation.IsQualifiedName: `[prefix/]name`, the prefix a DNS-1123 subdomain. */
export function qualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a qualified name ${QUALIFIED_NAME_MSG.slice('name part '.length)} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const errs: string[] = [];
  const name = parts.length === 2 ? parts[1]! : value;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (!QUALIFIED_NAME_PART.test(name)) errs.push(QUALIFIED_NAME_MSG);
  return errs;
}

/** validation.IsValidLabelValue. */
export function labelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!LABEL_VALUE.test(value)) errs.push(LABEL_VALUE_MSG);
  return errs;
}

export type NameRule = (name: string) => string[];

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [fieldInvalid(field, labels, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const m of qualifiedName(key)) errs.push(fieldInvalid(field, key, m));
    if (typeof value !== 'string') errs.push(fieldInvalid(`${field}`, value, 'label values must be strings'));
    else for (const m of labelValue(value)) errs.push(fieldInvalid(field, value, m));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== 'object' || Array.isArray(annotations)) return [fieldInvalid(field, annotations, 'must be a map of string keys to string values')];
  const errs: FieldError[] = [];
  for (const [key, value] of Object.entries(annotations)) {
    for (const m of qualifiedName(key.toLowerCase())) errs.push(fieldInvalid(field, key, m));
    if (typeof value !== 'string') errs.push(fieldInvalid(field, value, 'annotation values must be strings'));
  }
  if (annotationsSize(annotations) > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldTooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** The size annotations count against TOTAL_ANNOTATION_SIZE_LIMIT: their keys and string values. */
export function annotationsSize(annotations: object): number {
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) if (typeof value === 'string') size += key.length + value.length;
  return size;
}
