// Shutdown: SIGTERM ends the server even while clients hold connections open, including one that never
// finished its TLS handshake (such a socket is not an HTTP connection yet, and a busy keep-alive client would
// otherwise keep it for ever).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { removeDir, startServer } from './support/server.ts';

const STOP_WITHIN_MS = 20_000; // well below the 120 s TLS handshake timeout that would end such a socket anyway

describe('shutdown', () => {
  it('exits on SIGTERM while a connection is still in its TLS handshake', async () => {
    const server = await startServer({ command: 'member', name: 'm' });
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    socket.on('error', () => {});
    const stopped = await Promise.race([
      server.stop().then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_WITHIN_MS).unref()),
    ]);
    socket.destroy();
    if (!stopped) await server.kill();
    removeDir(server.dir);
    assert.equal(stopped, true, 'the server did not exit after SIGTERM');
  });
});
