// The baseline server: node:https reading each request's whole body and answering with the same fixed status and bytes.
// Usage: node --import tsx bench/bare-server.ts DIR (DIR holds tls.crt, tls.key, body, response.json: { status, headers }).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: bare-server.ts DIR');
const body = readFileSync(join(dir, 'body'));
const response: { status: number; headers: Record<string, string> } = JSON.parse(readFileSync(join(dir, 'response.json'), 'utf8'));
const headers = { ...response.headers, 'Content-Length': body.length };

const server = createServer({ cert: readFileSync(join(dir, 'tls.crt')), key: readFileSync(join(dir, 'tls.key')) }, (req, res) => {
  // The whole request body is read (and dropped) before the answer, as a server must for a POST.
  req.resume();
  req.on('end', () => {
    res.writeHead(response.status, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`ready https://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
