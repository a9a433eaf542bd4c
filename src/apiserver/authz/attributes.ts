// What a request asks to do, as authorizers see it (upstream's authorizer.Attributes), and the Forbidden
// error a refusal becomes (apiserver's responsewriters.Forbidden).
import { type ApiError, forbiddenRequest } from '../errors.ts';
import type { ResourceRequest } from '../request-info.ts';
import { parseFieldSelector, requiresExactMatch, SelectorError } from '../selectors.ts';
import { pathSegmentName } from '../../registry/validation.ts';
import { goQuote } from '../../gofmt.ts';
import type { UserInfo } from './user.ts';

export interface Attributes {
  user: UserInfo;
  verb: string;
  /** False for a non-resource URL, which `path` names. */
  resourceRequest: boolean;
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

export function resourceAttributes(user: UserInfo, request: ResourceRequest, query: URLSearchParams): Attributes {
  const listing = request.verb === 'list' || request.verb === 'watch';
  const name = request.name ?? (listing ? nameFromFieldSelector(query.get('fieldSelector')) : '');
  // A namespace is addressed in itself: a RoleBinding in namespace N may grant `get namespaces` on N.
  const namespace = request.plural === 'namespaces' && request.name !== undefined ? request.name : request.namespace ?? '';
  return {
    user, verb: request.verb, resourceRequest: true, path: '', namespace,
    apiGroup: request.group, apiVersion: request.version, resource: request.plural,
    subresource: request.subresource ?? '', name,
  };
}

export function nonResourceAttributes(user: UserInfo, method: string, path: string): Attributes {
  return {
    user, verb: method.toLowerCase(), resourceRequest: false, path,
    namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '',
  };
}

/** A list or watch pinned to one object by `fieldSelector=metadata.name=X` is about that object, as upstream has it. */
function nameFromFieldSelector(text: string | null): string {
  if (!text) return '';
  try {
    const name = requiresExactMatch(parseFieldSelector(text), 'metadata.name');
    return name !== undefined && pathSegmentName(name).length === 0 ? name : '';
  } catch (e) {
    if (e instanceof SelectorError) return '';
    throw e;
  }
}

/** The 403 for a refused request; reason is the authorizer's (may be empty). */
export function forbiddenError(attributes: Attributes, reason: string): ApiError {
  const message = forbiddenMessage(attributes).replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!);
  const why = reason ? `${message}: ${reason}` : message;
  const resource = attributes.resourceRequest ? { group: attributes.apiGroup, plural: attributes.resource } : undefined;
  return forbiddenRequest(resource, attributes.name, why);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function forbiddenMessage(a: Attributes): string {
  const user = `User ${goQuote(a.user.name)}`;
  if (!a.resourceRequest) return `${user} cannot ${a.verb} path ${goQuote(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = `${user} cannot ${a.verb} resource ${goQuote(resource)} in API group ${goQuote(a.apiGroup)}`;
  return a.namespace ? `${what} in the namespace ${goQuote(a.namespace)}` : `${what} at the cluster scope`;
}
