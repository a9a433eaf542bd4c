// RBAC policy rules: whether one allows a request (upstream's rbac/v1 evaluation helpers), and whether a
// set of rules covers another (the escalation check's comparator), with the compact text of a rule.
import type { Attributes } from './attributes.ts';
import { goQuoteList } from '../../gofmt.ts';

export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

const ALL = '*';

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A rule as stored (any JSON), with every list present. */
export function toPolicyRule(raw: unknown): PolicyRule {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    verbs: strings(r.verbs), apiGroups: strings(r.apiGroups), resources: strings(r.resources),
    resourceNames: strings(r.resourceNames), nonResourceURLs: strings(r.nonResourceURLs),
  };
}

export function toPolicyRules(raw: unknown): PolicyRule[] {
  return Array.isArray(raw) ? raw.map(toPolicyRule) : [];
}

/** The rule as the API shows it: empty lists left out. */
export function fromPolicyRule(rule: PolicyRule): Record<string, string[]> {
  return Object.fromEntries(Object.entries(rule).filter(([, list]) => list.length > 0));
}

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.includes(ALL) || rule.verbs.includes(verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.includes(ALL) || rule.apiGroups.includes(group);
}

/** `*`, the exact `resource` or `resource/subresource`, or `*\/subresource`. */
function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return rule.resources.includes(ALL) || rule.resources.includes(combined)
    || (subresource !== '' && rule.resources.includes(`*/${subresource}`));
}

function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

/** `*`, the exact path, or a prefix ending in `*`. */
function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs) {
    if (url === ALL || url === path || (url.endsWith(ALL) && path.startsWith(trimStars(url)))) return true;
  }
  return false;
}

function trimStars(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === ALL) end--;
  return text.slice(0, end);
}

export function ruleAllows(attributes: Attributes, rule: PolicyRule): boolean {
  if (!attributes.resourceRequest) return verbMatches(rule, attributes.verb) && nonResourceURLMatches(rule, attributes.path);
  const combined = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
  return verbMatches(rule, attributes.verb) && apiGroupMatches(rule, attributes.apiGroup)
    && resourceMatches(rule, combined, attributes.subresource) && resourceNameMatches(rule, attributes.name);
}

/** Splits a rule into rules of one verb, group, resource and resource name (or one URL and verb). */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  const names = rule.resourceNames.length ? rule.resourceNames.map((n) => [n]) : [[]];
  for (const group of rule.apiGroups) {
    for (const resource of rule.resources) {
      for (const verb of rule.verbs) {
        for (const resourceNames of names) {
          out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames, nonResourceURLs: [] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs) {
    for (const verb of rule.verbs) out.push({ verbs: [verb], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [url] });
  }
  return out;
}

function hasAll(set: string[], wanted: string[]): boolean {
  return wanted.every((w) => set.includes(w));
}

function resourcesCovered(owned: string[], wanted: string[]): boolean {
  if (owned.includes(ALL)) return true;
  return wanted.every((path) => {
    if (owned.includes(path)) return true;
    const slash = path.indexOf('/');
    return slash >= 0 && owned.includes(`*/${path.slice(slash + 1)}`);
  });
}

function urlsCovered(owned: string[], wanted: string[]): boolean {
  return wanted.every((path) => owned.some((o) => o === path || (o.endsWith(ALL) && path.startsWith(trimStars(o)))));
}

/** Whether owner covers sub, a rule of one verb, group, resource and resource name at most. */
function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const names = sub.resourceNames.length === 0
    ? owner.resourceNames.length === 0
    : owner.resourceNames.length === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return (owner.verbs.includes(ALL) || hasAll(owner.verbs, sub.verbs))
    && (owner.apiGroups.includes(ALL) || hasAll(owner.apiGroups, sub.apiGroups))
    && resourcesCovered(owner.resources, sub.resources)
    && urlsCovered(owner.nonResourceURLs, sub.nonResourceURLs)
    && names;
}

/** The parts of wanted that owned does not grant (empty when owned covers wanted). */
export function uncovered(owned: PolicyRule[], wanted: PolicyRule[]): PolicyRule[] {
  return wanted.flatMap(breakdown).filter((sub) => !owned.some((owner) => ruleCovers(owner, sub)));
}

/** Merges rules of one group and one resource (and nothing else) that differ only in their verbs. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const rule of rules) {
    const isSimple = rule.resourceNames.length === 0 && rule.nonResourceURLs.length === 0
      && rule.apiGroups.length === 1 && rule.resources.length === 1;
    if (!isSimple) {
      compacted.push(rule);
      continue;
    }
    const key = `${rule.apiGroups[0]}\0${rule.resources[0]}`;
    const existing = simple.get(key);
    if (existing) existing.verbs.push(...rule.verbs);
    else simple.set(key, { ...rule, verbs: [...rule.verbs] });
  }
  return [...compacted, ...simple.values()];
}

/** `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}`, as escalation errors list rules. */
export function compactString(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.apiGroups.length) parts.push(`APIGroups:${goQuoteList(rule.apiGroups)}`);
  if (rule.resources.length) parts.push(`Resources:${goQuoteList(rule.resources)}`);
  if (rule.nonResourceURLs.length) parts.push(`NonResourceURLs:${goQuoteList(rule.nonResourceURLs)}`);
  if (rule.resourceNames.length) parts.push(`ResourceNames:${goQuoteList(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${goQuoteList(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}
