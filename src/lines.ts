// Reading a stream of newline-delimited text, such as a Kubernetes watch response (one JSON event a line).
import type { Readable } from 'node:stream';

/** Calls onLine with each complete non-empty line of the stream, as it arrives. */
export function onEachLine(stream: Readable, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) onLine(line);
    }
  });
}
