// The `memeloom` command: dispatches to one module per subcommand under src/cli/, loaded lazily
// so `memeloom templates` never pays for ONNX Runtime or the face model.
import { formatCliError } from './cli/cli-error.ts';

type CommandModule = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  render: { summary: 'animate a photo with a template or a driving clip', load: () => import('./cli/render-command.ts') },
  templates: { summary: 'list the built-in templates', load: () => import('./cli/templates-command.ts') },
  start: { summary: 'start the bot (web playground, plus Telegram/Discord when tokens are set)', load: () => import('./cli/start-command.ts') },
  worker: { summary: 'render jobs from Redis (QUEUE_BACKEND=redis), one per GPU, on any machine', load: () => import('./cli/worker-command.ts') },
  graph: { summary: 'build and run ONNX graphs from safetensors weights', load: () => import('./cli/graph-command.ts') },
  models: { summary: 'pull, list and build model weights', load: () => import('./cli/models-command.ts') },
  discord: { summary: 'register the Discord slash commands and context menus', load: () => import('./cli/discord-command.ts') },
  bench: { summary: 'per-stage timings on fixture photos and templates', load: () => import('./cli/bench-command.ts') },
  eval: { summary: 'APD / AED / identity quality figures per engine', load: () => import('./cli/eval-command.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: memeloom <command> [options]', '', 'commands:', ...lines, '', 'memeloom <command> --help for its options'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`memeloom: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    process.exitCode = 1;
    const command = process.argv[2];
    process.stderr.write(`${formatCliError(error, command && command in COMMANDS ? command : undefined)}\n`);
    // Loaded only on a failure, so `memeloom templates` does not pay for the settings schema.
    const { processSettings } = await import('./config.ts');
    if (processSettings().debug) console.error(error);
  },
);
