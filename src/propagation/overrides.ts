// Karmada's override manager (pkg/util/overridemanager) as a pure function: the ClusterOverridePolicies, then the
// OverridePolicies of the template's namespace, that select a resource template and target a cluster, applied to it.
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { KObject } from '../registry/objects.ts';
import { applyJsonPatch } from '../registry/patch/jsonpatch.ts';
import { clusterMatches, PRIORITY_MATCH_ALL, selectorsMatch, selectorsPriority } from './match.ts';

export interface AppliedOverride {
  policyName: string;
  /** Set for an OverridePolicy, absent for a ClusterOverridePolicy. */
  namespace?: string;
  overriders: KObject;
}

export interface AppliedOverrides {
  manifest: KObject;
  /** In the order applied; one entry per matching rule. */
  applied: AppliedOverride[];
}

interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

/**
 * Applies every matching ClusterOverridePolicy, then every matching OverridePolicy (of the template's namespace), in
 * upstream's order.
 */
export function applyOverrides(template: KObject, cluster: KObject,
  policies: { overridePolicies: KObject[]; clusterOverridePolicies: KObject[] }): AppliedOverrides {
  let manifest = structuredClone(template);
  const applied: AppliedOverride[] = [];
  const namespace: string | undefined = template.metadata?.namespace || undefined;
  const groups = [policies.clusterOverridePolicies];
  if (namespace) groups.push(policies.overridePolicies.filter((p) => p.metadata?.namespace === namespace));
  for (const group of groups) {
    for (const { policy, overriders } of matchingRules(manifest, cluster, group)) {
      const name: string = policy.metadata?.name ?? '';
      const ns: string | undefined = policy.metadata?.namespace || undefined;
      try {
        manifest = applyOverriders(manifest, overriders);
      } catch (e) {
        const ref = ns ? `OverridePolicy ${ns}/${name}` : `ClusterOverridePolicy ${name}`;
        throw new Error(`applying ${ref} for cluster ${cluster.metadata?.name}: ${e instanceof Error ? e.message : e}`);
      }
      applied.push({ policyName: name, ...(ns ? { namespace: ns } : {}), overriders: structuredClone(overriders) });
    }
  }
  return { manifest, applied };
}

/** The rules of the policies selecting obj that target the cluster: policies by implicit priority, then name. */
function matchingRules(obj: KObject, cluster: KObject, policies: KObject[]): Array<{ policy: KObject; overriders: KObject }> {
  const priority = (p: KObject) => (p.spec?.resourceSelectors?.length
    ? selectorsPriority(obj, p.spec.resourceSelectors)
    : PRIORITY_MATCH_ALL);
  const byName = (a: KObject, b: KObject) => {
    const [x, y] = [a.metadata?.name ?? '', b.metadata?.name ?? ''];
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const selecting = policies
    .filter((p) => !p.spec?.resourceSelectors?.length || selectorsMatch(obj, p.spec.resourceSelectors))
    .sort((a, b) => priority(a) - priority(b) || byName(a, b));
  const rules: Array<{ policy: KObject; overriders: KObject }> = [];
  for (const policy of selecting) {
    const spec = policy.spec ?? {};
    // The deprecated targetCluster + overriders pair counts as one rule when there are no overrideRules.
    const policyRules: KObject[] = spec.overrideRules?.length
      ? spec.overrideRules
      : [{ targetCluster: spec.targetCluster, overriders: spec.overriders }];
    for (const rule of policyRules) {
      if (rule.targetCluster && !clusterMatches(cluster, rule.targetCluster)) continue;
      rules.push({ policy, overriders: rule.overriders ?? {} });
    }
  }
  return rules;
}

/** One rule's overriders, in upstream's fixed order: image, command, args, labels, annotations, field, plaintext. */
function applyOverriders(obj: KObject, o: KObject): KObject {
  for (const image of o.imageOverrider ?? []) obj = patch(obj, imagePatches(obj, image));
  for (const command of o.commandOverrider ?? []) obj = patch(obj, commandArgsPatches(obj, command, 'command'));
  for (const args of o.argsOverrider ?? []) obj = patch(obj, commandArgsPatches(obj, args, 'args'));
  for (const labels of o.labelsOverrider ?? []) obj = patch(obj, metadataMapPatches(obj, labels, 'labels'));
  for (const annotations of o.annotationsOverrider ?? []) obj = patch(obj, metadataMapPatches(obj, annotations, 'annotations'));
  for (const field of o.fieldOverrider ?? []) obj = applyFieldOverrider(obj, field);
  return patch(obj, (o.plaintext ?? []).map((p: KObject) => operation(p.operator, p.path, p.value)));
}

function operation(op: string, path: string, value: unknown): PatchOp {
  return value === undefined ? { op, path } : { op, path, value };
}

/** A JSON patch as evanphx/json-patch v5 applies it: unlike v4, `replace` of a missing member fails. */
function patch<T>(doc: T, ops: PatchOp[]): T {
  for (const op of ops) {
    if (op.op === 'replace' && typeof op.path === 'string' && op.path.startsWith('/') && !pointerExists(doc, op.path)) {
      throw new Error(`replace operation does not apply: doc is missing key: ${op.path}: missing value`);
    }
    doc = applyJsonPatch(doc, [op]) as T;
  }
  return doc;
}

function pointerTokens(path: string): string[] {
  return path.slice(1).split('/').map((t) => t.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~')));
}

function escapeToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

function pointerExists(doc: unknown, path: string): boolean {
  let node = doc;
  for (const token of pointerTokens(path)) {
    if (Array.isArray(node)) {
      if (!/^[0-9]+$/.test(token) || Number(token) >= node.length) return false;
      node = node[Number(token)];
    } else if (isObject(node) && Object.hasOwn(node, token)) {
      node = node[token];
    } else {
      return false;
    }
  }
  return true;
}

function isObject(v: unknown): v is KObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- imageOverrider

const POD_SPEC_PATHS: Record<string, string> = {
  Pod: '/spec', ReplicaSet: '/spec/template/spec', Deployment: '/spec/template/spec', DaemonSet: '/spec/template/spec',
  StatefulSet: '/spec/template/spec', Job: '/spec/template/spec',
};

function imagePatches(obj: KObject, overrider: KObject): PatchOp[] {
  if (overrider.predicate) {
    const path: string = overrider.predicate.path ?? '';
    let image: string;
    try {
      image = imageAt(obj, path);
    } catch (e) {
      throw new Error(`failed to obtain imageValue with predicate path(${path}), error: ${(e as Error).message}`);
    }
    return [imagePatch(path, image, overrider)];
  }
  const prefix = POD_SPEC_PATHS[obj.kind];
  if (!prefix) return [];
  let spec: unknown = obj;
  for (const token of pointerTokens(prefix)) spec = isObject(spec) ? spec[token] : undefined;
  const containers: unknown = isObject(spec) ? spec.containers : undefined;
  if (!Array.isArray(containers)) return [];
  return containers.map((c, i) => imagePatch(`${prefix}/containers/${i}/image`, isObject(c) ? c.image ?? '' : '', overrider));
}

/** The image string at a predicate path, walked as upstream does: a list segment is followed by its index. */
function imageAt(obj: KObject, path: string): string {
  const segments = path.replace(/^\/+|\/+$/g, '').split('/');
  let node: KObject = obj;
  for (let i = 0; i < segments.length - 1; i++) {
    const next = node[segments[i]!];
    if (Array.isArray(next)) {
      const index = segments[i + 1]!;
      if (!/^-?[0-9]+$/.test(index)) throw new Error(`path(${index}) of rawObj's is not number`);
      const item = next[Number(index)];
      if (!isObject(item)) throw new Error(`path(${index}) of rawObj's is out of range or not an object`);
      node = item;
      i++;
    } else if (isObject(next)) {
      node = next;
    } else {
      throw new Error(`path(${segments[i]}) of rawObj's type is not map[string]interface{} and []interface{}`);
    }
  }
  const value = node[segments[segments.length - 1]!];
  if (typeof value !== 'string') throw new Error(`failed to convert path(${segments[segments.length - 1]}) to string`);
  return value;
}

function imagePatch(path: string, image: string, overrider: KObject): PatchOp {
  if (!path.startsWith('/')) throw new Error('imagePath should be start with / character');
  let ref: ImageReference;
  try {
    ref = parseImage(image);
  } catch (e) {
    throw new Error(`failed to parse image value(${image}), error: ${(e as Error).message}`);
  }
  const value: string = overrider.value ?? '';
  const { operator } = overrider;
  switch (overrider.component) {
    case 'Registry':
      if (operator === 'add') ref.hostname += value;
      else if (operator === 'replace') ref.hostname = value;
      else if (operator === 'remove') ref.hostname = '';
      break;
    case 'Repository':
      if (operator === 'add') ref.repository += value;
      else if (operator === 'replace') ref.repository = value;
      else if (operator === 'remove') ref.repository = '';
      break;
    case 'Tag':
      if (operator === 'add') setTagOrDigest(ref, (ref.tag || ref.digest) + value);
      else if (operator === 'replace') setTagOrDigest(ref, value);
      else if (operator === 'remove') {
        if (ref.tag) ref.tag = '';
        else ref.digest = '';
      }
      break;
    default:
      throw new Error(`unsupported image component(${overrider.component})`);
  }
  return { op: 'replace', path, value: imageString(ref) };
}

// ---- image references, as distribution/reference parses them and Karmada's imageparser splits them

interface ImageReference {
  /** The registry, with its port: set only when the first path segment has a '.' or ':' or is localhost. */
  hostname: string;
  repository: string;
  tag: string;
  digest: string;
}

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_TAG = new RegExp(`^${TAG}$`);
const ANCHORED_DIGEST = new RegExp(`^${DIGEST}$`);
const DIGEST_HEX_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

function parseImage(image: string): ImageReference {
  const m = REFERENCE.exec(image);
  if (!m) {
    if (image === '') throw new Error('repository name must have at least one component');
    if (REFERENCE.test(image.toLowerCase())) throw new Error('repository name must be lowercase');
    throw new Error('invalid reference format');
  }
  const [, name = '', tag = '', digest = ''] = m;
  if (name.length > 255) throw new Error('repository name must not be more than 255 characters');
  if (digest) validateDigest(digest);
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const isHost = slash >= 0 && (/[.:]/.test(first) || first === 'localhost');
  return {
    hostname: isHost ? first : '',
    repository: isHost ? name.slice(slash + 1) : name,
    tag,
    digest: tag ? '' : digest,
  };
}

function validateDigest(digest: string): void {
  const [algorithm = '', hex = ''] = digest.split(':');
  const length = DIGEST_HEX_LENGTHS[algorithm];
  if (length === undefined) throw new Error('unsupported digest algorithm');
  if (hex.length !== length) throw new Error('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw new Error('invalid checksum digest format');
}

function setTagOrDigest(ref: ImageReference, input: string): void {
  if (ANCHORED_TAG.test(input)) {
    ref.tag = input;
    ref.digest = '';
  } else if (ANCHORED_DIGEST.test(input)) {
    ref.digest = input;
    ref.tag = '';
  }
}

function imageString(ref: ImageReference): string {
  const full = ref.hostname ? `${ref.hostname}/${ref.repository}` : ref.repository;
  if (ref.tag) return `${full}:${ref.tag}`;
  return ref.digest ? `${full}@${ref.digest}` : full;
}

// ---- commandOverrider and argsOverrider

const CONTAINERS_PATHS: Record<string, string> = {
  Pod: 'spec/containers', ReplicaSet: 'spec/template/spec/containers', Deployment: 'spec/template/spec/containers',
  DaemonSet: 'spec/template/spec/containers', StatefulSet: 'spec/template/spec/containers',
};

function commandArgsPatches(obj: KObject, overrider: KObject, target: 'command' | 'args'): PatchOp[] {
  const path = CONTAINERS_PATHS[obj.kind];
  if (!path) return [];
  let node: unknown = obj;
  for (const segment of path.split('/')) {
    if (node === undefined || node === null) return [];
    if (!isObject(node)) throw new Error(`failed to retrieves path(${path}) from rawObj, error: ${segment} is not in an object`);
    node = node[segment];
  }
  if (node === undefined || node === null) return [];
  if (!Array.isArray(node)) throw new Error(`failed to retrieves path(${path}) from rawObj, error: the value is not a list`);
  const values: string[] = overrider.value ?? [];
  const ops: PatchOp[] = [];
  node.forEach((container, index) => {
    if (!isObject(container) || container.name !== overrider.containerName) return;
    const current = container[target];
    const list: string[] = Array.isArray(current) ? current.map(String) : [];
    let next = list;
    if (overrider.operator === 'add') next = [...list, ...values];
    else if (overrider.operator === 'remove') next = list.filter((v) => !values.includes(v));
    const op = current === undefined || current === null ? 'add' : 'replace';
    ops.push({ op, path: `/${path}/${index}/${target}`, value: next });
  });
  return ops;
}

// ---- labelsOverrider and annotationsOverrider

function metadataMapPatches(obj: KObject, overrider: KObject, field: 'labels' | 'annotations'): PatchOp[] {
  const ops: PatchOp[] = [];
  for (const [key, value] of Object.entries(overrider.value ?? {})) {
    const current = obj.metadata?.[field];
    const stringMap = isObject(current) && Object.values(current).every((v) => typeof v === 'string');
    if (overrider.operator === 'remove' || overrider.operator === 'replace') {
      if (!stringMap || !Object.hasOwn(current, key)) continue;
    } else if (overrider.operator === 'add' && !isObject(current)) {
      obj.metadata = { ...(isObject(obj.metadata) ? obj.metadata : {}), [field]: {} };
    }
    ops.push(operation(overrider.operator, `/metadata/${field}/${escapeToken(key)}`, value));
  }
  return ops;
}

// ---- fieldOverrider

function applyFieldOverrider(obj: KObject, overrider: KObject): KObject {
  const path: string = overrider.fieldPath ?? '';
  const notString = new Error(`Get object's value by overrider's path(${path}) is not string`);
  if (path === '') throw notString;
  const { parent, key } = pointerTarget(obj, path);
  const raw: unknown = parent[key];
  if (typeof raw !== 'string') throw notString;
  const ops = (list: KObject[]) => list.map((p) => operation(p.operator, p.subPath, p.value));
  if (overrider.yaml?.length) {
    let doc: unknown;
    try {
      doc = parseYaml(raw);
    } catch (e) {
      throw new Error(`the YAML at ${path} does not parse: ${(e as Error).message}`);
    }
    parent[key] = stringifyYaml(patch(doc, ops(overrider.yaml)), { sortMapEntries: true, indentSeq: false, lineWidth: 0 });
  } else if (overrider.json?.length) {
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (e) {
      throw new Error(`the JSON at ${path} does not parse: ${(e as Error).message}`);
    }
    parent[key] = JSON.stringify(patch(doc, ops(overrider.json)));
  }
  return obj;
}

/** The container and key a JSON pointer names, with go-openapi/jsonpointer's errors. */
function pointerTarget(obj: KObject, path: string): { parent: KObject; key: string | number } {
  if (!path.startsWith('/')) throw new Error('JSON pointer must be empty or start with a "/');
  const tokens = pointerTokens(path);
  const last = tokens.pop()!;
  let node: KObject = obj;
  for (const token of tokens) node = node[pointerKey(node, token)];
  return { parent: node, key: pointerKey(node, last) };
}

function pointerKey(node: unknown, token: string): string | number {
  if (Array.isArray(node)) {
    if (!/^[0-9]+$/.test(token) || Number(token) >= node.length) {
      throw new Error(`index out of bounds array[0,${node.length}] index '${token}'`);
    }
    return Number(token);
  }
  if (!isObject(node)) throw new Error(`invalid token reference ${JSON.stringify(token)}`);
  if (!Object.hasOwn(node, token)) throw new Error(`object has no key ${JSON.stringify(token)}`);
  return token;
}
