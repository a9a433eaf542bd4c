// Domain errors and their one mapping to metav1.Status.
import {
  CompactedError, ConflictError, FutureRevisionError, KeyExistsError, KeyNotFoundError, StoreUnavailableError,
} from '../storage/store.ts';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error the API reports to its client as a metav1.Status. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }
}

/** A resource as errors name it: `deployments.apps`, or `namespaces` for the core group. */
export interface ResourceRef {
  group: string;
  plural: string;
}

function qualified(resource: ResourceRef): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

function detailsOf(resource: ResourceRef, name: string): StatusDetails {
  return { name, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural };
}

export function notFound(resource: ResourceRef, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(resource)} "${name}" not found`, detailsOf(resource, name));
}

export function alreadyExists(resource: ResourceRef, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(resource)} "${name}" already exists`, detailsOf(resource, name));
}

export function conflict(resource: ResourceRef, name: string, why: string): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource)} "${name}": ${why}`,
    detailsOf(resource, name));
}

export const MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden'
    | 'FieldValueDuplicate' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueTypeInvalid';
  field: string;
  /** The text after `field: `, e.g. `Invalid value: "x": must be ...` or `Required value`. */
  detail: string;
}

export function invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
  const texts = errors.map((e) => `${e.field}: ${e.detail}`);
  const summary = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, {
    name, ...(group ? { group } : {}), kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
  });
}

/** A path no resource or endpoint is served at. */
export function notFoundPath(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function forbidden(resource: ResourceRef, name: string, why: string): ApiError {
  const who = name ? `${qualified(resource)} "${name}"` : qualified(resource);
  return new ApiError(403, 'Forbidden', `${who} is forbidden: ${why}`, detailsOf(resource, name));
}

/**
 * A request the authorizer (or an RBAC escalation check) refused, as apierrors.NewForbidden words it: about a
 * resource (and one object of it, when named), or about nothing in particular for a non-resource URL.
 */
export function forbiddenRequest(resource: ResourceRef | undefined, name: string, why: string): ApiError {
  if (!resource || (!resource.group && !resource.plural)) return new ApiError(403, 'Forbidden', `forbidden: ${why}`, {});
  const who = name ? `${qualified(resource)} ${JSON.stringify(name)}` : qualified(resource);
  return new ApiError(403, 'Forbidden', `${who} is forbidden: ${why}`, {
    ...(name ? { name } : {}), ...(resource.group ? { group: resource.group } : {}), kind: resource.plural,
  });
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export function unsupportedMediaType(contentType: string, accepted: string[]): ApiError {
  return new ApiError(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { causes: [{ reason: 'UnexpectedHeader', message: `unsupported media type ${JSON.stringify(contentType)}` }] });
}

export function notAcceptable(accepted: string[]): ApiError {
  return new ApiError(406, 'NotAcceptable',
    `only the following media types are accepted: ${accepted.join(', ')}`);
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`,
    { causes: [{ reason: '', message }] });
}

/** Maps any error to the ApiError a client sees. Storage errors that escape the registry become 5xx/410. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof CompactedError) {
    return gone(`too old resource version: ${error.requested} (${error.compacted})`);
  }
  if (error instanceof FutureRevisionError) {
    return new ApiError(504, 'Timeout',
      `Too large resource version: ${error.requested}, current: ${error.current}`,
      { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
  }
  if (error instanceof StoreUnavailableError) return serviceUnavailable(`storage is unavailable: ${error.message}`);
  if (error instanceof KeyExistsError || error instanceof KeyNotFoundError || error instanceof ConflictError) {
    return internalError(error.message);
  }
  return internalError(error instanceof Error ? error.message : String(error));
}

export function toStatus(error: ApiError): Status {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: error.message, reason: error.reason,
    ...(error.details ? { details: error.details } : {}),
    code: error.code,
  };
}
