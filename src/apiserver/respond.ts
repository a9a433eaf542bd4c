// Writing responses: JSON bodies, Status errors, warnings.
import type { ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import { type ApiError, toStatus } from './errors.ts';

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendYaml(res: ServerResponse, code: number, body: unknown): void {
  const text = toYaml(body);
  res.writeHead(code, { 'Content-Type': 'application/yaml', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.code, toStatus(error));
}

/** Adds `Warning: 299 - "<text>"` headers, as the apiserver does for warnings. */
export function addWarnings(res: ServerResponse, warnings: string[]): void {
  if (!warnings.length) return;
  res.setHeader('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
}
