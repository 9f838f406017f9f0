// The Telegram part of a job's ReplyRoute: what a restarted bot process needs to answer the chat (the job's
// source as a follow-up of file ids, bots/follow-up.ts; the status message; the format), as JSON-safe data.
// Parsing is strict: a record that does not fit is refused, never half-trusted. It sends nothing.
import { z } from 'zod';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { EngineName } from '../../pipeline/meme-spec.ts';
import type { OutputFormat } from '../../pipeline/types.ts';
import type { JobSource } from './job-source.ts';

export interface TelegramRoute {
  source: JobSource;
  /** The status message ("In line: #2", "Animating… 40%") to edit, then delete once the result is sent. */
  statusMessageId?: number;
  format: OutputFormat;
  /** Whether the result's file_id goes into the adapter's cache (not for rerolls). */
  remember: boolean;
  /** A meme sent through inline mode: the message "via @bot" the result replaces (no status message then). */
  inline?: { messageId: string; preview: 'media' | 'text' };
  /** "Add to my stickers": the result goes into this user's sticker pack instead of the chat. */
  pack?: { ownerId: number; firstName: string };
  /** The preview the HD job's result replaces in place (a previewed request's HD stage, bots/upgrade/). */
  previewMessageId?: number;
  /** The engine asked for ("As sticker" of a kept preview stays on warp); absent: auto. */
  engine?: EngineName;
}

const fileRef = z.object({
  fileId: z.string().min(1),
  uniqueId: z.string().min(1),
  sizeBytes: z.number().int().nonnegative().optional(),
  mime: z.string().optional(),
});

const chat = z.object({ chatId: z.number().int(), isGroup: z.boolean() });
const captions = z.object({ top: z.string().optional(), bottom: z.string().optional() });
const face = z.union([z.literal('all'), z.literal('largest'), z.number().int().positive()]);
const userId = z.string().startsWith('telegram:');
const replyToMessageId = z.number().int().positive();

/** The source as a follow-up (bots/follow-up.ts): place, files, language, request. */
const sourceSchema = z.object({
  place: z.object({ chat, name: z.string().optional(), replyToMessageId: replyToMessageId.optional(), checked: z.boolean().optional() }),
  photo: fileRef,
  clip: fileRef.optional(),
  language: z.string().optional(),
  request: z.object({
    platform: z.literal('telegram'),
    userId,
    templateId: z.string().optional(),
    captions: captions.optional(),
    noCaption: z.boolean().optional(),
    style: z.string().optional(),
    face: face.optional(),
  }),
});

/** Without the keys whose value is undefined, as a JSON round trip would leave it. */
function present<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

/**
 * The flat source routes were stored with before the follow-up type (jobs still pending in Redis across the
 * upgrade), read into the follow-up shape so their results still reach the chat.
 */
const flatSourceSchema = z
  .object({
    chat,
    userId,
    name: z.string().optional(),
    photo: fileRef,
    clip: fileRef.optional(),
    templateId: z.string().optional(),
    captions: captions.optional(),
    noCaption: z.boolean().optional(),
    checked: z.boolean().optional(),
    style: z.string().optional(),
    replyToMessageId: replyToMessageId.optional(),
    language: z.string().optional(),
    face: face.optional(),
  })
  .transform((flat): z.output<typeof sourceSchema> =>
    present({
      place: present({ chat: flat.chat, name: flat.name, replyToMessageId: flat.replyToMessageId, checked: flat.checked }),
      photo: flat.photo,
      clip: flat.clip,
      language: flat.language,
      request: present({
        platform: 'telegram' as const,
        userId: flat.userId,
        templateId: flat.templateId,
        captions: flat.captions,
        noCaption: flat.noCaption,
        style: flat.style,
        face: flat.face,
      }),
    }),
  );

const routeSchema = z.object({
  source: z.union([sourceSchema, flatSourceSchema]),
  statusMessageId: z.number().int().positive().optional(),
  format: z.enum(['mp4', 'webm', 'gif']),
  remember: z.boolean(),
  inline: z.object({ messageId: z.string().min(1), preview: z.enum(['media', 'text']) }).optional(),
  pack: z.object({ ownerId: z.number().int().positive(), firstName: z.string() }).optional(),
  previewMessageId: z.number().int().positive().optional(),
  engine: z.enum(['warp', 'hellomeme']).optional(),
});

export function toTelegramReplyRoute(route: TelegramRoute): ReplyRoute {
  // The result a follow-up refers to is the adapter's memory, not the job's: the route is the source as asked.
  const { result: _result, ...source } = route.source;
  // A JSON round trip drops undefined fields, so the stored record is exactly what parsing accepts.
  return { platform: 'telegram', data: JSON.parse(JSON.stringify({ ...route, source })) as Record<string, unknown> };
}

/** The route's Telegram data, or undefined when it is another platform's or does not have the expected shape. */
export function parseTelegramRoute(route: ReplyRoute): TelegramRoute | undefined {
  if (route.platform !== 'telegram') return undefined;
  const parsed = routeSchema.safeParse(route.data);
  return parsed.success ? parsed.data : undefined;
}
