// Generates src/registry/openapi/builtin-schemas.json: the OpenAPI v3 component
// schemas of every definition reachable from the built-in kinds Canopy serves.
//
//   npx tsx scripts/gen-openapi-schemas.ts
//
// Sources (all maintained upstream, none edited by hand):
//  - npm kubernetes-types: field names, types, required fields and descriptions,
//    read from its .d.ts files with the TypeScript compiler API;
//  - npm kubernetes-models: integer formats (int32/int64), string formats and
//    enums, learnt by probing its compiled validators with ill-typed values; and the
//    x-kubernetes-* fields of JSONSchemaProps, which kubernetes-types leaves out;
//  - src/registry/openapi/patch-strategies.json (scripts/extract-patch-strategies.ts):
//    strategic-merge-patch extensions.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

type Schema = Record<string, unknown>;
interface Gvk { group: string; version: string; kind: string }

const require = createRequire(import.meta.url);
const TYPES_DIR = dirname(require.resolve('kubernetes-types/package.json'));
const MODELS_DIR = dirname(require.resolve('kubernetes-models/package.json'));
const APIMACHINERY_MODELS_DIR = dirname(require.resolve('@kubernetes-models/apimachinery/package.json', { paths: [MODELS_DIR] }));
const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, '../src/registry/openapi/builtin-schemas.json');
const PATCH_STRATEGIES = join(HERE, '../src/registry/openapi/patch-strategies.json');
const REF_PREFIX = '#/components/schemas/';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

// ---------------------------------------------------------------- roots

/** kubernetes-types module → [API group, served kinds]. */
const SERVED: Record<string, [string, string[]]> = {
  'core/v1': ['', ['Namespace', 'ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'ResourceQuota', 'LimitRange',
    'Event', 'Pod', 'Endpoints', 'Node', 'PersistentVolumeClaim']],
  'apps/v1': ['apps', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision']],
  'rbac/v1': ['rbac.authorization.k8s.io', ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']],
  'networking/v1': ['networking.k8s.io', ['NetworkPolicy', 'Ingress', 'IngressClass']],
  'batch/v1': ['batch', ['Job', 'CronJob']],
  'coordination/v1': ['coordination.k8s.io', ['Lease']],
  'apiextensions/v1': ['apiextensions.k8s.io', ['CustomResourceDefinition']],
  'events/v1': ['events.k8s.io', ['Event']],
  'policy/v1': ['policy', ['PodDisruptionBudget']],
  'certificates/v1': ['certificates.k8s.io', ['CertificateSigningRequest']],
};
/** Further kinds with a GVK that are not resources of their own (subresource bodies). */
const EXTRA_KINDS: Array<[string, string, string]> = [
  ['autoscaling/v1', 'autoscaling', 'Scale'],
  ['policy/v1', 'policy', 'Eviction'],
];
/** meta/v1 and other supporting types the API paths reference. */
const EXTRA_ROOTS: Array<[string, string]> = [
  ['meta/v1', 'Status'], ['meta/v1', 'DeleteOptions'], ['meta/v1', 'WatchEvent'], ['meta/v1', 'Patch'],
  ['meta/v1', 'APIResourceList'], ['meta/v1', 'APIGroupList'], ['meta/v1', 'APIGroup'], ['meta/v1', 'APIVersions'],
  ['meta/v1', 'Condition'], ['version', 'Info'],
];

function openapiPrefix(module: string): string {
  switch (module) {
    case 'meta/v1': return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource': return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime': return 'io.k8s.apimachinery.pkg.runtime';
    case 'version': return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1': return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default: return 'io.k8s.api.' + module.replace('/', '.');
  }
}

// ---------------------------------------------------------------- .d.ts parsing

interface Decl { module: string; name: string; node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration; file: ParsedModule }
interface ParsedModule {
  module: string;
  source: ts.SourceFile;
  decls: Map<string, Decl>;
  imports: Map<string, string>;
  /** For kubernetes-models files: resolves its interface names to kubernetes-types declarations. */
  resolve?: (name: string) => Decl;
}

const parsed = new Map<string, ParsedModule>();

function parseModule(module: string): ParsedModule {
  const cached = parsed.get(module);
  if (cached) return cached;
  const path = join(TYPES_DIR, module + '.d.ts');
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const mod: ParsedModule = { module, source, decls: new Map(), imports: new Map() };
  for (const stmt of source.statements) {
    if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier)) {
      const target = join(dirname(module), stmt.moduleSpecifier.text).replace(/\\/g, '/');
      const bindings = stmt.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) mod.imports.set(el.name.text, target);
    } else if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) {
      mod.decls.set(stmt.name.text, { module, name: stmt.name.text, node: stmt, file: mod });
    }
  }
  parsed.set(module, mod);
  return mod;
}

function docOf(node: ts.Node): string | undefined {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const text = docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join('\n').trim();
  return text || undefined;
}

function propName(name: ts.PropertyName): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  throw new Error('unsupported property name ' + name.getText());
}

// ---------------------------------------------------------------- format probing (kubernetes-models)

type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; params: Record<string, unknown> }> | null };
const validators = new Map<string, Validate | null>();

function modelFileName(definition: string): string {
  return definition.split('.').map((seg) => seg.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('')).join('');
}

async function validatorFor(definition: string): Promise<Validate | null> {
  if (validators.has(definition)) return validators.get(definition)!;
  const dir = definition.startsWith('io.k8s.apimachinery.') ? APIMACHINERY_MODELS_DIR : MODELS_DIR;
  let fn: Validate | null = null;
  try {
    fn = ((await import(pathToFileURL(join(dir, '_schemas', modelFileName(definition) + '.js')).href)) as { validate: Validate }).validate;
  } catch {
    fn = null;
  }
  validators.set(definition, fn);
  return fn;
}

type Shape = 'scalar' | 'array' | 'map';

/** Errors the validator reports at the probed field for a given value. */
async function probe(definition: string, field: string, shape: Shape, value: unknown) {
  const validate = await validatorFor(definition);
  if (!validate) return undefined;
  const wrapped = shape === 'array' ? [value] : shape === 'map' ? { k: value } : value;
  const at = '/' + field.replace(/~/g, '~0').replace(/\//g, '~1') + (shape === 'array' ? '/0' : shape === 'map' ? '/k' : '');
  validate({ [field]: wrapped });
  return (validate.errors ?? []).filter((e) => e.instancePath === at);
}

const probeStats = { numbers: 0, numbersDefaulted: 0, stringFormats: 0, enums: 0 };

async function numberSchema(definition: string, field: string, shape: Shape): Promise<Schema> {
  probeStats.numbers++;
  const errors = await probe(definition, field, shape, 1.5);
  const typeErr = errors?.find((e) => e.keyword === 'type');
  const formatErr = errors?.find((e) => e.keyword === 'format');
  if (errors && !typeErr) {
    const stringErrors = await probe(definition, field, shape, 'x');
    if (stringErrors?.some((e) => e.keyword === 'type' && e.params.type === 'number')) return { type: 'number', format: 'double' };
  }
  if (!formatErr) probeStats.numbersDefaulted++;
  return { type: 'integer', format: (formatErr?.params.format as string | undefined) ?? 'int32' };
}

async function stringSchema(definition: string, field: string, shape: Shape): Promise<Schema> {
  const out: Schema = { type: 'string' };
  if (field === 'apiVersion' || field === 'kind') return out;
  const errors = (await probe(definition, field, shape, '\u0000 ~probe~')) ?? [];
  const format = errors.find((e) => e.keyword === 'format')?.params.format;
  if (typeof format === 'string') { out.format = format; probeStats.stringFormats++; }
  const allowed = errors.find((e) => e.keyword === 'enum')?.params.allowedValues;
  if (Array.isArray(allowed)) { out.enum = allowed; probeStats.enums++; }
  return out;
}

// ---------------------------------------------------------------- vendor-extension fields (kubernetes-models)

// kubernetes-types leaves out fields whose JSON names are not identifiers, such as
// JSONSchemaProps' x-kubernetes-* fields; kubernetes-models declares them.
let modelFiles: Map<string, string> | undefined;

/** kubernetes-models model name (e.g. IoK8sApiAppsV1Deployment) → its .d.ts file. */
function modelFileIndex(): Map<string, string> {
  if (modelFiles) return modelFiles;
  modelFiles = new Map();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) { if (entry.name !== '_schemas' && entry.name !== 'node_modules') walk(path); continue; }
      if (!entry.name.endsWith('.js')) continue;
      const m = /_schemas\/(IoK8s[A-Za-z0-9]+)\.js"/.exec(readFileSync(path, 'utf8'));
      if (m) modelFiles!.set(m[1], path.replace(/\.js$/, '.d.ts'));
    }
  };
  walk(MODELS_DIR);
  return modelFiles;
}

/** Properties named x-kubernetes-* that kubernetes-models declares for this definition. */
function modelExtensionMembers(definition: string, typesModule: ParsedModule): { file: ParsedModule; members: ts.PropertySignature[] } | undefined {
  const path = modelFileIndex().get(modelFileName(definition));
  if (!path) return undefined;
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const iface = source.statements.find((st): st is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(st) && st.name.text === 'I' + definition.slice(definition.lastIndexOf('.') + 1));
  if (!iface) return undefined;
  const members = iface.members.filter((m): m is ts.PropertySignature => ts.isPropertySignature(m) && propName(m.name).startsWith('x-kubernetes-'));
  const prefix = openapiPrefix(typesModule.module);
  const file: ParsedModule = {
    module: typesModule.module, source, decls: new Map(), imports: new Map(),
    // Interface names there are 'I' + model name; map them back to the kubernetes-types declaration.
    resolve: (name) => {
      for (const decl of typesModule.decls.values()) if ('I' + modelFileName(prefix + '.' + decl.name) === name) return decl;
      throw new Error(`cannot resolve ${name} for ${definition}`);
    },
  };
  return { file, members };
}

// ---------------------------------------------------------------- schema building

const schemas = new Map<string, Schema>();
const pending: Decl[] = [];

function resolveRef(mod: ParsedModule, name: string): Decl {
  if (mod.resolve) return mod.resolve(name);
  const target = mod.decls.has(name) ? mod.module : mod.imports.get(name);
  if (!target) throw new Error(`cannot resolve ${name} in ${mod.module}`);
  const decl = parseModule(target).decls.get(name);
  if (!decl) throw new Error(`${name} not declared in ${target}`);
  return decl;
}

function definitionName(decl: Decl): string {
  return openapiPrefix(decl.module) + '.' + decl.name;
}

function refTo(definition: string): Schema {
  return { $ref: REF_PREFIX + definition };
}

function enqueue(decl: Decl): string {
  const name = definitionName(decl);
  if (!schemas.has(name) && !pending.includes(decl)) pending.push(decl);
  return name;
}

/** The schema of one property type; `ctx` names the owning definition and field for probing. */
async function typeSchema(mod: ParsedModule, type: ts.TypeNode, ctx: { definition: string; field: string; shape: Shape }): Promise<Schema> {
  if (ts.isParenthesizedTypeNode(type)) return typeSchema(mod, type.type, ctx);
  switch (type.kind) {
    case ts.SyntaxKind.StringKeyword: return stringSchema(ctx.definition, ctx.field, ctx.shape);
    case ts.SyntaxKind.NumberKeyword: return numberSchema(ctx.definition, ctx.field, ctx.shape);
    case ts.SyntaxKind.BooleanKeyword: return { type: 'boolean' };
  }
  if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) return { type: 'string' };
  if (ts.isUnionTypeNode(type)) {
    const kinds = type.types.map((t) => t.kind).sort();
    if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) {
      ensureIntOrString();
      return refTo(INT_OR_STRING);
    }
    throw new Error(`unsupported union ${type.getText()} at ${ctx.definition}.${ctx.field}`);
  }
  if (ts.isArrayTypeNode(type)) {
    return { type: 'array', items: await typeSchema(mod, type.elementType, { ...ctx, shape: 'array' }) };
  }
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
    const name = type.typeName.text;
    if (name === 'Array' && type.typeArguments?.length === 1) {
      return { type: 'array', items: await typeSchema(mod, type.typeArguments[0], { ...ctx, shape: 'array' }) };
    }
    return refTo(enqueue(resolveRef(mod, name)));
  }
  if (ts.isTypeLiteralNode(type) && type.members.length === 1 && ts.isIndexSignatureDeclaration(type.members[0])) {
    const sig = type.members[0];
    return { type: 'object', additionalProperties: await typeSchema(mod, sig.type, { ...ctx, shape: 'map' }) };
  }
  throw new Error(`unsupported type ${type.getText()} at ${ctx.definition}.${ctx.field}`);
}

/** Attaches a description the way kube-openapi v3 does: a $ref with siblings is wrapped in allOf. */
function withDescription(schema: Schema, description: string | undefined): Schema {
  if (!description) return schema;
  if (typeof schema.$ref === 'string') return { allOf: [schema], description };
  return { description, ...schema };
}

let supplemented = 0;

const EMPTY_OBJECT_TYPES = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
]);

async function buildDecl(decl: Decl): Promise<Schema> {
  const name = definitionName(decl);
  const description = docOf(decl.node);
  const base: Schema = description ? { description } : {};
  if (ts.isTypeAliasDeclaration(decl.node)) {
    if (decl.node.type.kind === ts.SyntaxKind.StringKeyword) {
      return /\.(Time|MicroTime)$/.test(name) ? { ...base, type: 'string', format: 'date-time' } : { ...base, type: 'string' };
    }
    // JSONSchemaPropsOrArray / OrBool / OrStringArray: untyped, as upstream.
    return base;
  }
  const node = decl.node;
  if (node.members.length === 0) {
    // JSON holds any value; the others are free-form objects.
    return EMPTY_OBJECT_TYPES.has(name) ? { ...base, type: 'object' } : base;
  }
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const member of node.members) {
    if (!ts.isPropertySignature(member) || !member.type) throw new Error(`unsupported member in ${name}`);
    const field = propName(member.name);
    const schema = await typeSchema(decl.file, member.type, { definition: name, field, shape: 'scalar' });
    properties[field] = withDescription(schema, docOf(member));
    if (!member.questionToken) required.push(field);
  }
  const extensions = modelExtensionMembers(name, decl.file);
  for (const member of extensions?.members ?? []) {
    const field = propName(member.name);
    if (properties[field] || !member.type) continue;
    const schema = await typeSchema(extensions!.file, member.type, { definition: name, field, shape: 'scalar' });
    properties[field] = withDescription(schema, docOf(member));
    supplemented++;
  }
  const out: Schema = { ...base, type: 'object', properties };
  if (required.length) out.required = required;
  return out;
}

function ensureIntOrString(): void {
  if (schemas.has(INT_OR_STRING)) return;
  schemas.set(INT_OR_STRING, {
    description: 'IntOrString holds either an int32 or a string. Serialized as a bare JSON number or string.',
    type: 'string',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  });
}

// ---------------------------------------------------------------- extensions

interface FieldPatchInfo { strategy?: string; mergeKey?: string; listType?: string; listMapKeys?: string[] }

function applyPatchStrategies(): number {
  const data = JSON.parse(readFileSync(PATCH_STRATEGIES, 'utf8')) as Record<string, Record<string, FieldPatchInfo>>;
  let applied = 0;
  for (const [definition, fields] of Object.entries(data)) {
    if (definition.startsWith('$')) continue;
    const props = schemas.get(definition)?.properties as Record<string, Schema> | undefined;
    if (!props) continue;
    for (const [field, info] of Object.entries(fields)) {
      const prop = props[field];
      if (!prop) continue;
      const isArray = prop.type === 'array';
      // Scalars never carry list semantics; only retainKeys applies to structs.
      if (!isArray && info.strategy !== 'retainKeys') continue;
      if (info.strategy) prop['x-kubernetes-patch-strategy'] = info.strategy;
      if (info.mergeKey) prop['x-kubernetes-patch-merge-key'] = info.mergeKey;
      if (isArray && info.listType) prop['x-kubernetes-list-type'] = info.listType;
      if (isArray && info.listMapKeys) prop['x-kubernetes-list-map-keys'] = info.listMapKeys;
      applied++;
    }
  }
  return applied;
}

function addGvk(definition: string, gvks: Gvk[]): void {
  const schema = schemas.get(definition);
  if (!schema) throw new Error('missing ' + definition);
  const list = (schema['x-kubernetes-group-version-kind'] as Gvk[] | undefined) ?? [];
  for (const g of gvks) if (!list.some((x) => x.group === g.group && x.version === g.version && x.kind === g.kind)) list.push(g);
  schema['x-kubernetes-group-version-kind'] = list.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const kinds: Array<Gvk & { definition: string; listDefinition?: string }> = [];
  const rootDecl = (module: string, name: string) => {
    const decl = parseModule(module).decls.get(name);
    if (!decl) throw new Error(`${module} has no ${name}`);
    return decl;
  };
  for (const [module, [group, names]] of Object.entries(SERVED)) {
    const version = module.split('/')[1];
    for (const kind of names) {
      const definition = enqueue(rootDecl(module, kind));
      const listDefinition = enqueue(rootDecl(module, kind + 'List'));
      kinds.push({ group, version, kind, definition, listDefinition });
    }
  }
  for (const [module, group, kind] of EXTRA_KINDS) {
    kinds.push({ group, version: module.split('/')[1], kind, definition: enqueue(rootDecl(module, kind)) });
  }
  for (const [module, name] of EXTRA_ROOTS) enqueue(rootDecl(module, name));

  while (pending.length) {
    const decl = pending.shift()!;
    const name = definitionName(decl);
    if (!schemas.has(name)) schemas.set(name, await buildDecl(decl));
  }

  for (const k of kinds) {
    addGvk(k.definition, [{ group: k.group, version: k.version, kind: k.kind }]);
    if (k.listDefinition) addGvk(k.listDefinition, [{ group: k.group, version: k.version, kind: k.kind + 'List' }]);
  }
  // Options and watch events are registered in every served group version, as upstream.
  const gvs = [...new Map(kinds.map((k) => [`${k.group}/${k.version}`, { group: k.group, version: k.version }])).values()];
  for (const kind of ['DeleteOptions', 'WatchEvent']) {
    addGvk(`io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`, gvs.map((gv) => ({ ...gv, kind })));
  }
  addGvk('io.k8s.apimachinery.pkg.apis.meta.v1.Status', [{ group: '', version: 'v1', kind: 'Status' }]);
  const patched = applyPatchStrategies();

  const sorted: Record<string, Schema> = {};
  for (const name of [...schemas.keys()].sort()) sorted[name] = schemas.get(name)!;
  const typesVersion = (JSON.parse(readFileSync(join(TYPES_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  const modelsVersion = (JSON.parse(readFileSync(join(MODELS_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  const doc = {
    $source: {
      generator: 'scripts/gen-openapi-schemas.ts',
      kubernetesTypes: typesVersion,
      kubernetesModels: modelsVersion,
      patchStrategies: 'src/registry/openapi/patch-strategies.json',
    },
    kinds: kinds.map((k) => ({ group: k.group, version: k.version, kind: k.kind, definition: k.definition, ...(k.listDefinition ? { listDefinition: k.listDefinition } : {}) })),
    schemas: sorted,
  };
  writeFileSync(OUT, JSON.stringify(doc) + '\n');
  console.log(`wrote ${schemas.size} definitions (${kinds.length} kinds, ${patched} patch annotations) to ${OUT}`);
  console.log(`probes: ${JSON.stringify(probeStats)}; x-kubernetes-* fields from kubernetes-models: ${supplemented}`);
}

await main();
