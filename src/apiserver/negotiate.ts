// Content negotiation: which representation of a response the client asked for.
import type { IncomingMessage } from 'node:http';

export type Representation = 'json' | 'table' | 'yaml' | 'unsupported';

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const parsed: Record<string, string> = {};
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq > 0) parsed[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    return { type: (type ?? '').toLowerCase(), params: parsed };
  });
}

/** Picks the first acceptable representation in the client's order of preference. */
export function negotiate(req: IncomingMessage): Representation {
  for (const range of parseAccept(req.headers.accept)) {
    if (range.params.as === 'Table' && range.params.g === 'meta.k8s.io' && ['v1', 'v1beta1'].includes(range.params.v ?? '')) {
      if (range.type === 'application/json') return 'table';
      continue;
    }
    if (range.params.as) continue;
    if (range.type === 'application/json' || range.type === '*/*' || range.type === 'application/*') return 'json';
    if (range.type === 'application/yaml') return 'yaml';
  }
  return 'unsupported';
}

/** Whether the client asked for aggregated discovery (apidiscovery.k8s.io), and which version. */
export function wantsAggregatedDiscovery(req: IncomingMessage): string | undefined {
  for (const range of parseAccept(req.headers.accept)) {
    if (range.params.as === 'APIGroupDiscoveryList' && range.params.g === 'apidiscovery.k8s.io') {
      if (range.params.v === 'v2' || range.params.v === 'v2beta1') return `apidiscovery.k8s.io/${range.params.v}`;
    }
    if (range.type === 'application/json' && !range.params.as) return undefined;
  }
  return undefined;
}
