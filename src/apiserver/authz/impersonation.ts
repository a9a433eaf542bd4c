// Impersonation (Impersonate-User, -Group, -Uid and -Extra-* headers), as upstream's WithImpersonation filter:
// the authenticated user must be allowed to `impersonate` each thing asked for; the request then acts as
// the user so described.
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors.ts';
import { forbiddenError, type Attributes } from './attributes.ts';
import type { Authorizer } from './authorizer.ts';
import { goQuote } from '../../gofmt.ts';
import {
  ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS, serviceAccountGroups, serviceAccountUsername,
  splitServiceAccountUsername, type UserInfo,
} from './user.ts';

const USER = 'impersonate-user';
const GROUP = 'impersonate-group';
const UID = 'impersonate-uid';
const EXTRA_PREFIX = 'impersonate-extra-';
const AUTHENTICATION_GROUP = 'authentication.k8s.io';

/** One thing to impersonate, as upstream's ObjectReference of it. */
interface Request {
  kind: 'ServiceAccount' | 'User' | 'Group' | 'UserExtra' | 'UID';
  namespace: string;
  name: string;
  apiVersion: string;
  /** The extra's key. */
  fieldPath: string;
}

export function wantsImpersonation(req: IncomingMessage): boolean {
  return Object.keys(req.headers).some((h) => h === USER || h === GROUP || h === UID || h.startsWith(EXTRA_PREFIX));
}

/** The user the request acts as; throws Forbidden when requestor may not impersonate what it asks for. */
export function impersonate(authorizer: Authorizer, requestor: UserInfo, req: IncomingMessage): UserInfo {
  const requests = impersonationRequests(req);
  const groupsSpecified = requests.some((r) => r.kind === 'Group');
  let name = '';
  let uid: string | undefined;
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of requests) {
    const attributes: Attributes = {
      user: requestor, verb: 'impersonate', resourceRequest: true, path: '',
      apiGroup: r.apiVersion ? AUTHENTICATION_GROUP : '', apiVersion: '', namespace: r.namespace, name: r.name,
      resource: '', subresource: '',
    };
    switch (r.kind) {
      case 'ServiceAccount':
        attributes.resource = 'serviceaccounts';
        name = serviceAccountUsername(r.namespace, r.name);
        if (!groupsSpecified) groups = serviceAccountGroups(r.namespace);
        break;
      case 'User':
        attributes.resource = 'users';
        name = r.name;
        break;
      case 'Group':
        attributes.resource = 'groups';
        groups.push(r.name);
        break;
      case 'UserExtra':
        attributes.resource = 'userextras';
        attributes.subresource = r.fieldPath;
        (extra[r.fieldPath] ??= []).push(r.name);
        break;
      case 'UID':
        attributes.resource = 'uids';
        uid = r.name;
        break;
    }
    const decision = authorizer.authorize(attributes);
    if (!decision.allowed) throw forbiddenError(attributes, decision.reason);
  }
  if (name !== ANONYMOUS) {
    if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED)) groups.push(ALL_AUTHENTICATED);
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_UNAUTHENTICATED);
  }
  return { name, groups, ...(uid !== undefined ? { uid } : {}), ...(Object.keys(extra).length ? { extra } : {}) };
}

function impersonationRequests(req: IncomingMessage): Request[] {
  const headers = req.headersDistinct;
  const requests: Request[] = [];
  const reference = (kind: Request['kind'], name: string, more: Partial<Request> = {}): Request =>
    ({ kind, name, namespace: '', apiVersion: '', fieldPath: '', ...more });
  const user = headers[USER]?.[0] ?? '';
  if (user) {
    const account = splitServiceAccountUsername(user);
    requests.push(account ? reference('ServiceAccount', account.name, { namespace: account.namespace }) : reference('User', user));
  }
  for (const group of headers[GROUP] ?? []) requests.push(reference('Group', group));
  for (const [header, values] of Object.entries(headers)) {
    if (!header.startsWith(EXTRA_PREFIX)) continue;
    const key = unescapeExtraKey(header.slice(EXTRA_PREFIX.length));
    for (const value of values ?? []) {
      requests.push(reference('UserExtra', value, { apiVersion: `${AUTHENTICATION_GROUP}/v1`, fieldPath: key }));
    }
  }
  const uid = headers[UID]?.[0] ?? '';
  if (uid) requests.push(reference('UID', uid, { apiVersion: `${AUTHENTICATION_GROUP}/v1` }));
  if (!user && requests.length) {
    const listed = requests.map((r) => `{${r.kind} ${r.namespace} ${r.name}  ${r.apiVersion}  ${r.fieldPath}}`).join(' ');
    throw new ApiError(500, 'InternalError',
      `Internal Server Error: ${goQuote(req.url ?? '')}: requested [${listed}] without impersonating a user`);
  }
  return requests;
}

/** Extra keys are percent-encoded in header names; a malformed one is kept as it is. */
function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}
