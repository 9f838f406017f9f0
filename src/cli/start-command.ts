// `memeloom start`: loads the config, starts the bot (playground + adapters whose tokens are set) and runs
// until SIGINT/SIGTERM, then shuts down gracefully. Argument handling only; wiring lives in src/main.ts.
import { startMemeloom } from '../main.ts';
import { loadCliConfig } from './load-cli-config.ts';

const HELP = `usage: memeloom start

Starts the bot: the web playground on http://127.0.0.1:8787 (MEMELOOM_PORT), plus the Telegram
and Discord adapters when TELEGRAM_BOT_TOKEN / DISCORD_TOKEN are set. Settings come from the
environment or a file named by MEMELOOM_CONFIG; see config.example for every setting.
Logs are JSON lines on stdout. Ctrl-C stops it gracefully (a second Ctrl-C exits at once).`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (argv.length > 0) {
    process.stderr.write(`memeloom start: unexpected argument '${argv[0]}'\n\n${HELP}\n`);
    return 2;
  }
  const config = loadCliConfig('start');
  if (!config) return 2;
  const bot = await startMemeloom(config);
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      void bot.stop().then(resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  // Everything is closed by now; if a native addon still holds the loop, do not hang the terminal or the CI.
  setTimeout(() => process.exit(0), 5000).unref();
  return 0;
}
