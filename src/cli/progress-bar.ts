// A one-line progress bar for the terminal, redrawn in place; silent when stderr is not a TTY.
import type { Progress } from '../pipeline/types.ts';

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): { update(p: Progress): void; done(): void } {
  if (!stream.isTTY) return { update() {}, done() {} };
  let lastDrawn = -1;
  return {
    update(p) {
      const percent = Math.floor(p.overall * 100);
      if (percent === lastDrawn) return;
      lastDrawn = percent;
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${p.stage.padEnd(8)}`);
    },
    done() {
      if (lastDrawn >= 0) stream.write('\r\x1b[2K');
    },
  };
}
