// certificates.k8s.io/v1 CertificateSigningRequest, as upstream serves it: the requester's identity is recorded on
// create, the spec never changes after, approval goes through the approval subresource, the certificate through
// status.
import forge from 'node-forge';
import type { FieldError } from '../apiserver/errors.ts';
import { baseStrategy, type Strategy } from '../registry/strategy.ts';
import type { KObject } from '../registry/objects.ts';
import { fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired } from '../registry/validation.ts';
import { rfc3339 } from '../gofmt.ts';

/** The signer whose certificates the API server accepts as client credentials. */
export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

const KEY_USAGES = ['signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement',
  'data encipherment', 'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth',
  'code signing', 'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping',
  'ocsp signing', 'microsoft sgc', 'netscape sgc'];
const EXCLUSIVE_CONDITIONS = ['Approved', 'Denied', 'Failed'];
const MIN_EXPIRATION_SECONDS = 600;

export interface CertificateRequest {
  commonName: string;
  organizations: string[];
  publicKeyPem: string;
}

/** The subject and key of spec.request (base64 of a PEM CERTIFICATE REQUEST, RSA keys), checking its signature. */
export function parseCertificateRequest(request: unknown): CertificateRequest {
  if (typeof request !== 'string' || !request) throw new Error('Required value');
  const pem = Buffer.from(request, 'base64').toString('utf8');
  if (!/-----BEGIN CERTIFICATE REQUEST-----/.test(pem)) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(pem);
  } catch (e) {
    throw new Error(`cannot parse the certificate request: ${(e as Error).message} (only RSA keys are supported)`);
  }
  if (!csr.verify()) throw new Error('the certificate request is not signed by its key');
  const values = (name: string) => csr.subject.attributes.filter((a) => a.name === name).map((a) => String(a.value));
  return {
    commonName: values('commonName')[0] ?? '',
    organizations: values('organizationName'),
    publicKeyPem: forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey),
  };
}

/** The condition of the given type whose status is True, if any. */
export function hasCondition(csr: KObject, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c: KObject) => c?.type === type && c.status === 'True');
}

function validateSpec(spec: KObject | undefined): FieldError[] {
  const errors: FieldError[] = [];
  try {
    parseCertificateRequest(spec?.request);
  } catch (e) {
    const message = (e as Error).message;
    errors.push(message === 'Required value' ? fieldRequired('spec.request') : fieldInvalid('spec.request', '<request>', message));
  }
  const signer = spec?.signerName;
  if (!signer) errors.push(fieldRequired('spec.signerName'));
  else if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[-a-zA-Z0-9_.~/]+$/.test(signer) || !signer.split('/')[0].includes('.')) {
    errors.push(fieldInvalid('spec.signerName', signer, "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
  }
  const usages: unknown[] = Array.isArray(spec?.usages) ? spec.usages : [];
  if (!usages.length) errors.push(fieldRequired('spec.usages'));
  usages.forEach((usage, i) => {
    if (!KEY_USAGES.includes(usage as string)) errors.push(fieldNotSupported(`spec.usages[${i}]`, usage, KEY_USAGES));
    else if (usages.indexOf(usage) !== i) errors.push(fieldDuplicate(`spec.usages[${i}]`, usage));
  });
  const expiration = spec?.expirationSeconds;
  if (expiration !== undefined && expiration < MIN_EXPIRATION_SECONDS) {
    errors.push(fieldInvalid('spec.expirationSeconds', expiration, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  return errors;
}

function validateStatus(status: KObject | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const conditions: KObject[] = Array.isArray(status?.conditions) ? status.conditions : [];
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    const field = `status.conditions[${i}]`;
    if (!c?.type) errors.push(fieldRequired(`${field}.type`));
    else if (seen.has(c.type)) errors.push(fieldDuplicate(`${field}.type`, c.type));
    else seen.add(c.type);
    if (EXCLUSIVE_CONDITIONS.includes(c?.type) && c.status !== 'True') errors.push(fieldNotSupported(`${field}.status`, c.status ?? '', ['True']));
    else if (!['True', 'False', 'Unknown'].includes(c?.status)) errors.push(fieldNotSupported(`${field}.status`, c?.status ?? '', ['False', 'True', 'Unknown']));
  });
  if (seen.has('Approved') && seen.has('Denied')) {
    errors.push(fieldInvalid('status.conditions', conditions.map((c) => c.type), 'Approved and Denied conditions are mutually exclusive'));
  }
  if (status?.certificate && !seen.has('Approved')) {
    errors.push(fieldInvalid('status.certificate', '<certificate data>', 'certificate can only be set if an Approved condition is present'));
  }
  return errors;
}

export const certificateSigningRequestStrategy: Strategy = {
  ...baseStrategy,
  prepareForCreate(obj, _res, ctx) {
    const user = ctx.user;
    obj.spec = { ...obj.spec, username: user?.name, uid: user?.uid, groups: user?.groups, extra: user?.extra };
    for (const key of ['username', 'uid', 'groups', 'extra']) if (obj.spec[key] === undefined) delete obj.spec[key];
    obj.status = {};
  },
  prepareForUpdate(obj, old) {
    obj.spec = old.spec;
    obj.status = old.status;
  },
  prepareForStatusUpdate(obj, old) {
    const now = rfc3339(Date.now());
    for (const condition of obj.status?.conditions ?? []) {
      if (!condition || typeof condition !== 'object') continue;
      condition.lastUpdateTime ||= now;
      const before = (old.status?.conditions ?? []).find((c: KObject) => c?.type === condition.type);
      condition.lastTransitionTime ||= before?.status === condition.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    }
  },
  validate: (obj) => [...validateSpec(obj.spec), ...validateStatus(obj.status)],
  validateUpdate(obj, old) {
    const errors: FieldError[] = [];
    for (const type of ['Approved', 'Denied']) {
      if (hasCondition(old, type) && !hasCondition(obj, type)) errors.push(fieldForbidden('status.conditions', `updates may not remove a condition of type "${type}"`));
    }
    if (old.status?.certificate && obj.status?.certificate !== old.status.certificate) {
      errors.push(fieldForbidden('status.certificate', 'updates may not modify existing certificate content'));
    }
    return errors;
  },
};
