// A writable stream that keeps what is written, optionally posing as a terminal, for CLI output assertions.
import { Writable } from 'node:stream';

export function sink(tty = false): { stream: Writable & { isTTY?: boolean; columns?: number }; text: () => string } {
  const chunks: string[] = [];
  const stream: Writable & { isTTY?: boolean; columns?: number } = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  if (tty) {
    stream.isTTY = true;
    stream.columns = 120;
  }
  return { stream, text: () => chunks.join('') };
}
