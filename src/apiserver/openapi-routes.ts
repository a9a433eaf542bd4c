// /openapi/v2 and /openapi/v3 (wired to the OpenAPI documents once they exist).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../registry/registry.ts';

export function serveOpenApi(_registry: Registry, _req: IncomingMessage, _res: ServerResponse, _path: string, _query: URLSearchParams): boolean {
  return false;
}
