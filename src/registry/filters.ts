// Label and field selector filtering of objects, as list and watch apply it.
import { badRequest } from '../apiserver/errors.ts';
import {
  fieldSelectorMatches, matches, parseFieldSelector, parseLabelSelector, requirementsFor, SelectorError,
  type FieldSelector, type LabelSelector,
} from '../apiserver/selectors.ts';
import { strategyFor } from './strategies.ts';
import type { ResourceInfo } from './types.ts';

export interface ListSelectors {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type KObject = Record<string, any>;

export function objectFields(res: ResourceInfo, obj: KObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (res.namespaced) fields['metadata.namespace'] = obj.metadata?.namespace ?? '';
  for (const [field, path] of Object.entries(strategyFor(res).selectableFields ?? {})) {
    const value = path.split('.').reduce<unknown>((o, key) => (o as KObject | undefined)?.[key], obj);
    fields[field] = typeof value === 'string' ? value : '';
  }
  return fields;
}

export function applyListSelectors(res: ResourceInfo, obj: KObject, selectors: ListSelectors): boolean {
  if (selectors.labelSelector && !matches(selectors.labelSelector, obj.metadata?.labels)) return false;
  if (selectors.fieldSelector && !fieldSelectorMatches(selectors.fieldSelector, objectFields(res, obj))) return false;
  return true;
}

/** Parses the labelSelector/fieldSelector query parameters, with upstream's BadRequest errors. */
export function parseSelectors(res: ResourceInfo, labelSelector?: string, fieldSelector?: string): ListSelectors {
  const out: ListSelectors = {};
  try {
    if (labelSelector) out.labelSelector = parseLabelSelector(labelSelector);
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
  try {
    if (fieldSelector) out.fieldSelector = parseFieldSelector(fieldSelector);
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
  if (out.fieldSelector) {
    const supported = new Set(['metadata.name', 'metadata.namespace', ...Object.keys(strategyFor(res).selectableFields ?? {})]);
    for (const field of requirementsFor(out.fieldSelector)) {
      if (!supported.has(field)) throw badRequest(`field label not supported: ${field}`);
    }
  }
  return out;
}
