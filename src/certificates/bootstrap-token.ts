// Bootstrap tokens as upstream's bootstrap-token authenticator reads them: Secrets kube-system/bootstrap-token-<id> of
// type bootstrap.kubernetes.io/token; the bearer token "<id>.<secret>" authenticates as system:bootstrap:<id> in the
// group system:bootstrappers plus the Secret's auth-extra-groups, until its expiration.
import { randomInt, timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../apiserver/authz/user.ts';
import type { KObject, ObjectService } from '../registry/objects.ts';
import { rfc3339 } from '../gofmt.ts';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export const bootstrapTokenSecretName = (id: string) => `bootstrap-token-${id}`;

export interface BootstrapToken {
  id: string;
  secret: string;
}

export function newBootstrapToken(): BootstrapToken {
  const random = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return { id: random(6), secret: random(16) };
}

export const tokenString = (token: BootstrapToken) => `${token.id}.${token.secret}`;

/** The Secret that makes the token valid until expiration, for authentication only. */
export function bootstrapTokenSecret(token: BootstrapToken, expiration: Date, extraGroups: string[], description: string): KObject {
  const data: Record<string, string> = {
    'token-id': token.id,
    'token-secret': token.secret,
    expiration: rfc3339(expiration.getTime()),
    'usage-bootstrap-authentication': 'true',
    'auth-extra-groups': extraGroups.join(','),
    description,
  };
  return {
    apiVersion: 'v1', kind: 'Secret', type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    metadata: { name: bootstrapTokenSecretName(token.id), namespace: BOOTSTRAP_TOKEN_NAMESPACE },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** When the token's Secret says it stops being valid (undefined: never). */
export function bootstrapTokenExpiration(secret: KObject): Date | undefined {
  const text = secretValue(secret, 'expiration');
  return text ? new Date(text) : undefined;
}

function secretValue(secret: KObject, key: string): string | undefined {
  const b64 = secret.data?.[key];
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}

/** The user a presented bearer token authenticates as, if it is a valid bootstrap token. */
export async function authenticateBootstrapToken(objects: ObjectService, presented: string, now = new Date()): Promise<UserInfo | undefined> {
  const match = TOKEN.exec(presented);
  if (!match) return undefined;
  const [, id, secretPart] = match as unknown as [string, string, string];
  const secrets = objects.registry.lookup('', 'v1', 'secrets')!;
  const secret = await objects.tryGet(secrets, BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecretName(id));
  if (!secret || secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || secret.metadata.deletionTimestamp) return undefined;
  const stored = Buffer.from(secretValue(secret, 'token-secret') ?? '');
  const given = Buffer.from(secretPart);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return undefined;
  if (secretValue(secret, 'token-id') !== id || secretValue(secret, 'usage-bootstrap-authentication') !== 'true') return undefined;
  const expiration = bootstrapTokenExpiration(secret);
  if (expiration && !(expiration > now)) return undefined;
  const extra = (secretValue(secret, 'auth-extra-groups') ?? '').split(',').map((g) => g.trim())
    .filter((g) => g.startsWith(`${BOOTSTRAPPERS_GROUP}:`));
  return { name: `system:bootstrap:${id}`, groups: [BOOTSTRAPPERS_GROUP, ...extra] };
}
