// Per-guild admin settings: config defaults overlaid with what each guild's admins set, kept in a JSON file
// so they survive restarts. Validates what it reads; knows nothing of interactions.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { DiscordConfig, DiscordGuildSettings } from './discord-config.ts';

const settingsSchema = z.object({
  allowedChannelIds: z.array(z.string().regex(/^\d+$/)).max(100).optional(),
  dailyCapPerUser: z.number().int().min(1).max(100_000).optional(),
  engine: z.enum(['preview', 'full']).optional(),
  upgrade: z.enum(['on', 'off']).optional(),
});
const fileSchema = z.record(z.string().regex(/^\d+$/), settingsSchema);

/** What an admin command changes; `null` clears a setting back to the default. */
export interface SettingsPatch {
  allowedChannelIds?: string[] | null;
  dailyCapPerUser?: number | null;
  engine?: 'preview' | 'full' | null;
  upgrade?: 'on' | 'off' | null;
}

export class GuildSettingsStore {
  #byGuild: Map<string, DiscordGuildSettings>;
  #writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly defaults: DiscordGuildSettings,
    stored: Record<string, DiscordGuildSettings>,
    private readonly filePath: string | undefined,
  ) {
    this.#byGuild = new Map(Object.entries(stored));
  }

  /** Config's per-guild entries first, then the file's (admins' later choices win). */
  static async load(config: DiscordConfig): Promise<GuildSettingsStore> {
    let fromFile: Record<string, DiscordGuildSettings> = {};
    if (config.settingsFile) {
      const text = await readFile(config.settingsFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '{}';
        throw error;
      });
      const parsed = fileSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw new Error(`invalid ${config.settingsFile}: ${parsed.error.message}`);
      fromFile = parsed.data;
    }
    const merged: Record<string, DiscordGuildSettings> = { ...config.guilds };
    for (const [guildId, settings] of Object.entries(fromFile)) merged[guildId] = { ...merged[guildId], ...settings };
    return new GuildSettingsStore(config.defaultGuild ?? {}, merged, config.settingsFile);
  }

  /** The effective settings for a guild (DMs get the defaults). */
  get(guildId: string | null): DiscordGuildSettings {
    return { ...this.defaults, ...(guildId ? this.#byGuild.get(guildId) : undefined) };
  }

  async update(guildId: string, patch: SettingsPatch): Promise<DiscordGuildSettings> {
    const next: Record<string, unknown> = { ...this.#byGuild.get(guildId) };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete next[key];
      else if (value !== undefined) next[key] = value;
    }
    this.#byGuild.set(guildId, settingsSchema.parse(next));
    await this.#save();
    return this.get(guildId);
  }

  #save(): Promise<void> {
    const filePath = this.filePath;
    if (!filePath) return Promise.resolve();
    const snapshot = JSON.stringify(Object.fromEntries(this.#byGuild), null, 2);
    // Writes are chained so two quick admin commands cannot interleave; rename makes each one atomic.
    this.#writing = this.#writing.then(async () => {
      await mkdir(path.dirname(filePath), { recursive: true });
      await writeFile(`${filePath}.tmp`, snapshot);
      await rename(`${filePath}.tmp`, filePath);
    });
    return this.#writing;
  }
}
