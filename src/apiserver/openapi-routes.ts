// /openapi/v2 (JSON or gnostic protobuf) and /openapi/v3 (index and one document per group-version).
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  openAPIV2Document, openAPIV2Protobuf, openAPIV3Document, openAPIV3Index, type OpenAPIBinaryDocument, type OpenAPIDocument,
} from '../registry/openapi/documents.ts';
import type { Registry } from '../registry/registry.ts';

// kubectl asks with the '@' spelling; upstream answers with the '.' spelling, which Go's mime parser accepts.
const V2_PROTOBUF_REQUESTED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function send(req: IncomingMessage, res: ServerResponse, doc: OpenAPIDocument | OpenAPIBinaryDocument, contentType: string,
  immutable: boolean): void {
  const etag = `"${doc.hash}"`;
  const headers: Record<string, string> = {
    'Content-Type': contentType, ETag: etag,
    'Cache-Control': immutable ? 'public, immutable' : 'no-cache, private',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': String(Buffer.byteLength(doc.body)) });
  res.end(doc.body);
}

/** Serves an OpenAPI path; false when there is nothing at it. */
export function serveOpenApi(registry: Registry, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): boolean {
  const resources = registry.all();
  if (path === '/openapi/v2') {
    const accept = req.headers.accept ?? '';
    if (accept.includes(V2_PROTOBUF_REQUESTED) || accept.includes(V2_PROTOBUF)) {
      send(req, res, openAPIV2Protobuf(resources), V2_PROTOBUF, false);
    } else {
      send(req, res, openAPIV2Document(resources), 'application/json', false);
    }
    return true;
  }
  if (path === '/openapi/v3') {
    send(req, res, openAPIV3Index(resources), 'application/json', false);
    return true;
  }
  if (path.startsWith('/openapi/v3/')) {
    const doc = openAPIV3Document(resources, path.slice('/openapi/v3/'.length));
    if (!doc) return false;
    const hash = query.get('hash');
    send(req, res, doc, 'application/json', hash === doc.hash);
    return true;
  }
  return false;
}
