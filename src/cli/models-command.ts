// `memeloom models <subcommand>`: pull, list and build (graphs compiled into the cache ahead of the first job),
// each in its own module, plugged into SUBCOMMANDS.
import { BUILD_USAGE, runModelsBuild } from './models-build.ts';
import { runModelsList } from './models-list.ts';
import { runModelsPull } from './models-pull.ts';

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { build: (argv) => runModelsBuild(argv), pull: (argv) => runModelsPull(argv), list: (argv) => runModelsList(argv) };

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const handler = sub ? SUBCOMMANDS[sub] : undefined;
  if (!handler) {
    const text = `usage: memeloom models <${Object.keys(SUBCOMMANDS).join('|')}> ...\n  ${BUILD_USAGE}\n`;
    if (sub === '--help' || sub === '-h') {
      process.stdout.write(text);
      return 0;
    }
    process.stderr.write(sub ? `memeloom models: unknown subcommand '${sub}'\n${text}` : text);
    return sub ? 2 : 1;
  }
  return handler(rest);
}
