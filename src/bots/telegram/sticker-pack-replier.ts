// The service's Replier for "Add to my stickers": the job's line on the chat's status board shows its queue
// place and progress like any request; the finished WebM goes into the user's own pack (StickerPacks) and the
// chat gets the pack's link. Every way it can go wrong ends as a line the user can act on.
import type { Telegram } from 'telegraf';
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { Logger } from '../../logger.ts';
import type { JobFailure, JobRef, ProgressUpdate, Replier } from '../service-types.ts';
import { codeText } from './error-text.ts';
import { replyParameters } from './result-sender.ts';
import { type AddedSticker, MAX_PACKS_PER_USER, PackError, type PackOwner, type StickerPacks } from './sticker-packs.ts';
import type { BoardLine } from './status-board.ts';
import { MAX_STICKER_BYTES, MAX_STICKERS_PER_SET } from './telegram-config.ts';
import type { ChatTarget, TelegramOutbox } from './telegram-outbox.ts';
import { lineText } from './telegram-replier.ts';
import { TEXTS } from './telegram-texts.ts';

export interface PackReply {
  telegram: Telegram;
  outbox: TelegramOutbox;
  chat: ChatTarget;
  replyToMessageId?: number;
  language?: string;
  botUsername: () => string;
}

/** Tells the chat where the sticker went: the pack's title and link, and a button that opens it. */
export async function announcePack(reply: PackReply, added: AddedSticker): Promise<void> {
  const text = added.fullTitle ? TEXTS.stickers.addedToNew(added.title, added.link, added.fullTitle, MAX_STICKERS_PER_SET) : TEXTS.stickers.added(added.title, added.link);
  await reply.outbox.toChat(reply.chat, () =>
    reply.telegram.sendMessage(reply.chat.chatId, text, {
      reply_parameters: replyParameters(reply.replyToMessageId, false),
      reply_markup: { inline_keyboard: [[{ text: TEXTS.stickers.openPack, url: added.link }]] },
      link_preview_options: { is_disabled: true },
    }),
  );
}

/** What to tell the user when adding failed. */
export function packErrorText(error: unknown, reply: Pick<PackReply, 'language' | 'botUsername'>): string {
  if (error instanceof PackError) {
    return error.reason === 'all-full' ? TEXTS.stickers.allFull(MAX_PACKS_PER_USER, MAX_STICKERS_PER_SET) : TEXTS.stickers.startFirst(reply.botUsername());
  }
  return codeText('INTERNAL', {}, reply.language);
}

interface StickerPackReplierOptions extends PackReply {
  packs: StickerPacks;
  owner: PackOwner;
  emoji: string[];
  line: BoardLine;
  log: Logger;
  route?: () => ReplyRoute;
}

export class StickerPackReplier implements Replier {
  #done = false;

  constructor(private readonly options: StickerPackReplierOptions) {}

  get route(): ReplyRoute | undefined {
    return this.options.route?.();
  }

  queued(update: ProgressUpdate): void {
    if (!this.#done) this.options.line.set(lineText(update, this.options.language));
  }

  progress(update: ProgressUpdate): void {
    if (!this.#done) this.options.line.set(lineText(update, this.options.language));
  }

  async deliver(result: MemeResult, job: JobRef): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    const { line, packs, owner, emoji, log } = this.options;
    if (result.bytes.length > MAX_STICKER_BYTES) {
      await line.fail(codeText('BUDGET_UNREACHABLE', { maxBytes: MAX_STICKER_BYTES }, this.options.language));
      return;
    }
    let added: AddedSticker;
    try {
      added = await packs.add(owner, { bytes: result.bytes }, emoji);
    } catch (error) {
      if (!(error instanceof PackError)) log.error('adding a sticker to a pack failed', { jobId: job.jobId, error });
      await line.fail(packErrorText(error, this.options));
      return;
    }
    await line.close();
    await announcePack(this.options, added);
  }

  async fail(failure: JobFailure): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.options.line.fail(failure.text);
  }
}
