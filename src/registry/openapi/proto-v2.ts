// A minimal protobuf encoder for a Swagger 2.0 JSON document as gnostic's
// openapi_v2.Document (github.com/google/gnostic-models, openapiv2/OpenAPIv2.proto),
// the body kubectl expects for Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf.
// Only the messages the apiserver's document uses are covered; vendor extensions are
// NamedAny entries whose Any carries the value as YAML, as gnostic stores them.
import { stringify as toYaml } from 'yaml';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------- wire format

class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private varint(n: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(n));
    const out: number[] = [];
    while (v > 0x7fn) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  string(field: number, value: unknown): this {
    if (typeof value !== 'string' || value === '') return this;
    return this.bytes(field, new TextEncoder().encode(value));
  }

  strings(field: number, values: unknown): this {
    if (Array.isArray(values)) for (const v of values) if (typeof v === 'string') this.bytes(field, new TextEncoder().encode(v));
    return this;
  }

  bool(field: number, value: unknown, always = false): this {
    if (typeof value !== 'boolean' || (!value && !always)) return this;
    this.tag(field, 0);
    this.varint(value ? 1 : 0);
    return this;
  }

  int64(field: number, value: unknown): this {
    if (typeof value !== 'number' || !Number.isFinite(value) || value === 0) return this;
    this.tag(field, 0);
    this.varint(BigInt(Math.trunc(value)));
    return this;
  }

  double(field: number, value: unknown): this {
    if (typeof value !== 'number' || value === 0) return this;
    this.tag(field, 1);
    const buf = new Uint8Array(8);
    new DataView(buf.buffer).setFloat64(0, value, true);
    this.push(buf);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  /** An embedded message; written even when empty (presence matters, e.g. for Properties). */
  message(field: number, encode: (w: Writer) => void): this {
    const inner = new Writer();
    encode(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------- messages

/** Any { yaml = 2 } */
function any(w: Writer, value: unknown): void {
  w.string(2, toYaml(value));
}

/** repeated NamedAny { name = 1; Any value = 2 } for every x- key. */
function vendorExtensions(w: Writer, field: number, obj: Json): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith('x-')) continue;
    w.message(field, (n) => n.string(1, k).message(2, (a) => any(a, v)));
  }
}

function schema(w: Writer, s: Json): void {
  w.string(1, s.$ref).string(2, s.format).string(3, s.title).string(4, s.description);
  if (s.default !== undefined) w.message(5, (a) => any(a, s.default));
  w.double(6, s.multipleOf).double(7, s.maximum).bool(8, s.exclusiveMaximum).double(9, s.minimum).bool(10, s.exclusiveMinimum);
  w.int64(11, s.maxLength).int64(12, s.minLength).string(13, s.pattern).int64(14, s.maxItems).int64(15, s.minItems);
  w.bool(16, s.uniqueItems).int64(17, s.maxProperties).int64(18, s.minProperties).strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) w.message(20, (a) => any(a, e));
  const ap = s.additionalProperties;
  if (isObject(ap)) w.message(21, (m) => m.message(1, (x) => schema(x, ap)));
  else if (typeof ap === 'boolean') w.message(21, (m) => m.bool(2, ap, true));
  if (typeof s.type === 'string') w.message(22, (t) => t.strings(1, [s.type]));
  else if (Array.isArray(s.type)) w.message(22, (t) => t.strings(1, s.type));
  const items = s.items;
  if (isObject(items)) w.message(23, (m) => m.message(1, (x) => schema(x, items)));
  else if (Array.isArray(items)) w.message(23, (m) => { for (const i of items) if (isObject(i)) m.message(1, (x) => schema(x, i)); });
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObject(a)) w.message(24, (x) => schema(x, a));
  if (isObject(s.properties)) {
    const props = s.properties;
    w.message(25, (p) => { for (const [k, v] of Object.entries(props)) if (isObject(v)) p.message(1, (n) => n.string(1, k).message(2, (x) => schema(x, v))); });
  }
  w.string(26, s.discriminator).bool(27, s.readOnly);
  if (s.example !== undefined) w.message(30, (a) => any(a, s.example));
  vendorExtensions(w, 31, s);
}

function parameter(w: Writer, p: Json): void {
  if (typeof p.$ref === 'string') {
    w.message(2, (r) => r.string(1, p.$ref));
    return;
  }
  w.message(1, (param) => {
    if (p.in === 'body') {
      param.message(1, (b) => {
        b.string(1, p.description).string(2, p.name).string(3, p.in).bool(4, p.required);
        if (isObject(p.schema)) b.message(5, (x) => schema(x, p.schema as Json));
        vendorExtensions(b, 6, p);
      });
      return;
    }
    // NonBodyParameter: query = 3, path = 4 (header = 1 and formData = 2 are unused here).
    const isQuery = p.in === 'query';
    param.message(2, (nb) => nb.message(isQuery ? 3 : p.in === 'path' ? 4 : 1, (x) => {
      x.bool(1, p.required).string(2, p.in).string(3, p.description).string(4, p.name);
      if (isQuery) {
        x.bool(5, p.allowEmptyValue).string(6, p.type).string(7, p.format).bool(20, p.uniqueItems);
        vendorExtensions(x, 23, p);
      } else {
        x.string(5, p.type).string(6, p.format).bool(19, p.uniqueItems);
        vendorExtensions(x, 22, p);
      }
    }));
  });
}

function operation(w: Writer, o: Json): void {
  w.strings(1, o.tags).string(2, o.summary).string(3, o.description).string(5, o.operationId);
  w.strings(6, o.produces).strings(7, o.consumes);
  if (Array.isArray(o.parameters)) for (const p of o.parameters) if (isObject(p)) w.message(8, (x) => parameter(x, p));
  if (isObject(o.responses)) {
    const responses = o.responses;
    w.message(9, (rs) => {
      for (const [code, r] of Object.entries(responses)) {
        if (!isObject(r)) continue;
        rs.message(1, (named) => named.string(1, code).message(2, (value) => value.message(1, (resp) => {
          resp.string(1, r.description);
          if (isObject(r.schema)) resp.message(2, (item) => item.message(1, (x) => schema(x, r.schema as Json)));
          vendorExtensions(resp, 5, r);
        })));
      }
    });
  }
  w.strings(10, o.schemes).bool(11, o.deprecated);
  vendorExtensions(w, 13, o);
}

const METHODS: Array<[string, number]> = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

function pathItem(w: Writer, item: Json): void {
  w.string(1, item.$ref);
  for (const [method, field] of METHODS) {
    const op = item[method];
    if (isObject(op)) w.message(field, (x) => operation(x, op));
  }
  if (Array.isArray(item.parameters)) for (const p of item.parameters) if (isObject(p)) w.message(9, (x) => parameter(x, p));
  vendorExtensions(w, 10, item);
}

/** Encodes a Swagger 2.0 document (as JSON-shaped data) as openapi_v2.Document. */
export function encodeOpenAPIV2(doc: Json): Uint8Array {
  const w = new Writer();
  w.string(1, doc.swagger);
  if (isObject(doc.info)) {
    const info = doc.info;
    w.message(2, (i) => { i.string(1, info.title).string(2, info.version).string(3, info.description); vendorExtensions(i, 7, info); });
  }
  w.string(3, doc.host).string(4, doc.basePath).strings(5, doc.schemes).strings(6, doc.consumes).strings(7, doc.produces);
  if (isObject(doc.paths)) {
    const paths = doc.paths;
    w.message(8, (ps) => {
      vendorExtensions(ps, 1, paths);
      for (const [path, item] of Object.entries(paths)) {
        if (!path.startsWith('x-') && isObject(item)) ps.message(2, (n) => n.string(1, path).message(2, (x) => pathItem(x, item)));
      }
    });
  }
  if (isObject(doc.definitions)) {
    const defs = doc.definitions;
    w.message(9, (d) => { for (const [name, s] of Object.entries(defs)) if (isObject(s)) d.message(1, (n) => n.string(1, name).message(2, (x) => schema(x, s))); });
  }
  if (Array.isArray(doc.security)) {
    for (const req of doc.security) {
      if (!isObject(req)) continue;
      w.message(12, (r) => { for (const [name, scopes] of Object.entries(req)) r.message(1, (n) => n.string(1, name).message(2, (a) => a.strings(1, scopes))); });
    }
  }
  if (isObject(doc.securityDefinitions)) {
    const defs = doc.securityDefinitions;
    w.message(13, (sd) => {
      for (const [name, def] of Object.entries(defs)) {
        if (!isObject(def) || def.type !== 'apiKey') continue;
        sd.message(1, (n) => n.string(1, name).message(2, (item) => item.message(2, (k) => {
          k.string(1, def.type).string(2, def.name).string(3, def.in).string(4, def.description);
          vendorExtensions(k, 5, def);
        })));
      }
    });
  }
  vendorExtensions(w, 16, doc);
  return w.finish();
}
