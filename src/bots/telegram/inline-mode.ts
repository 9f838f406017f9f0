
import type { ChosenInlineResult, InlineQuery } from 'telegraf/types';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import type { Replier } from '../service-types.ts';
import { userErrorText } from './error-text.ts';
import { InlineReplier, type InlineTarget } from './inline-replier.ts';
import { MAX_INLINE_RESULTS, decodeResultId, inlineResult } from './inline-results.ts';
import { searchTemplates } from '../../templates/template-search.ts';
import type { JobSource } from './job-source.ts';
import { telegramOutput } from './telegram-config.ts';
import { downloadFile } from './telegram-files.ts';
import type { ChatTarget } from './telegram-outbox.ts';
import { parseTelegramRoute, toTelegramReplyRoute } from './telegram-route.ts';
import { TEXTS } from './telegram-texts.ts';
import type { UpdateHandlerDeps } from './update-handler-deps.ts';

/** The deep-link parameter of the "Send me a photo first" button: the private chat opens with `/start inline`. */
export const INLINE_START_PARAMETER = 'inline';
/**
 * Results depend on the user's photo and on which memes exist, so they are personal and cached briefly: a meme
 * rendered a moment ago is listed as ready on the next query.
 */
const RESULTS_CACHE_SEC = 10;

export class InlineMode {
  constructor(private readonly deps: UpdateHandlerDeps) {}

  async onInlineQuery(query: InlineQuery): Promise<void> {
    const { telegram, outbox, jobs, previews, templates } = this.deps;
    const userId = `telegram:${query.from.id}`;
    const latest = this.deps.photos.latest(userId);
    if (!latest) {
      const button = { text: TEXTS.inline.needPhoto, start_parameter: INLINE_START_PARAMETER };
      await outbox.direct(() => telegram.answerInlineQuery(query.id, [], { button, cache_time: 0, is_personal: true }));
      return;
    }
    const results = searchTemplates(templates.list(), query.query).slice(0, MAX_INLINE_RESULTS).map((template) => {
      const source = this.sourceFor(query.from, latest.photo, template.id);
      return inlineResult({ template, photoKey: latest.key, memeFileId: jobs.cachedFileId(source, 'mp4'), preview: previews.preview(template.id) });
    });
    await outbox.direct(() => telegram.answerInlineQuery(query.id, results, { cache_time: RESULTS_CACHE_SEC, is_personal: true }));
  }

  async onChosen(chosen: ChosenInlineResult): Promise<void> {
    const ref = decodeResultId(chosen.result_id);
    // A cached meme was sent as it is; without an inline_message_id there is nothing the bot could edit.
    if (!ref || ref.kind === 'cached' || !chosen.inline_message_id) return;
    const target: InlineTarget = { inlineMessageId: chosen.inline_message_id, preview: ref.kind };
    const userId = `telegram:${chosen.from.id}`;
    const photo = this.deps.photos.byKey(userId, ref.photoKey);
    if (!photo || !this.deps.templates.has(ref.templateId)) {
      return this.replierFor(target, { place: { chat: privateChat(chosen.from) }, language: chosen.from.language_code }).note(TEXTS.inline.photoGone);
    }
    const source = this.sourceFor(chosen.from, photo, ref.templateId);
    const replier = this.replierFor(target, source, source);
    const cached = this.deps.jobs.cachedFileId(source, 'mp4');
    if (cached) return replier.showFile(cached);
    try {
      const { service, telegram, outbox } = this.deps;
      const bytes = await downloadFile(telegram, outbox, source.photo, 'IMAGE_TOO_LARGE', service.limits.maxPhotoBytes);
      const request = { platform: 'telegram' as const, userId, photo: bytes, photoMime: source.photo.mime, templateId: source.request.templateId, format: 'mp4' as const };
      await service.submit({ ...request, ...telegramOutput(request.format), language: source.language, priority: 'full' }, replier);
    } catch (error) {
      await replier.note(userErrorText(error, source.language));
    }
  }

  /** The Replier of an inline job submitted before a restart (QUEUE_BACKEND=redis); undefined for other routes. */
  resumeReplier(route: ReplyRoute): Replier | undefined {
    const parsed = parseTelegramRoute(route);
    if (!parsed?.inline) return undefined;
    return this.replierFor({ inlineMessageId: parsed.inline.messageId, preview: parsed.inline.preview }, parsed.source, parsed.source);
  }

  private sourceFor(from: InlineQuery['from'], photo: JobSource['photo'], templateId: string): JobSource {
    return { place: { chat: privateChat(from), name: from.first_name }, language: from.language_code, photo, request: { platform: 'telegram', userId: `telegram:${from.id}`, templateId } };
  }

  /** `user`: whose message it is (their private chat and language); `source`: the meme, when there is one to make. */
  private replierFor(target: InlineTarget, user: Pick<JobSource, 'place' | 'language'>, source?: JobSource): InlineReplier {
    const { mediaChatId } = this.deps;
    const uploadChat: ChatTarget = mediaChatId !== undefined ? { chatId: mediaChatId, isGroup: mediaChatId < 0 } : user.place.chat;
    return new InlineReplier({
      telegram: this.deps.telegram,
      outbox: this.deps.outbox,
      target,
      uploadChat,
      deleteUpload: mediaChatId === undefined,
      userChat: user.place.chat,
      language: user.language,
      log: this.deps.log,
      onDelivered: (fileId, job, result) => {
        if (source) this.deps.jobs.rememberFileId(source, 'mp4', result.seed, fileId, job.jobId);
      },
      route: source && (() => toTelegramReplyRoute({ source, format: 'mp4', remember: true, inline: { messageId: target.inlineMessageId, preview: target.preview } })),
    });
  }
}

/** A user's private chat with the bot has the user's id. */
function privateChat(from: InlineQuery['from']): ChatTarget {
  return { chatId: from.id, isGroup: false };
}
