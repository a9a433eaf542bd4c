// Decodes Kubernetes protobuf request bodies (Content-Type: application/vnd.kubernetes.protobuf),
// as kubectl's typed clients send them, into the JSON object the Go apiserver would see.
//
// Wire format: the 4-byte magic "k8s\0", then a runtime.Unknown message
// { typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4 };
// raw is the object's message (e.g. k8s.io.api.core.v1.Namespace) in proto2 wire format.
//
// The message schemas come from schemas.json (generated from the kubectl binary by
// scripts/extract-proto-schemas.ts). gogo-protobuf writes every non-pointer field even
// when it holds its zero value; Go's JSON encoder then omits those with omitempty. The
// schema records, from the Go struct tags, whether a field is a pointer (a present zero
// value is meaningful and kept) and whether it has omitempty; for fields without that
// metadata the OpenAPI `required` list of the containing definition decides.
import { readFileSync } from 'node:fs';
import { builtinSchema } from '../../registry/openapi/schemas.ts';

export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

export interface DecodedProtobuf {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/** The 4-byte prefix of every Kubernetes protobuf body. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const MAX_NESTING_DEPTH = 100;

// ---- schemas ----------------------------------------------------------------

/** [number, jsonName, type, label (0 singular, 1 repeated, 2 map), typeName, flags?] */
type FieldTuple = [number, string, number, number, string | null, number?];

interface Field {
  number: number;
  name: string;
  type: number;
  label: number;
  typeName: string | null;
  flags: number | undefined;
}

interface Message {
  name: string;
  fields: Field[];
  byNumber: Map<number, Field>;
  required: Set<string> | undefined;
}

const FLAG_POINTER = 1;
const FLAG_NO_OMITEMPTY = 2;
const FLAG_INLINE = 4;

// FieldDescriptorProto.Type
const T_DOUBLE = 1, T_FLOAT = 2, T_INT64 = 3, T_UINT64 = 4, T_INT32 = 5, T_FIXED64 = 6, T_FIXED32 = 7, T_BOOL = 8,
  T_STRING = 9, T_GROUP = 10, T_MESSAGE = 11, T_BYTES = 12, T_UINT32 = 13, T_ENUM = 14, T_SFIXED32 = 15,
  T_SFIXED64 = 16, T_SINT32 = 17, T_SINT64 = 18;

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const DURATION = `${META}.Duration`;
const FIELDS_V1 = `${META}.FieldsV1`;
const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
const QUANTITY_VALUE = 'k8s.io.apimachinery.pkg.api.resource.QuantityValue';
const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const RAW_EXTENSION = 'k8s.io.apimachinery.pkg.runtime.RawExtension';

let raw: Record<string, FieldTuple[]> | undefined;
const messages = new Map<string, Message>();

function schemas(): Record<string, FieldTuple[]> {
  raw ??= JSON.parse(readFileSync(new URL('./schemas.json', import.meta.url), 'utf8')) as Record<string, FieldTuple[]>;
  return raw;
}

function message(name: string): Message | undefined {
  let m = messages.get(name);
  if (m) return m;
  const tuples = Object.hasOwn(schemas(), name) && name !== '$source' ? schemas()[name] : undefined;
  if (!tuples) return undefined;
  const fields = tuples.map(([number, fieldName, type, label, typeName, flags]) => ({ number, name: fieldName, type, label, typeName, flags }));
  // Only consulted for fields without Go struct metadata.
  const definition = name.startsWith('k8s.io.') ? `io.k8s.${name.slice('k8s.io.'.length)}` : name;
  const required = fields.some((f) => f.flags === undefined) ? new Set(builtinSchema(definition)?.required ?? []) : undefined;
  m = { name, fields, byNumber: new Map(fields.map((f) => [f.number, f])), required };
  messages.set(name, m);
  return m;
}

/** Whether a message exists in the embedded schemas (e.g. 'k8s.io.api.core.v1.Namespace'). */
export function hasProtobufMessage(name: string): boolean {
  return message(name) !== undefined;
}

// ---- apiVersion/kind → message ------------------------------------------------

const GROUP_PACKAGES: Record<string, string> = {
  '': 'core',
  apps: 'apps',
  batch: 'batch',
  policy: 'policy',
  autoscaling: 'autoscaling',
  'rbac.authorization.k8s.io': 'rbac',
  'networking.k8s.io': 'networking',
  'coordination.k8s.io': 'coordination',
  'authentication.k8s.io': 'authentication',
  'authorization.k8s.io': 'authorization',
  'events.k8s.io': 'events',
  'discovery.k8s.io': 'discovery',
  'scheduling.k8s.io': 'scheduling',
  'storage.k8s.io': 'storage',
  'certificates.k8s.io': 'certificates',
};

/** Kinds of meta.k8s.io/v1 that every group version also registers. */
const META_KINDS = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions', 'Status', 'WatchEvent']);

/** The protobuf message name for an apiVersion and kind, or undefined. */
export function protobufMessageFor(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!/^[a-z0-9]+$/.test(version) || !/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  let name: string | undefined;
  if (group === 'meta.k8s.io' || META_KINDS.has(kind)) name = `${META}.${kind}`;
  else if (Object.hasOwn(GROUP_PACKAGES, group)) name = `k8s.io.api.${GROUP_PACKAGES[group]}.${version}.${kind}`;
  return name && message(name) ? name : undefined;
}

// ---- wire reading -------------------------------------------------------------

class Reader {
  pos: number;
  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (this.pos >= this.end) throw new ProtobufDecodeError('truncated varint');
      if (shift > 63n) throw new ProtobufDecodeError('varint longer than 10 bytes');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
  }

  fixed(size: 4 | 8): Buffer {
    if (this.pos + size > this.end) throw new ProtobufDecodeError(`truncated ${size * 8}-bit value`);
    const out = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }

  lengthDelimited(): Buffer {
    const len = this.varint();
    if (len > BigInt(this.end - this.pos)) throw new ProtobufDecodeError(`length ${len} past the end of the message`);
    const out = this.buf.subarray(this.pos, this.pos + Number(len));
    this.pos += Number(len);
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.fixed(8);
    else if (wire === 2) this.lengthDelimited();
    else if (wire === 5) this.fixed(4);
    else throw new ProtobufDecodeError(`unsupported wire type ${wire}`);
  }
}

/** Calls fn for every (field number, wire type) in a message; fn must consume the value. */
function eachField(buf: Buffer, fn: (number: number, wire: number, r: Reader) => void): void {
  const r = new Reader(buf);
  while (!r.done) {
    const key = r.varint();
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (number <= 0 || number > 0x1fffffff) throw new ProtobufDecodeError(`invalid field number ${key >> 3n}`);
    if (wire === 3 || wire === 4 || wire > 5) throw new ProtobufDecodeError(`unsupported wire type ${wire} for field ${number}`);
    fn(number, wire, r);
  }
}

function wireTypeOf(type: number): number {
  switch (type) {
    case T_DOUBLE: case T_FIXED64: case T_SFIXED64: return 1;
    case T_FLOAT: case T_FIXED32: case T_SFIXED32: return 5;
    case T_STRING: case T_BYTES: case T_MESSAGE: return 2;
    case T_GROUP: return 3;
    default: return 0;
  }
}

function scalarFromVarint(type: number, v: bigint): unknown {
  switch (type) {
    case T_BOOL: return v !== 0n;
    case T_INT32: case T_ENUM: return Number(BigInt.asIntN(32, v));
    case T_UINT32: return Number(BigInt.asUintN(32, v));
    case T_INT64: return Number(BigInt.asIntN(64, v));
    case T_UINT64: return Number(v);
    case T_SINT32: case T_SINT64: return Number((v >> 1n) ^ -(v & 1n));
    default: throw new ProtobufDecodeError(`type ${type} is not a varint`);
  }
}

function scalarFromFixed(type: number, b: Buffer): unknown {
  switch (type) {
    case T_DOUBLE: return b.readDoubleLE(0);
    case T_FLOAT: return b.readFloatLE(0);
    case T_FIXED64: return Number(b.readBigUInt64LE(0));
    case T_SFIXED64: return Number(b.readBigInt64LE(0));
    case T_FIXED32: return b.readUInt32LE(0);
    case T_SFIXED32: return b.readInt32LE(0);
    default: throw new ProtobufDecodeError(`type ${type} is not fixed-size`);
  }
}

/** Reads one (non-packed) value of a field. */
function readValue(field: Field, wire: number, r: Reader, depth: number): unknown {
  const expected = wireTypeOf(field.type);
  if (wire !== expected) {
    throw new ProtobufDecodeError(`field ${field.name} (${field.number}): wire type ${wire}, expected ${expected}`);
  }
  switch (wire) {
    case 0: return scalarFromVarint(field.type, r.varint());
    case 1: return scalarFromFixed(field.type, r.fixed(8));
    case 5: return scalarFromFixed(field.type, r.fixed(4));
    default: {
      const b = r.lengthDelimited();
      if (field.type === T_STRING) return b.toString('utf8');
      if (field.type === T_BYTES) return b.toString('base64');
      return decodeMessage(field.typeName ?? '', b, depth + 1);
    }
  }
}

/** Reads a packed run of scalars. */
function readPacked(field: Field, r: Reader): unknown[] {
  const b = r.lengthDelimited();
  const inner = new Reader(b);
  const wire = wireTypeOf(field.type);
  const out: unknown[] = [];
  while (!inner.done) {
    if (wire === 0) out.push(scalarFromVarint(field.type, inner.varint()));
    else if (wire === 1) out.push(scalarFromFixed(field.type, inner.fixed(8)));
    else if (wire === 5) out.push(scalarFromFixed(field.type, inner.fixed(4)));
    else throw new ProtobufDecodeError(`field ${field.name} (${field.number}) cannot be packed`);
  }
  return out;
}

// ---- special messages ---------------------------------------------------------

function readInts(buf: Buffer, wanted: Record<number, 'int' | 'string' | 'bytes'>): Record<number, number | string | Buffer> {
  const out: Record<number, number | string | Buffer> = {};
  eachField(buf, (n, wire, r) => {
    const kind = wanted[n];
    if (!kind) return r.skip(wire);
    if (kind === 'int') {
      if (wire !== 0) throw new ProtobufDecodeError(`field ${n}: wire type ${wire}, expected 0`);
      out[n] = Number(BigInt.asIntN(64, r.varint()));
    } else {
      if (wire !== 2) throw new ProtobufDecodeError(`field ${n}: wire type ${wire}, expected 2`);
      const b = r.lengthDelimited();
      out[n] = kind === 'string' ? b.toString('utf8') : b;
    }
  });
  return out;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const ms = seconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new ProtobufDecodeError(`time out of range: ${seconds}s`);
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new ProtobufDecodeError(`time year ${year} outside [0,9999]`);
  const base = `${pad(year, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (!micro) return `${base}Z`;
  const micros = Math.floor(Math.max(0, Math.min(nanos, 999_999_999)) / 1000);
  return `${base}.${pad(micros, 6)}Z`;
}

/** Go's time.Duration.String(). */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  const frac = (v: bigint, digits: number): string => {
    // v has `digits` fractional digits; trailing zeros trimmed, '.' dropped when none.
    const s = v.toString().padStart(digits + 1, '0');
    const int = s.slice(0, s.length - digits);
    const f = s.slice(s.length - digits).replace(/0+$/, '');
    return f ? `${int}.${f}` : int;
  };
  if (u < 1_000_000_000n) {
    if (u < 1000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${frac(u, 3)}µs`;
    else out = `${frac(u, 6)}ms`;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    const s = `${frac(u, 9)}s`;
    out = h > 0n ? `${h}h${m}m${s}` : m > 0n ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function parseEmbeddedJson(b: Buffer, what: string, depth: number): unknown {
  if (b.length === 0) return null;
  if (b.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    const inner = decodeEnvelope(b, depth + 1);
    return inner.object;
  }
  try {
    return JSON.parse(b.toString('utf8'));
  } catch (e) {
    throw new ProtobufDecodeError(`${what}: embedded JSON is invalid: ${(e as Error).message}`);
  }
}

/** A message whose Go type is a list (e.g. authentication ExtraValue, meta Verbs): { repeated items = 1 }. */
function isListWrapper(m: Message): boolean {
  return m.fields.length === 1 && m.fields[0].number === 1 && m.fields[0].name === 'items' && m.fields[0].label === 1 && m.fields[0].flags === undefined;
}

/** Decodes special apimachinery messages; returns `undefined` as "not special", `OMIT` for "drop the field". */
const OMIT = Symbol('omit');

function decodeSpecial(name: string, buf: Buffer, depth: number): unknown {
  switch (name) {
    case TIME:
    case MICRO_TIME: {
      // Go writes a zero Time as an empty message and reads one back as the zero time,
      // which JSON prints as null; such fields are left out.
      if (buf.length === 0) return OMIT;
      const v = readInts(buf, { 1: 'int', 2: 'int' });
      const seconds = (v[1] as number | undefined) ?? 0;
      const nanos = (v[2] as number | undefined) ?? 0;
      if (seconds === -62135596800 && nanos === 0) return OMIT; // 0001-01-01T00:00:00Z
      return formatTime(seconds, nanos, name === MICRO_TIME);
    }
    case DURATION: {
      let ns = 0n;
      eachField(buf, (n, wire, r) => {
        if (n === 1 && wire === 0) ns = BigInt.asIntN(64, r.varint());
        else if (n === 1) throw new ProtobufDecodeError(`Duration: wire type ${wire}, expected 0`);
        else r.skip(wire);
      });
      return formatGoDuration(ns);
    }
    case QUANTITY:
    case QUANTITY_VALUE: {
      const v = readInts(buf, { 1: 'string' });
      return (v[1] as string | undefined) || '0';
    }
    case INT_OR_STRING: {
      const v = readInts(buf, { 1: 'int', 2: 'int', 3: 'string' });
      return v[1] === 1 ? ((v[3] as string | undefined) ?? '') : Number(BigInt.asIntN(32, BigInt((v[2] as number | undefined) ?? 0)));
    }
    case RAW_EXTENSION:
    case FIELDS_V1: {
      const v = readInts(buf, { 1: 'bytes' });
      return parseEmbeddedJson((v[1] as Buffer | undefined) ?? Buffer.alloc(0), name === FIELDS_V1 ? 'FieldsV1' : 'RawExtension', depth);
    }
    default:
      return undefined;
  }
}

// ---- messages -----------------------------------------------------------------

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function zeroOf(field: Field, depth: number): unknown {
  switch (field.type) {
    case T_STRING: case T_BYTES: return '';
    case T_BOOL: return false;
    case T_MESSAGE: {
      const v = decodeMessage(field.typeName ?? '', Buffer.alloc(0), depth + 1);
      return v === OMIT ? null : v;
    }
    default: return 0;
  }
}

function decodeMapEntry(field: Field, buf: Buffer, depth: number): [string, unknown] {
  const entry = message(field.typeName ?? '');
  if (!entry) throw new ProtobufDecodeError(`no schema for map entry ${field.typeName}`);
  const keyField = entry.byNumber.get(1);
  const valueField = entry.byNumber.get(2);
  if (!keyField || !valueField) throw new ProtobufDecodeError(`malformed map entry schema ${entry.name}`);
  let key: unknown;
  let value: unknown;
  let hasValue = false;
  eachField(buf, (n, wire, r) => {
    if (n === 1) key = readValue(keyField, wire, r, depth);
    else if (n === 2) {
      value = readValue(valueField, wire, r, depth);
      hasValue = true;
    } else r.skip(wire);
  });
  if (!hasValue) value = zeroOf(valueField, depth);
  if (value === OMIT) value = null;
  return [key === undefined ? '' : String(key), value];
}

function decodeMessage(name: string, buf: Buffer, depth: number): unknown {
  if (depth > MAX_NESTING_DEPTH) throw new ProtobufDecodeError(`message nesting deeper than ${MAX_NESTING_DEPTH}`);
  const special = decodeSpecial(name, buf, depth);
  if (special !== undefined) return special;
  const m = message(name);
  if (!m) throw new ProtobufDecodeError(`no schema for message ${name || '(unnamed)'}`);

  if (isListWrapper(m)) {
    const items: unknown[] = [];
    const f = m.fields[0];
    eachField(buf, (n, wire, r) => {
      if (n !== 1) return r.skip(wire);
      if (wire === 2 && wireTypeOf(f.type) !== 2) items.push(...readPacked(f, r));
      else items.push(readValue(f, wire, r, depth));
    });
    return items;
  }

  const singular = new Map<Field, unknown>();
  const repeated = new Map<Field, unknown[]>();
  const maps = new Map<Field, Record<string, unknown>>();
  eachField(buf, (n, wire, r) => {
    const field = m.byNumber.get(n);
    if (!field) return r.skip(wire); // unknown fields are dropped, as Go does
    if (field.label === 2) {
      if (wire !== 2) throw new ProtobufDecodeError(`map field ${field.name} (${n}): wire type ${wire}, expected 2`);
      const [k, v] = decodeMapEntry(field, r.lengthDelimited(), depth + 1);
      let obj = maps.get(field);
      if (!obj) maps.set(field, (obj = {}));
      Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
    } else if (field.label === 1) {
      let list = repeated.get(field);
      if (!list) repeated.set(field, (list = []));
      if (wire === 2 && wireTypeOf(field.type) !== 2) list.push(...readPacked(field, r));
      else {
        const v = readValue(field, wire, r, depth);
        list.push(v === OMIT ? null : v);
      }
    } else {
      singular.set(field, readValue(field, wire, r, depth));
    }
  });

  const out: Record<string, unknown> = {};
  const set = (k: string, v: unknown): void => {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  for (const field of m.fields) {
    if (field.label === 2) {
      const obj = maps.get(field);
      if (obj) set(field.name, obj);
      continue;
    }
    if (field.label === 1) {
      const list = repeated.get(field);
      if (list?.length) set(field.name, list);
      continue;
    }
    if (!singular.has(field)) continue;
    const v = singular.get(field);
    if (v === OMIT) continue;
    if (field.flags !== undefined && field.flags & FLAG_INLINE) {
      if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, iv] of Object.entries(v)) set(k, iv);
      continue;
    }
    if (field.type !== T_MESSAGE && isZero(v) && !keepZero(m, field)) continue;
    set(field.name, v);
  }
  return out;
}

/** Whether Go's JSON encoding would print this field's zero value. */
function keepZero(m: Message, field: Field): boolean {
  if (field.flags !== undefined) return (field.flags & (FLAG_POINTER | FLAG_NO_OMITEMPTY)) !== 0;
  return m.required?.has(field.name) ?? false;
}

// ---- envelope -----------------------------------------------------------------

function decodeEnvelope(body: Buffer, depth: number): DecodedProtobuf {
  if (depth > MAX_NESTING_DEPTH) throw new ProtobufDecodeError(`message nesting deeper than ${MAX_NESTING_DEPTH}`);
  if (body.length < 4 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw new ProtobufDecodeError('body does not start with the Kubernetes protobuf magic "k8s\\x00"');
  }
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  let contentEncoding = '';
  let contentType = '';
  eachField(body.subarray(4), (n, wire, r) => {
    if (wire !== 2) return r.skip(wire);
    const b = r.lengthDelimited();
    if (n === 1) {
      eachField(b, (tn, tw, tr) => {
        if (tw !== 2) return tr.skip(tw);
        const s = tr.lengthDelimited().toString('utf8');
        if (tn === 1) apiVersion = s;
        else if (tn === 2) kind = s;
      });
    } else if (n === 2) raw = b;
    else if (n === 3) contentEncoding = b.toString('utf8');
    else if (n === 4) contentType = b.toString('utf8');
  });
  if (contentEncoding) throw new ProtobufDecodeError(`unsupported content encoding ${JSON.stringify(contentEncoding)}`);
  if (contentType && !contentType.startsWith('application/vnd.kubernetes.protobuf')) {
    throw new ProtobufDecodeError(`unsupported embedded content type ${JSON.stringify(contentType)}`);
  }
  if (!apiVersion || !kind) throw new ProtobufDecodeError('protobuf envelope is missing apiVersion or kind');
  const name = protobufMessageFor(apiVersion, kind);
  if (!name) throw new ProtobufDecodeError(`no protobuf schema for ${apiVersion}, Kind=${kind}`);
  const decoded = decodeMessage(name, raw ?? Buffer.alloc(0), depth + 1);
  if (!decoded || typeof decoded !== 'object' || Array.isArray(decoded)) {
    throw new ProtobufDecodeError(`${apiVersion}, Kind=${kind} does not decode to an object`);
  }
  const object: Record<string, unknown> = { apiVersion, kind, ...(decoded as Record<string, unknown>) };
  return { apiVersion, kind, object };
}

/**
 * Decodes a Kubernetes protobuf body ("k8s\0" + runtime.Unknown) into the JSON object
 * the Go apiserver would have decoded, with apiVersion and kind from the envelope.
 * Throws ProtobufDecodeError on malformed input or an unknown apiVersion/kind.
 */
export function decodeKubernetesProtobuf(body: Buffer): DecodedProtobuf {
  try {
    return decodeEnvelope(body, 0);
  } catch (e) {
    if (e instanceof ProtobufDecodeError) throw e;
    if (e instanceof RangeError) throw new ProtobufDecodeError(`malformed protobuf: ${e.message}`);
    throw e;
  }
}

/** Decodes one message body (without envelope) by its full name; for tests and embedded objects. */
export function decodeProtobufMessage(name: string, buf: Buffer): Record<string, unknown> {
  const v = decodeMessage(name, buf, 0);
  if (v === OMIT || !v || typeof v !== 'object' || Array.isArray(v)) throw new ProtobufDecodeError(`${name} does not decode to an object`);
  return v as Record<string, unknown>;
}
