// Parses a request path into what it addresses, as the apiserver's RequestInfoFactory does.

export interface ResourceRequest {
  group: string;
  version: string;
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseResourcePath(method: string, pathname: string, query: URLSearchParams): ResourceRequest | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const [plural, name, subresource] = rest as [string, string?, string?];
  if (plural === 'namespaces' && name !== undefined) namespace = undefined;
  const watchParam = query.get('watch');
  const watching = legacyWatch || watchParam === 'true' || watchParam === '1';
  let verb: ResourceRequest['verb'];
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = watching ? 'watch' : name === undefined ? 'list' : 'get';
      break;
    case 'POST': verb = 'create'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = name === undefined ? 'deletecollection' : 'delete'; break;
    default: return undefined;
  }
  return { group, version, namespace, plural, name, subresource, verb };
}
