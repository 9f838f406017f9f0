// `memeloom discord register [--guild ID]`: pushes the slash commands and context menus to Discord; globally
// they are offered both to servers that add the bot and to people who install the app on their own account.
// Credentials come from the validated config (DISCORD_TOKEN, DISCORD_APPLICATION_ID, DISCORD_API_BASE).
import { parseArgs } from 'node:util';
import { registerCommands, userInstallLink } from '../bots/discord/register-commands.ts';
import { loadConfig } from '../config.ts';
import { InputError } from '../errors.ts';

const USAGE = `usage: memeloom discord register [--guild ID]

  register   create or update /meme, /drive, /templates, /meme-settings and the context menus, for server
             installs and user installs (Developer Portal → Installation must have both enabled)
  --guild    register in one guild only, for testing (appears at once; no user installs; global registration
             can take up to an hour)

needs DISCORD_TOKEN and DISCORD_APPLICATION_ID (the Developer Portal's Application ID)`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { guild: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals[0] !== 'register') {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (values.guild !== undefined && !/^\d+$/.test(values.guild)) throw new InputError('BAD_OPTION', `--guild must be a numeric id, got '${values.guild}'`);
  const config = loadConfig();
  const { token, applicationId, apiBase } = config.discord;
  if (!token || !applicationId) throw new InputError('BAD_OPTION', 'DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set');
  const result = await registerCommands({ token, applicationId, apiBase, guildId: values.guild, maxCaptionChars: config.limits.maxCaptionChars });
  const where = result.scope === 'global' ? 'globally' : `in guild ${result.scope.guildId}`;
  process.stdout.write(`registered ${result.names.length} commands ${where} for application ${result.applicationId}: ${result.names.join(', ')}\n`);
  if (result.userInstallable) {
    process.stdout.write(`people can install it on their own account: ${userInstallLink(result.applicationId)}\n`);
  }
  return 0;
}
