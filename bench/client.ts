// A minimal HTTPS client over one keep-alive agent.
import { Agent, request } from 'node:https';

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, when keepBody was asked for. */
  body?: Buffer;
  bytes: number;
}

export class Client {
  readonly agent: Agent;
  private readonly base: URL;

  constructor(url: string, ca: string, private readonly token: string | undefined, maxSockets: number,
    private readonly timeoutMs = 30_000) {
    this.base = new URL(url);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca });
  }

  send(method: string, path: string, body?: string | Buffer, keepBody = false): Promise<Response> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { Accept: 'application/json' };
      if (this.token) headers.Authorization = `Bearer ${this.token}`;
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const req = request({
        agent: this.agent, host: this.base.hostname, port: this.base.port, path, method, headers,
      }, (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (keepBody) chunks.push(chunk);
        });
        res.on('end', () => resolve({
          status: res.statusCode ?? 0, headers: res.headers, bytes, body: keepBody ? Buffer.concat(chunks) : undefined,
        }));
        res.on('error', reject);
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  async json(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
    const res = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), true);
    const text = res.body!.toString('utf8');
    let json: any;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, json, text };
  }

  close(): void {
    this.agent.destroy();
  }
}
