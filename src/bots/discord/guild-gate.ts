// Enforces a guild's admin settings before a job is queued: allowed channels and a per-user daily cap.
// In-memory counts per UTC day (a restart forgets them, which only errs in the user's favour).
import type { DiscordGuildSettings } from './discord-config.ts';

type GateVerdict = { ok: true } | { ok: false; reason: 'channel'; } | { ok: false; reason: 'cap'; cap: number };

const MS_PER_DAY = 86_400_000;

function utcDay(nowMs: number): number {
  return Math.floor(nowMs / MS_PER_DAY);
}

export class GuildGate {
  #counts = new Map<string, number>();
  #day = -1;

  constructor(private readonly nowMs: () => number = Date.now) {}

  /**
   * Checks without counting. `guildId`: the server whose settings these are, null outside one (DMs, a server reached
   * only through a user install), where an allowed-channel list (a server's channels) has nothing to say.
   */
  check(settings: DiscordGuildSettings, guildId: string | null, channelId: string | null, userId: string): GateVerdict {
    const allowed = settings.allowedChannelIds;
    if (guildId && allowed && allowed.length > 0 && (!channelId || !allowed.includes(channelId))) return { ok: false, reason: 'channel' };
    const cap = settings.dailyCapPerUser;
    if (cap !== undefined && this.#count(guildId, userId) >= cap) return { ok: false, reason: 'cap', cap };
    return { ok: true };
  }

  /** Counts one accepted job against the user's daily cap. */
  record(guildId: string | null, userId: string): void {
    const key = this.#key(guildId, userId);
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  #count(guildId: string | null, userId: string): number {
    return this.#counts.get(this.#key(guildId, userId)) ?? 0;
  }

  #key(guildId: string | null, userId: string): string {
    const day = utcDay(this.nowMs());
    if (day !== this.#day) {
      this.#counts.clear();
      this.#day = day;
    }
    return `${guildId ?? 'dm'}:${userId}`;
  }
}
