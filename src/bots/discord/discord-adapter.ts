// The Discord front end as main.ts starts it: on when DISCORD_TOKEN is set; discord.js loads only then.
import type { ChatAdapter } from '../chat-adapter.ts';

export const discordAdapter: ChatAdapter = {
  name: 'discord',
  enabled: (config) => Boolean(config.discord.token),
  masks: (config) => ({ secrets: [config.discord.token] }),
  async load() {
    const { startDiscord } = await import('./start-discord.ts');
    return (config, service, logger) => {
      const log = logger.child({ component: 'discord' });
      return startDiscord(config, service, service.templates, { log: (msg, error) => log.warn(msg, error === undefined ? undefined : { error }) });
    };
  },
};
