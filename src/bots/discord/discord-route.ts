// The Discord part of a job's ReplyRoute: the interaction webhook (application id + token + when it arrived)
// and the session the meme was made from, as JSON-safe data, so a restarted bot process can answer. Parsing is
// strict: a record that does not fit is refused. It calls nothing.
import { z } from 'zod';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { MemeSession } from './meme-sessions.ts';
import type { PreviewAt } from './preview-reply.ts';

/** What of a session survives a restart: who, where and what (no key, job id or callbacks). */
type StoredSession = Pick<MemeSession, 'ownerId' | 'guildId' | 'channelId' | 'webhookOnly' | 'language' | 'photo' | 'driver' | 'request'>;

export interface DiscordRoute {
  applicationId: string;
  /** The interaction token: edits and follow-ups work for 15 minutes after receivedAtMs. */
  token: string;
  receivedAtMs: number;
  session: StoredSession;
  /** The session's key, which the buttons of its messages carry (absent in routes stored before it was kept). */
  sessionKey?: string;
  /** The preview the HD job's result replaces (a previewed request's HD stage, bots/upgrade/). */
  preview?: PreviewAt;
}

const snowflake = z.string().regex(/^\d{1,25}$/);
const remoteFile = z.object({ url: z.url(), name: z.string(), sizeBytes: z.number().nonnegative(), contentType: z.string().optional() });

const routeSchema = z.object({
  applicationId: snowflake,
  // It goes into a URL path: no slashes or other separators.
  token: z.string().regex(/^[\w.~+=-]{1,1000}$/),
  receivedAtMs: z.number().int().nonnegative(),
  // Custom ids carry it: no separator characters.
  sessionKey: z.string().regex(/^[\w-]{1,32}$/).optional(),
  session: z.object({
    ownerId: snowflake,
    guildId: snowflake.nullable(),
    channelId: snowflake.nullable(),
    // Routes stored before user installs were all server / bot-DM ones with a channel to fall back to.
    webhookOnly: z.boolean().default(false),
    language: z.string().optional(),
    photo: remoteFile,
    driver: remoteFile.optional(),
    // The request minus bytes; the service checks its fields again on any re-render.
    request: z.looseObject({ platform: z.literal('discord'), userId: z.string().startsWith('discord:'), format: z.enum(['mp4', 'webm', 'gif']) }),
  }),
  preview: z.object({ channelId: snowflake, messageId: snowflake, original: z.boolean() }).optional(),
});

export function toDiscordReplyRoute(route: DiscordRoute): ReplyRoute {
  const { ownerId, guildId, channelId, webhookOnly, language, photo, driver, request } = route.session;
  const stored: DiscordRoute = { ...route, session: { ownerId, guildId, channelId, webhookOnly, language, photo, driver, request } };
  // A JSON round trip drops undefined fields, so the stored record is exactly what parsing accepts.
  return { platform: 'discord', data: JSON.parse(JSON.stringify(stored)) as Record<string, unknown> };
}

/** The route's Discord data, or undefined when it is another platform's or does not have the expected shape. */
export function parseDiscordRoute(route: ReplyRoute): DiscordRoute | undefined {
  if (route.platform !== 'discord') return undefined;
  const parsed = routeSchema.safeParse(route.data);
  return parsed.success ? (parsed.data as DiscordRoute) : undefined;
}
