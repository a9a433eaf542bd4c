// Extracts the Kubernetes protobuf message schemas Canopy needs from a kubectl
// binary and writes them as a compact JSON file committed to the repository.
//
//   node --import tsx scripts/extract-proto-schemas.ts [path/to/kubectl]
//
// Two sources inside the (Go, statically linked) binary are read:
//
//  1. The gzipped FileDescriptorProto of every generated.proto that gogo-protobuf
//     registered (k8s.io/api/*, k8s.io/apimachinery/*): message and field names,
//     numbers, types, labels and map entries.
//  2. The Go runtime type information of the corresponding structs (kept by the
//     linker because the types are reached through reflection): for each field
//     carrying a `protobuf:"..."` tag, its JSON name, whether it has omitempty,
//     whether it is inlined (`json:",inline"`) and whether the Go field is a pointer.
//     gogo writes every non-pointer field, even when zero, and pointer fields only
//     when set; this tells the decoder which zero values Go's JSON encoder would print.
//
// Output (src/apiserver/protobuf/schemas.json):
//   { "$source": {...},
//     "<package>.<Message>": [[number, jsonName, type, label, typeName|null, flags?], ...] }
//   type   FieldDescriptorProto.Type (9 string, 11 message, 12 bytes, 5 int32, ...)
//   label  0 singular, 1 repeated, 2 map (typeName names the map entry message: key=1, value=2)
//   flags  bit 1: Go pointer field (a present zero value is kept)
//          bit 2: no omitempty in the JSON tag (a zero value is kept)
//          bit 4: inlined (`json:",inline"`): the message's fields merge into the parent
//          bit 8: Go metadata known for this field (without it the decoder falls back
//                 to the OpenAPI `required` list)
// The server never reads the kubectl binary; only the generated JSON.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { DEFAULT_KUBECTL_BINARIES, goStructs, kubectlVersion, readVarint } from './kubectl-binary.ts';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '../src/apiserver/protobuf/schemas.json');

const WANTED_PACKAGES = new Set([
  ...['core', 'apps', 'batch', 'rbac', 'networking', 'coordination', 'policy', 'autoscaling', 'authentication', 'authorization', 'events', 'discovery', 'scheduling', 'certificates', 'storage']
    .map((g) => `k8s.io.api.${g}.v1`),
  'k8s.io.api.autoscaling.v2',
  'k8s.io.apimachinery.pkg.apis.meta.v1',
  'k8s.io.apimachinery.pkg.api.resource',
  'k8s.io.apimachinery.pkg.util.intstr',
  'k8s.io.apimachinery.pkg.runtime',
  'k8s.io.apimachinery.pkg.runtime.schema',
]);

// ---- minimal protobuf reader ------------------------------------------------

type Value = bigint | Buffer;


/** The fields of one message, in wire order. */
function readMessage(buf: Buffer): Array<[number, Value]> {
  const out: Array<[number, Value]> = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, p] = readVarint(buf, pos);
    pos = p;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, q] = readVarint(buf, pos);
      out.push([field, v]);
      pos = q;
    } else if (wire === 2) {
      const [len, q] = readVarint(buf, pos);
      const end = q + Number(len);
      if (end > buf.length) throw new Error('length past end');
      out.push([field, buf.subarray(q, end)]);
      pos = end;
    } else if (wire === 1) {
      out.push([field, buf.subarray(pos, pos + 8)]);
      pos += 8;
    } else if (wire === 5) {
      out.push([field, buf.subarray(pos, pos + 4)]);
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const str = (v: Value): string => (v as Buffer).toString('utf8');

interface FieldDesc { name: string; number: number; label: number; type: number; typeName?: string; jsonName?: string }
interface MessageDesc { fullName: string; fields: FieldDesc[]; mapEntry: boolean }

function collectMessages(pkgPrefix: string, buf: Buffer, out: MessageDesc[]): void {
  let name = '';
  const fields: FieldDesc[] = [];
  const nested: Buffer[] = [];
  let mapEntry = false;
  for (const [f, v] of readMessage(buf)) {
    if (f === 1) name = str(v);
    else if (f === 2) {
      const fd: FieldDesc = { name: '', number: 0, label: 1, type: 0 };
      for (const [g, w] of readMessage(v as Buffer)) {
        if (g === 1) fd.name = str(w);
        else if (g === 3) fd.number = Number(w);
        else if (g === 4) fd.label = Number(w);
        else if (g === 5) fd.type = Number(w);
        else if (g === 6) fd.typeName = str(w).replace(/^\./, '');
        else if (g === 10) fd.jsonName = str(w);
      }
      fields.push(fd);
    } else if (f === 3) nested.push(v as Buffer);
    else if (f === 7) for (const [g, w] of readMessage(v as Buffer)) if (g === 7 && w === 1n) mapEntry = true;
  }
  const fullName = `${pkgPrefix}.${name}`;
  out.push({ fullName, fields, mapEntry });
  for (const n of nested) collectMessages(fullName, n, out);
}

/** Every gzipped FileDescriptorProto for a generated.proto embedded in the binary. */
function descriptors(bin: Buffer): Map<string, { pkg: string; messages: MessageDesc[] }> {
  const magic = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]);
  const files = new Map<string, { pkg: string; messages: MessageDesc[] }>();
  for (let i = bin.indexOf(magic); i >= 0; i = bin.indexOf(magic, i + 1)) {
    let raw: Buffer;
    try {
      // The deflate stream after the 10-byte header (these have no optional fields): gunzip would run on into the
      // next descriptor when two sit back to back (certificates/v1 and v1beta1 do) and return them joined.
      raw = inflateRawSync(bin.subarray(i + 10, i + (4 << 20)), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
    } catch {
      continue;
    }
    let name = '';
    let pkg = '';
    const messageBufs: Buffer[] = [];
    try {
      for (const [f, v] of readMessage(raw)) {
        if (f === 1 && Buffer.isBuffer(v)) name = str(v);
        else if (f === 2 && Buffer.isBuffer(v)) pkg = str(v);
        else if (f === 4 && Buffer.isBuffer(v)) messageBufs.push(v);
      }
    } catch {
      continue;
    }
    if (!name.endsWith('generated.proto') || !WANTED_PACKAGES.has(pkg) || files.has(name)) continue;
    const messages: MessageDesc[] = [];
    for (const m of messageBufs) collectMessages(pkg, m, messages);
    files.set(name, { pkg, messages });
  }
  return files;
}


function main(): void {
  const source = process.argv[2] ?? DEFAULT_KUBECTL_BINARIES.find((p) => existsSync(p));
  if (!source) throw new Error('kubectl binary not found; pass its path');
  const bin = readFileSync(source);
  const files = descriptors(bin);
  const go = goStructs(bin);
  const messages = [...files.values()].flatMap((f) => f.messages).sort((a, b) => (a.fullName < b.fullName ? -1 : 1));
  const mapEntries = new Set(messages.filter((m) => m.mapEntry).map((m) => m.fullName));
  const result: Record<string, unknown> = {
    $source: {
      generator: 'scripts/extract-proto-schemas.ts',
      kubectl: kubectlVersion(source),
      binary: source,
      from: 'gzipped FileDescriptorProto of k8s.io generated.proto files and Go struct tags embedded in kubectl',
      protoFiles: [...files.keys()].sort().join(' '),
    },
  };
  let withGo = 0;
  for (const m of messages) {
    const goFields = m.mapEntry ? undefined : go.get(m.fullName);
    if (goFields) withGo++;
    result[m.fullName] = m.fields.map((f) => {
      const label = f.typeName && mapEntries.has(f.typeName) ? 2 : f.label === 3 ? 1 : 0;
      const g = goFields?.get(f.number);
      const tuple: Array<string | number | null> = [f.number, g?.jsonName ?? f.jsonName ?? f.name, f.type, label, f.typeName ?? null];
      if (g) tuple.push(8 | (g.pointer ? 1 : 0) | (g.omitempty ? 0 : 2) | (g.inline ? 4 : 0));
      return tuple;
    });
  }
  // One message per line keeps diffs readable.
  const body = Object.entries(result).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n');
  writeFileSync(OUT, `{\n${body}\n}\n`);
  console.log(`wrote ${OUT}: ${files.size} proto files, ${messages.length} messages (${withGo} with Go struct metadata)`);
}

main();
