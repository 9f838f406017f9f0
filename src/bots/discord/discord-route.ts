// The Discord part of a job's ReplyRoute: the interaction webhook (application id + token + when it arrived)
// and the session the meme was made from, as JSON-safe data, so a restarted bot process can answer. Parsing is
// strict: a record that does not fit is refused. It calls nothing.
import { z } from 'zod';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { MemeSession } from './meme-sessions.ts';
import type { PreviewAt } from './preview-reply.ts';

/** What of a session survives a restart: the follow-up as asked, who, where and what (no key, result or callbacks). */
type StoredSession = Pick<MemeSession, 'place' | 'language' | 'photo' | 'clip' | 'request'>;

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

// The request minus bytes; the service checks its fields again on any re-render.
const request = z.looseObject({ platform: z.literal('discord'), userId: z.string().startsWith('discord:'), format: z.enum(['mp4', 'webm', 'gif']) });
const place = {
  ownerId: snowflake,
  guildId: snowflake.nullable(),
  channelId: snowflake.nullable(),
  // Routes stored before user installs were all server / bot-DM ones with a channel to fall back to.
  webhookOnly: z.boolean().default(false),
};

/** The session as a follow-up (bots/follow-up.ts): place, files, language, request. */
const sessionSchema = z.object({
  place: z.object(place),
  language: z.string().optional(),
  photo: remoteFile,
  clip: remoteFile.optional(),
  request,
});

/**
 * The flat session routes were stored with before the follow-up type (the clip called `driver`, the seed of the
 * take inside the request), read into the follow-up shape so a job pending in Redis across the upgrade still
 * answers. The seed is left out: a restored session is answered by its job, whose result brings the take.
 */
const flatSessionSchema = z
  .object({ ...place, language: z.string().optional(), photo: remoteFile, driver: remoteFile.optional(), request })
  .transform(({ ownerId, guildId, channelId, webhookOnly, language, photo, driver, request: { seed: _seed, ...request } }) => ({
    place: { ownerId, guildId, channelId, webhookOnly },
    ...(language !== undefined ? { language } : {}),
    photo,
    ...(driver ? { clip: driver } : {}),
    request,
  }));

const routeSchema = z.object({
  applicationId: snowflake,
  // It goes into a URL path: no slashes or other separators.
  token: z.string().regex(/^[\w.~+=-]{1,1000}$/),
  receivedAtMs: z.number().int().nonnegative(),
  // Custom ids carry it: no separator characters.
  sessionKey: z.string().regex(/^[\w-]{1,32}$/).optional(),
  session: z.union([sessionSchema, flatSessionSchema]),
  preview: z.object({ channelId: snowflake, messageId: snowflake, original: z.boolean() }).optional(),
});

export function toDiscordReplyRoute(route: DiscordRoute): ReplyRoute {
  const { place, language, photo, clip, request } = route.session;
  const { ownerId, guildId, channelId, webhookOnly } = place;
  const stored: DiscordRoute = { ...route, session: { place: { ownerId, guildId, channelId, webhookOnly }, language, photo, clip, request } };
  // A JSON round trip drops undefined fields, so the stored record is exactly what parsing accepts.
  return { platform: 'discord', data: JSON.parse(JSON.stringify(stored)) as Record<string, unknown> };
}

/** The route's Discord data, or undefined when it is another platform's or does not have the expected shape. */
export function parseDiscordRoute(route: ReplyRoute): DiscordRoute | undefined {
  if (route.platform !== 'discord') return undefined;
  const parsed = routeSchema.safeParse(route.data);
  return parsed.success ? (parsed.data as DiscordRoute) : undefined;
}
