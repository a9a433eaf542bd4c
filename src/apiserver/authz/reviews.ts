// The reviews: create-only kinds answered from the request's user and the authorizer, never stored.
// authorization.k8s.io/v1 SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview and
// SelfSubjectRulesReview (kubectl auth can-i), authentication.k8s.io/v1 SelfSubjectReview (kubectl auth whoami).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KObject } from '../../registry/objects.ts';
import { fieldInvalid } from '../../registry/validation.ts';
import { decodeObject, mediaType, readBody } from '../body.ts';
import { badRequest, invalid, methodNotAllowed, notFoundPath, type FieldError } from '../errors.ts';
import type { ResourceRequest } from '../request-info.ts';
import { sendJson } from '../respond.ts';
import type { Attributes } from './attributes.ts';
import type { Authorizer } from './authorizer.ts';
import { fromPolicyRule } from './rules.ts';
import type { UserInfo } from './user.ts';
import { rfc3339 } from '../../gofmt.ts';

const AUTHORIZATION_GROUP = 'authorization.k8s.io';
const AUTHENTICATION_GROUP = 'authentication.k8s.io';
/** The groups whose resources serveReview answers. */
export const REVIEW_GROUPS = new Set([AUTHORIZATION_GROUP, AUTHENTICATION_GROUP]);
const VERSION = 'v1';

const KINDS: Record<string, { kind: string; namespaced: boolean }> = {
  [`${AUTHORIZATION_GROUP}/selfsubjectaccessreviews`]: { kind: 'SelfSubjectAccessReview', namespaced: false },
  [`${AUTHORIZATION_GROUP}/subjectaccessreviews`]: { kind: 'SubjectAccessReview', namespaced: false },
  [`${AUTHORIZATION_GROUP}/localsubjectaccessreviews`]: { kind: 'LocalSubjectAccessReview', namespaced: true },
  [`${AUTHORIZATION_GROUP}/selfsubjectrulesreviews`]: { kind: 'SelfSubjectRulesReview', namespaced: false },
  [`${AUTHENTICATION_GROUP}/selfsubjectreviews`]: { kind: 'SelfSubjectReview', namespaced: false },
};

export async function serveReview(authorizer: Authorizer, user: UserInfo, req: IncomingMessage, res: ServerResponse,
  request: ResourceRequest): Promise<void> {
  const served = Object.hasOwn(KINDS, `${request.group}/${request.plural}`) ? KINDS[`${request.group}/${request.plural}`] : undefined;
  if (request.version !== VERSION || !served || served.namespaced !== (request.namespace !== undefined)) throw notFoundPath();
  if (request.verb !== 'create' || request.name !== undefined) throw methodNotAllowed();
  const review = decodeObject(await readBody(req), mediaType(req)) as KObject;
  if (review === null || typeof review !== 'object' || Array.isArray(review)) throw badRequest('the request body must be a JSON object');
  if (review.kind !== undefined && review.kind !== served.kind) {
    throw badRequest(`the kind of the object (${review.kind}) does not match the kind on the URL (${served.kind})`);
  }
  const answer = answerReview(authorizer, user, served.kind, request.namespace, review);
  sendJson(res, 201, { kind: served.kind, apiVersion: `${request.group}/${VERSION}`, ...answer });
}

function answerReview(authorizer: Authorizer, user: UserInfo, kind: string, namespace: string | undefined, review: KObject): KObject {
  const metadata: KObject = review.metadata ?? {};
  const spec: KObject = review.spec ?? {};
  if (kind === 'SelfSubjectReview') {
    return { metadata: { creationTimestamp: rfc3339(Date.now()) }, status: { userInfo: userInfoOf(user) } };
  }
  if (kind === 'SelfSubjectRulesReview') {
    if (!spec.namespace) throw badRequest('no namespace on request');
    return { metadata: { creationTimestamp: null }, spec: {}, status: rulesReviewStatus(authorizer, user, spec.namespace) };
  }
  const errors = validateSpec(kind, spec);
  if (kind === 'LocalSubjectAccessReview') {
    if (Object.keys(metadata).some((k) => k !== 'namespace' && !(k === 'creationTimestamp' && metadata[k] === null))) {
      errors.push(fieldInvalid('metadata', metadata, 'must be empty except for namespace'));
    }
  } else if (!isEmptyMetadata(metadata)) {
    errors.push(fieldInvalid('metadata', metadata, 'must be empty'));
  }
  if (errors.length) throw invalid(kind, AUTHORIZATION_GROUP, '', errors);
  if (kind === 'LocalSubjectAccessReview') {
    metadata.namespace ??= namespace;
    spec.resourceAttributes.namespace ??= namespace;
    if (metadata.namespace !== namespace || spec.resourceAttributes.namespace !== namespace) {
      throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
    }
  }
  const subject: UserInfo = kind === 'SelfSubjectAccessReview' ? user : {
    name: String(spec.user ?? ''), groups: strings(spec.groups), ...(spec.uid ? { uid: String(spec.uid) } : {}),
    ...(spec.extra && typeof spec.extra === 'object' ? { extra: spec.extra } : {}),
  };
  const decision = authorizer.authorize(attributesFrom(subject, spec));
  return { metadata, spec, status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) } };
}

function validateSpec(kind: string, spec: KObject): FieldError[] {
  const errors: FieldError[] = [];
  const resource = spec.resourceAttributes ?? null;
  const nonResource = spec.nonResourceAttributes ?? null;
  if (resource && nonResource) {
    errors.push(fieldInvalid('spec.nonResourceAttributes', nonResource, 'cannot be specified in combination with resourceAttributes'));
  }
  if (!resource && !nonResource) {
    errors.push(fieldInvalid('spec.resourceAttributes', nonResource, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  if (kind !== 'SelfSubjectAccessReview' && !spec.user && strings(spec.groups).length === 0) {
    errors.push(fieldInvalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  }
  if (kind === 'LocalSubjectAccessReview' && nonResource) {
    errors.push(fieldInvalid('spec.nonResourceAttributes', nonResource, 'disallowed on this kind of request'));
  }
  return errors;
}

function attributesFrom(user: UserInfo, spec: KObject): Attributes {
  const r = spec.resourceAttributes;
  if (!r) {
    const n = spec.nonResourceAttributes;
    return {
      user, verb: String(n.verb ?? ''), resourceRequest: false, path: String(n.path ?? ''),
      namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '',
    };
  }
  return {
    user, verb: String(r.verb ?? ''), resourceRequest: true, path: '', namespace: String(r.namespace ?? ''),
    apiGroup: String(r.group ?? ''), apiVersion: String(r.version || '*'), resource: String(r.resource ?? ''),
    subresource: String(r.subresource ?? ''), name: String(r.name ?? ''),
  };
}

function rulesReviewStatus(authorizer: Authorizer, user: UserInfo, namespace: string): KObject {
  const { rules, evaluationError } = authorizer.rulesFor(user, namespace);
  const resourceRules = rules.filter((r) => r.resources.length > 0)
    .map((r) => ({ verbs: r.verbs, ...fromPolicyRule({ ...r, verbs: [], nonResourceURLs: [] }) }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs.length > 0)
    .map((r) => ({ verbs: r.verbs, ...fromPolicyRule({ ...r, verbs: [], apiGroups: [], resources: [], resourceNames: [] }) }));
  return { resourceRules, nonResourceRules, incomplete: false, ...(evaluationError ? { evaluationError } : {}) };
}

function userInfoOf(user: UserInfo): KObject {
  return {
    username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups,
    ...(user.extra && Object.keys(user.extra).length ? { extra: user.extra } : {}),
  };
}

/** Empty as metav1.ObjectMeta{} is: kubectl sends `creationTimestamp: null`. */
function isEmptyMetadata(metadata: KObject): boolean {
  return Object.entries(metadata).every(([key, value]) => key === 'creationTimestamp' && value === null);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
