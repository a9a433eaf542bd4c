// Reading a Config Sync repo (from disk, or a commit's files in memory) as upstream's reader does (pkg/importer/reader):
// .yaml, .yml and .json files, multi-document YAML, List kinds flattened, objects marked
// `config.kubernetes.io/local-config` dropped.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { ANNOTATION, type FileObject, type KObject, TOP_LEVEL_DIRS, topLevelDirectory } from './objects.ts';

export type SourceFormat = 'hierarchy' | 'unstructured';

/** A file that could not be turned into objects. */
interface ReadProblem {
  path: string;
  message: string;
}

export interface RepoFiles {
  objects: FileObject[];
  problems: ReadProblem[];
}

/** The repo root itself is missing or unreadable. */
export class RepoPathError extends Error {
  override name = 'RepoPathError';
}

/** Directories CI systems keep next to configs; upstream never reads them. */
const IGNORED_PATH_ELEMENTS = new Set(['.git', '.github', '.gitlab', '.gitlab-ci.yml']);
const CONFIG_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** A repo: a directory on disk, or the files of a commit in memory (by slash path relative to the repo's root). */
export type RepoSource = string | ReadonlyMap<string, string>;

/** Every object of the repo, in file-path order; hierarchy repos only read the four top-level directories. */
export function readRepo(source: RepoSource, format: SourceFormat): RepoFiles {
  const paths = (typeof source === 'string' ? filesOnDisk(source) : [...source.keys()].filter(isConfigFile).sort(byPathElements))
    .filter((p) => format === 'unstructured' || TOP_LEVEL_DIRS.includes(topLevelDirectory(p)));
  const read = (path: string) => (typeof source === 'string' ? readFileSync(join(source, path), 'utf8') : source.get(path)!);
  const objects: FileObject[] = [];
  const problems: ReadProblem[] = [];
  for (const path of paths) {
    try {
      for (const object of parseFile(read(path), extname(path))) {
        objects.push(...flatten(object).map((o) => ({ object: o, path })));
      }
    } catch (e) {
      problems.push({ path, message: (e as Error).message });
    }
  }
  const identified: FileObject[] = [];
  for (const fo of objects) {
    const problem = identityProblem(fo.object);
    if (problem) problems.push({ path: fo.path, message: problem });
    else identified.push(withMetadataMaps(fo));
  }
  return { objects: identified, problems };
}

/** The config files of the repo directory root, as slash paths relative to it. */
function filesOnDisk(root: string): string[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch (e) {
    throw new RepoPathError(`cannot read ${root}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}; give the repo directory with --path`);
  }
  if (!isDirectory) throw new RepoPathError(`${root} is not a directory; give the repo directory with --path`);
  return configFiles(root, '');
}

/** Slash paths, relative to root, of the config files under dir, sorted as byPathElements sorts them. */
function configFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (IGNORED_PATH_ELEMENTS.has(entry.name)) continue;
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...configFiles(root, path));
    else if (isConfigFile(path)) out.push(path);
  }
  return out;
}

/** A .yaml, .yml or .json file outside the directories upstream ignores. */
function isConfigFile(path: string): boolean {
  return CONFIG_EXTENSIONS.has(extname(path)) && !path.split('/').some((element) => IGNORED_PATH_ELEMENTS.has(element));
}

/** A directory walk's order: path element by path element. */
function byPathElements(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

/** The objects of one file; local-config objects dropped. */
function parseFile(text: string, extension: string): KObject[] {
  const objects = extension === '.json' ? parseJson(text) : parseYaml(text);
  return objects.filter((o) => {
    const localConfig = o.metadata?.annotations?.[ANNOTATION.localConfig];
    return localConfig === undefined || localConfig === 'false';
  });
}

/** js-yaml with the YAML 1.2 core schema (as the yaml package's default; no timestamps or merge keys): ten times faster
 *  than the yaml package on the thousands of documents of a big repo. Duplicate keys are an error. */
function parseYaml(text: string): KObject[] {
  const objects: KObject[] = [];
  for (const value of loadAll(text, undefined, { schema: CORE_SCHEMA })) {
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('a YAML document must be an object with apiVersion, kind and metadata');
    if (!expandsWithin(value, MAX_EXPANSION * text.length + 10_000)) throw new Error('YAML aliases expand the document too much');
    objects.push(value as KObject);
  }
  return objects;
}

/** How much larger than its text a document may grow through aliases (a "billion laughs" is refused). */
const MAX_EXPANSION = 4;

/** Whether a parsed document, every alias expanded, holds at most budget values. */
function expandsWithin(value: unknown, budget: number): boolean {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const next = stack.pop();
    if (++count > budget) return false;
    if (next !== null && typeof next === 'object') for (const child of Object.values(next)) stack.push(child);
  }
  return true;
}

function parseJson(text: string): KObject[] {
  if (!text.trim()) return [];
  const value = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('a JSON file must hold one object with apiVersion, kind and metadata');
  return [value];
}

/** A List's items (recursively), or the object itself. */
function flatten(object: KObject): KObject[] {
  if (!Array.isArray(object.items)) return [object];
  return object.items.flatMap((item: unknown) => (item && typeof item === 'object' && !Array.isArray(item) ? flatten(item as KObject) : []));
}

/** What keeps an object from being identified: no apiVersion or kind, no metadata, labels or annotations that are not strings. */
function identityProblem(object: KObject): string | undefined {
  const missing = ['apiVersion', 'kind'].filter((f) => typeof object[f] !== 'string' || object[f] === '');
  if (missing.length) return missing.map((f) => `missing field "${f}"`).join('\n');
  if (typeof object.metadata !== 'object' || object.metadata === null || Array.isArray(object.metadata)) return 'resource does not define metadata';
  for (const field of ['labels', 'annotations']) {
    const map = object.metadata[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map)) return `metadata.${field} must be a map of strings`;
    const notStrings = Object.keys(map).filter((k) => typeof map[k] !== 'string');
    if (notStrings.length) return `metadata.${field} values must be strings; quote the values of ${notStrings.join(', ')}`;
  }
  return undefined;
}

function withMetadataMaps(fo: FileObject): FileObject {
  const metadata = fo.object.metadata;
  metadata.labels ??= {};
  metadata.annotations ??= {};
  return fo;
}
