// What the generator scripts read out of a kubectl binary (amd64 ELF, Go >= 1.20): the Go type information of the
// k8s.io API structs, with their struct tags (json names, protobuf numbers, strategic-merge-patch strategies).
import { execFileSync } from 'node:child_process';

/** The kubectl binaries the scripts read by default, the first that exists. */
export const DEFAULT_KUBECTL_BINARIES = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32', '/usr/bin/kubectl'];

/** A protobuf varint at pos: its value and the position after it. */
export function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
    if (shift > 63n) throw new Error('varint too long');
  }
}

/** A struct field with a protobuf tag: its JSON name and options, whether it is a pointer, and its whole tag. */
export interface GoField { jsonName: string; omitempty: boolean; inline: boolean; pointer: boolean; tag: string }

const KIND_POINTER = 22;
const KIND_STRUCT = 25;

function elfSections(bin: Buffer): Array<{ name: string; addr: number; offset: number; size: number }> {
  if (bin.readUInt32BE(0) !== 0x7f454c46 || bin[4] !== 2) throw new Error('not a 64-bit ELF binary');
  const shoff = Number(bin.readBigUInt64LE(0x28));
  const shentsize = bin.readUInt16LE(0x3a);
  const shnum = bin.readUInt16LE(0x3c);
  const shstrndx = bin.readUInt16LE(0x3e);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    raw.push({
      nameOff: bin.readUInt32LE(o),
      addr: Number(bin.readBigUInt64LE(o + 0x10)),
      offset: Number(bin.readBigUInt64LE(o + 0x18)),
      size: Number(bin.readBigUInt64LE(o + 0x20)),
    });
  }
  const strtab = raw[shstrndx];
  return raw.map((s) => {
    const start = strtab.offset + s.nameOff;
    return { name: bin.toString('latin1', start, bin.indexOf(0, start)), addr: s.addr, offset: s.offset, size: s.size };
  });
}

/**
 * Go struct fields carrying protobuf tags, keyed by proto message full name
 * ("k8s.io.api.apps.v1.DeploymentSpec") and then by proto field number.
 */
/** The k8s.io structs in the binary's type information, by proto message name, their fields by proto number. */
export function goStructs(bin: Buffer): Map<string, Map<number, GoField>> {
  const sections = elfSections(bin);
  const rodata = sections.find((s) => s.name === '.rodata');
  if (!rodata) throw new Error('no .rodata section');
  const toOff = (addr: number): number => {
    for (const s of sections) if (s.addr && addr >= s.addr && addr < s.addr + s.size) return s.offset + (addr - s.addr);
    return -1;
  };
  const readNameAt = (off: number): { name: string; tag: string } | undefined => {
    if (off < 0 || off + 2 > bin.length) return undefined;
    const flags = bin[off];
    let [len, p] = readVarint(bin, off + 1);
    const name = bin.toString('utf8', p, p + Number(len));
    p += Number(len);
    let tag = '';
    if (flags & 2) {
      const [tl, q] = readVarint(bin, p);
      tag = bin.toString('utf8', q, q + Number(tl));
    }
    return { name, tag };
  };
  const types = rodata.addr; // runtime.types: the type section starts .rodata
  const out = new Map<string, Map<number, GoField>>();
  const end = rodata.offset + rodata.size - 80;
  for (let off = rodata.offset; off < end; off += 8) {
    if ((bin[off + 23] & 0x1f) !== KIND_STRUCT) continue;
    const fieldsPtr = Number(bin.readBigUInt64LE(off + 56));
    const len = Number(bin.readBigUInt64LE(off + 64));
    if (len === 0 || len > 300 || Number(bin.readBigUInt64LE(off + 72)) !== len) continue;
    const fieldsOff = toOff(fieldsPtr);
    if (fieldsOff < 0) continue;
    const tflag = bin[off + 20];
    // Named types keep their package path in the uncommonType that follows the
    // 80-byte structType (tflagUncommon); structType.pkgPath is usually nil.
    if ((tflag & 1) === 0) continue;
    let pkgPath: string | undefined;
    let typeName: string | undefined;
    try {
      pkgPath = readNameAt(toOff(types + bin.readInt32LE(off + 80)))?.name;
      const strOff = bin.readInt32LE(off + 40);
      typeName = readNameAt(toOff(types + strOff))?.name;
      if (typeName && tflag & 2) typeName = typeName.slice(1); // tflagExtraStar
    } catch {
      continue;
    }
    if (!pkgPath?.startsWith('k8s.io/') || !typeName) continue;
    const fields = new Map<number, GoField>();
    try {
      for (let i = 0; i < len; i++) {
        const fo = fieldsOff + i * 24;
        const n = readNameAt(toOff(Number(bin.readBigUInt64LE(fo))));
        const typOff = toOff(Number(bin.readBigUInt64LE(fo + 8)));
        if (!n || typOff < 0) continue;
        const proto = /protobuf:"[a-z0-9]+,(\d+),/.exec(n.tag);
        if (!proto) continue;
        const json = /json:"([^"]*)"/.exec(n.tag)?.[1] ?? n.name;
        const [jsonName, ...opts] = json.split(',');
        fields.set(Number(proto[1]), {
          jsonName: jsonName || n.name,
          omitempty: opts.includes('omitempty'),
          inline: opts.includes('inline'),
          pointer: (bin[typOff + 23] & 0x1f) === KIND_POINTER,
          tag: n.tag,
        });
      }
    } catch {
      continue;
    }
    if (fields.size === 0) continue;
    const message = `${pkgPath.replace(/\//g, '.')}.${typeName.slice(typeName.lastIndexOf('.') + 1)}`;
    out.set(message, fields);
  }
  return out;
}

/** What the binary says its version is. */
export function kubectlVersion(path: string): string {
  try {
    const v = JSON.parse(execFileSync(path, ['version', '--client', '-o', 'json'], { encoding: 'utf8' })) as { clientVersion?: { gitVersion?: string } };
    return v.clientVersion?.gitVersion ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
