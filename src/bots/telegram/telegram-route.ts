// The Telegram part of a job's ReplyRoute: what a restarted bot process needs to answer the chat (the job's
// source as file ids, the status message, the format), as JSON-safe data. Parsing is strict: a record that does
// not fit is refused, never half-trusted. It sends nothing.
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

const routeSchema = z.object({
  source: z.object({
    chat: z.object({ chatId: z.number().int(), isGroup: z.boolean() }),
    userId: z.string().startsWith('telegram:'),
    name: z.string().optional(),
    photo: fileRef,
    clip: fileRef.optional(),
    templateId: z.string().optional(),
    captions: z.object({ top: z.string().optional(), bottom: z.string().optional() }).optional(),
    noCaption: z.boolean().optional(),
    checked: z.boolean().optional(),
    style: z.string().optional(),
    replyToMessageId: z.number().int().positive().optional(),
    language: z.string().optional(),
    face: z.union([z.literal('all'), z.literal('largest'), z.number().int().positive()]).optional(),
  }),
  statusMessageId: z.number().int().positive().optional(),
  format: z.enum(['mp4', 'webm', 'gif']),
  remember: z.boolean(),
  inline: z.object({ messageId: z.string().min(1), preview: z.enum(['media', 'text']) }).optional(),
  pack: z.object({ ownerId: z.number().int().positive(), firstName: z.string() }).optional(),
  previewMessageId: z.number().int().positive().optional(),
  engine: z.enum(['warp', 'hellomeme']).optional(),
});

export function toTelegramReplyRoute(route: TelegramRoute): ReplyRoute {
  // A JSON round trip drops undefined fields, so the stored record is exactly what parsing accepts.
  return { platform: 'telegram', data: JSON.parse(JSON.stringify(route)) as Record<string, unknown> };
}

/** The route's Telegram data, or undefined when it is another platform's or does not have the expected shape. */
export function parseTelegramRoute(route: ReplyRoute): TelegramRoute | undefined {
  if (route.platform !== 'telegram') return undefined;
  const parsed = routeSchema.safeParse(route.data);
  return parsed.success ? parsed.data : undefined;
}
