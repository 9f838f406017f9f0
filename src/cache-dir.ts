// Where Memeloom keeps what it can rebuild (template motion, compiled graphs, pulled models) by default.
import { homedir } from 'node:os';
import path from 'node:path';

/** ~/.cache/memeloom, or a folder inside it. */
export function memeloomCacheDir(...parts: string[]): string {
  return path.join(homedir(), '.cache', 'memeloom', ...parts);
}
