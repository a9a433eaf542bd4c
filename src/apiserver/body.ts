// Reading and decoding request bodies: size limit, JSON/YAML, nesting depth.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeKubernetesProtobuf, ProtobufDecodeError } from './protobuf/decode.ts';
import { ApiError, badRequest, tooLarge, unsupportedMediaType } from './errors.ts';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** Upstream's limit for a request body (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
const MAX_DEPTH = 1000;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

/** Decodes a JSON or YAML object body. */
export function decodeObject(body: Buffer, contentType: string): unknown {
  let value: unknown;
  if (contentType === 'application/json' || contentType === '*/*' || contentType === '') {
    value = parseJson(body);
  } else if (contentType === 'application/yaml' || contentType === 'application/x-yaml' || contentType === 'text/yaml') {
    value = parseYamlDocument(body);
  } else if (contentType === PROTOBUF) {
    try {
      value = decodeKubernetesProtobuf(body).object;
    } catch (e) {
      if (e instanceof ProtobufDecodeError) throw badRequest(`the body of the request could not be decoded as protobuf: ${e.message}`);
      throw e;
    }
  } else {
    throw unsupportedMediaType(contentType, ['application/json', 'application/yaml', PROTOBUF]);
  }
  checkDepth(value);
  return value;
}

export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    const value = JSON.parse(text);
    checkDepth(value);
    return value;
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw badRequest(`couldn't get version/kind; json parse error: ${e.message}`);
    }
    throw e;
  }
}

/** Rejects YAML whose flow collections nest too deep before the (recursive) parser sees it. */
function checkYamlFlowDepth(text: string): void {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > MAX_DEPTH) throw badRequest(`the object exceeds the maximum nesting depth of ${MAX_DEPTH}`);
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
}

export function parseYamlDocument(body: Buffer): unknown {
  checkYamlFlowDepth(body.toString('utf8'));
  try {
    const value = parseYaml(body.toString('utf8'), { maxAliasCount: 100, uniqueKeys: true });
    checkDepth(value);
    return value;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw badRequest(`error converting YAML to JSON: ${String((e as Error).message).split('\n')[0]}`);
  }
}

function checkDepth(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) throw badRequest(`the object exceeds the maximum nesting depth of ${MAX_DEPTH}`);
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}
