// The etcd store URL: etcd://HOST[:PORT][,HOST[:PORT]...][?cacert=FILE&cert=FILE&key=FILE&user=NAME[:PASSWORD]].
// The query parameters carry etcdctl's flag names; the password may come from $CANOPY_ETCD_PASSWORD instead.
import { resolve } from 'node:path';

const DEFAULT_PORT = 2379;
const PASSWORD_ENV = 'CANOPY_ETCD_PASSWORD';
const PARAMETERS = ['cacert', 'cert', 'key', 'user'];

export interface EtcdConfig {
  /** host:port (an IPv6 host in brackets), in the order given. */
  endpoints: string[];
  /** Absolute paths; TLS is used when any of them is set. */
  tls?: { cacert?: string; cert?: string; key?: string };
  auth?: { user: string; password: string };
}

function fail(url: string, problem: string): never {
  throw new Error(`store URL ${redact(url)}: ${problem}`);
}

/** The URL with the password of user=NAME:PASSWORD replaced, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/([?&]user=[^&:]*):[^&]*/, '$1:***');
}

function endpoint(url: string, text: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s[\]:/@]+)(?::(\d+))?$/.exec(text);
  if (!m) fail(url, `"${text}" is not HOST or HOST:PORT`);
  const port = m[2] === undefined ? DEFAULT_PORT : Number(m[2]);
  if (!(port > 0 && port < 65536)) fail(url, `"${text}" has no valid port (1-65535)`);
  return `${m[1]}:${port}`;
}

export function parseEtcdUrl(url: string, env: NodeJS.ProcessEnv = process.env): EtcdConfig {
  if (!url.startsWith('etcd://')) fail(url, 'an etcd URL starts with etcd://');
  const rest = url.slice('etcd://'.length);
  const queryAt = rest.indexOf('?');
  const authority = (queryAt < 0 ? rest : rest.slice(0, queryAt)).replace(/\/$/, '');
  if (authority.includes('@')) fail(url, 'put credentials in ?user=NAME[:PASSWORD] or $CANOPY_ETCD_PASSWORD, not before the host');
  if (authority.includes('/')) fail(url, 'a path is not supported; Canopy writes its keys under /registry/');
  if (!authority) fail(url, 'no endpoint; use etcd://HOST:PORT[,HOST:PORT...]');
  const endpoints = authority.split(',').map((text) => endpoint(url, text));

  const params = new URLSearchParams(queryAt < 0 ? '' : rest.slice(queryAt + 1));
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (!PARAMETERS.includes(name)) fail(url, `unknown parameter "${name}"; accepted: ${PARAMETERS.join(', ')}`);
    if (seen.has(name)) fail(url, `parameter "${name}" is given twice`);
    if (!value) fail(url, `parameter "${name}" has no value`);
    seen.add(name);
  }
  const config: EtcdConfig = { endpoints };
  const [cacert, cert, key] = ['cacert', 'cert', 'key'].map((name) => params.get(name) ?? undefined);
  if ((cert === undefined) !== (key === undefined)) fail(url, 'cert and key go together (a client certificate and its key)');
  if (cacert || cert) {
    config.tls = {
      ...(cacert ? { cacert: resolve(cacert) } : {}),
      ...(cert ? { cert: resolve(cert), key: resolve(key!) } : {}),
    };
  }
  const user = params.get('user');
  if (user) {
    const colon = user.indexOf(':');
    const name = colon < 0 ? user : user.slice(0, colon);
    const password = colon < 0 ? env[PASSWORD_ENV] : user.slice(colon + 1);
    if (!name) fail(url, 'user has no name; use user=NAME[:PASSWORD]');
    if (password === undefined) fail(url, `no password for user ${name}; use user=NAME:PASSWORD or set $${PASSWORD_ENV}`);
    config.auth = { user: name, password };
  }
  return config;
}
