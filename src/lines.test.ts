import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { onEachLine } from './lines.ts';

describe('onEachLine', () => {
  it('gives each complete line once, across chunk boundaries, skipping blank lines', async () => {
    const stream = new PassThrough();
    const seen: string[] = [];
    onEachLine(stream, (line) => seen.push(line));
    stream.write('{"a":1}\n{"b"');
    stream.write(':2}\n\n  \n{"c":3}');
    stream.write('\n{"incomplete"');
    stream.end();
    await new Promise((resolve) => stream.on('end', resolve));
    assert.deepEqual(seen, ['{"a":1}', '{"b":2}', '{"c":3}']);
  });
});
