import { Writable } from 'node:stream';

/** A stream that keeps every line written to it: tests pass it as the app's log destination and read it back. */
export function captureLines(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, lines };
}
