// Runs meme jobs for Telegram chats: file_id cache check, photo/clip download, submit to the service with a
// TelegramReplier, and the follow-ups the result buttons ask for (reroll, other template, sticker, GIF).
// It owns the adapter's in-memory state (pickers, sent results, file_ids); it never parses updates.
import { randomBytes } from 'node:crypto';
import type { Telegram } from 'telegraf';
import { throwIfAborted } from '../../errors.ts';
import { clipTrimmedText } from '../messages.ts';
import type { ReplyRoute } from '../../jobs/job-backend.ts';
import { boundedCache } from '../../bounded-cache.ts';
import { type FollowUpResult, FollowUps } from '../follow-up.ts';
import type { Logger } from '../../logger.ts';
import { rerollOrRenderAnew } from '../reroll.ts';
import { DEFAULT_SEED, type EngineName } from '../../pipeline/meme-spec.ts';
import type { OutputFormat } from '../../pipeline/types.ts';
import type { TemplateCatalog } from '../../templates/template-types.ts';
import type { CheckedInputs, MemeRequest, MemeService, Replier } from '../service-types.ts';
import { DEFAULT_FACE_CHOICE } from '../../pipeline/face/face-choice.ts';
import type { PhotoFacts } from '../../pipeline/input-inspector.ts';
import { userErrorText } from './error-text.ts';
import { HandoverLine } from './handover-line.ts';
import { resultButtons } from './inline-keyboards.ts';
import { PreviewMessage } from './preview-message.ts';
import { replyParameters, sendResult } from './result-sender.ts';
import { stickerEmoji } from './sticker-emoji.ts';
import { announcePack, type PackReply, packErrorText, StickerPackReplier } from './sticker-pack-replier.ts';
import type { PackOwner, StickerPacks } from './sticker-packs.ts';
import { type BoardLine, type LineText, StatusBoards } from './status-board.ts';
import { telegramOutput } from './telegram-config.ts';
import { downloadFile } from './telegram-files.ts';
import type { ChatTarget, TelegramOutbox } from './telegram-outbox.ts';
import { lineText, TelegramReplier } from './telegram-replier.ts';
import type { JobSource } from './job-source.ts';
import { parseTelegramRoute, toTelegramReplyRoute } from './telegram-route.ts';
import { TEXTS } from './telegram-texts.ts';

/**
 * A result in a chat, for its buttons: the source it was made from, replying to the result's message, with the
 * result (its job, the take, and the engine its variants must use: a kept preview's is warp's; absent: auto, as the
 * result was asked for).
 */
function sentFollowUp(source: JobSource, messageId: number, result: FollowUpResult): JobSource {
  return { ...source, place: { ...source.place, replyToMessageId: messageId }, result };
}

interface MemeJobsDeps {
  telegram: Telegram;
  outbox: TelegramOutbox;
  service: MemeService;
  templates: TemplateCatalog;
  chatActionIntervalMs: number;
  log: Logger;
  /** "Add to my stickers": the users' own sticker packs. */
  packs: StickerPacks;
  botUsername: () => string;
}

interface LaunchOptions {
  format: OutputFormat;
  /** Turn this bot message (the tapped picker) into the status message. */
  statusMessageId?: number;
  /** Rerolls must render anew, so they skip the file_id cache. */
  useCache?: boolean;
  seed?: number;
  /** Put the result (a WebM) into this user's sticker pack instead of sending it to the chat. */
  pack?: PackOwner;
  /** The engine of the animation a variant is made from; absent: auto (a preview first, where that is HelloMeme). */
  engine?: EngineName;
}

/** What "Keep this one" found. */
type KeepAnswer = 'kept' | 'not-yours' | 'expired';

const MAX_REMEMBERED = 2000;
/** How long a new job waits for its status message to exist (its id goes into the job's route) before going ahead. */
const ROUTE_WAIT_MS = 2000;

/** For a route that cannot be read: the service still settles and acknowledges the job, nobody is told. */
const DROPPING_REPLIER: Replier = {
  queued: () => undefined,
  progress: () => undefined,
  deliver: async () => undefined,
  fail: async () => undefined,
};

export function newId(): string {
  return randomBytes(6).toString('base64url');
}

/** Same photo, clip, template, captions (or none), faces, style, seed, format and engine → the same animation: reuse its file_id. */
function resultCacheKey(source: JobSource, format: OutputFormat, seed = DEFAULT_SEED, engine: EngineName | 'auto' = 'auto'): string {
  const { templateId, captions, noCaption, style, face } = source.request;
  const captionKey = [captions?.top ?? null, captions?.bottom ?? null, noCaption === true];
  return JSON.stringify([source.photo.uniqueId, source.clip?.uniqueId ?? null, templateId ?? null, ...captionKey, style?.toLowerCase() ?? null, format, seed, engine, face ?? DEFAULT_FACE_CHOICE]);
}

export class MemeJobs {
  /** Template pickers waiting for a tap, by pick id. */
  readonly pickers = new FollowUps<JobSource>({ maxEntries: MAX_REMEMBERED });
  /** Results in chats, by the result id their buttons carry (always with `result`). */
  private readonly sent = new FollowUps<JobSource>({ maxEntries: MAX_REMEMBERED });
  private readonly fileIds = boundedCache<string, { fileId: string; jobId?: string }>({ maxEntries: MAX_REMEMBERED });
  /** Previews in chats whose HD version is on the way: request id → requester, for "Keep this one". */
  private readonly previews = boundedCache<string, string>({ maxEntries: MAX_REMEMBERED });
  private readonly running = new Set<Promise<void>>();
  private readonly boards: StatusBoards;
  /** Requests still fetching their files: handed to the service in the order sent, reachable by /cancel. */
  private readonly handovers = new HandoverLine();

  constructor(private readonly deps: MemeJobsDeps) {
    this.boards = new StatusBoards({ telegram: deps.telegram, outbox: deps.outbox, log: deps.log, chatActionIntervalMs: deps.chatActionIntervalMs });
  }

  /** Starts a job without blocking the update handler (telegraf handles updates one batch at a time). */
  launch(source: JobSource, options: LaunchOptions): void {
    this.track(this.run(source, options));
  }

  track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.deps.log.error('update handling failed', { error }));
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  /** Resolves when every flow started so far has finished (sent, failed or cancelled). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  sentEntry(resultId: string): JobSource | undefined {
    return this.sent.get(resultId);
  }

  /** The file_id of this meme when Telegram already has it (sent before, by any flow). */
  cachedFileId(source: JobSource, format: OutputFormat, seed?: number, engine?: EngineName): string | undefined {
    return this.fileIds.get(resultCacheKey(source, format, seed, engine))?.fileId;
  }

  rememberFileId(source: JobSource, format: OutputFormat, seed: number | undefined, fileId: string, jobId?: string): void {
    this.fileIds.set(resultCacheKey(source, format, seed), { fileId, jobId });
  }

  async run(source: JobSource, options: LaunchOptions): Promise<void> {
    const useCache = options.useCache ?? true;
    if (useCache && (await this.sendCached(source, options))) return;
    const line = this.openLine(source, { full: TEXTS.fetchingPhoto, short: TEXTS.fetchingPhotoLine }, options.statusMessageId);
    const handover = this.handovers.join(source.request.userId);
    try {
      const inputs = await this.download(source);
      if (!source.place.checked) await this.inspect(source, inputs);
      const request = this.buildRequest(source, inputs, options);
      const replier = options.pack ? this.packReplierFor(source, line, options.pack) : this.replierFor(source, line, options.format, useCache, options.engine);
      // The status message's id goes into the job's route, so a restarted process can edit and remove it; a chat
      // whose budget holds the status back does not hold the job back for long.
      await Promise.race([line.whenShown(), new Promise((resolve) => setTimeout(resolve, ROUTE_WAIT_MS).unref())]);
      // Files download side by side, but a user's requests reach the queue in the order they were sent.
      await handover.turn;
      throwIfAborted(handover.signal);
      const job = await this.deps.service.submit(request, replier);
      handover.done();
      // A /cancel that came while the service was admitting it: the job now exists to be cancelled.
      if (handover.signal.aborted) this.deps.service.cancel(job.jobId);
    } catch (error) {
      handover.done();
      await line.fail(userErrorText(error, source.language));
    }
  }

  /** /cancel for requests still fetching their photo or clip; true when there was one. */
  cancelStarting(userId: string): boolean {
    return this.handovers.cancel(userId);
  }

  /** "Another take", by the one reroll rule (bots/reroll.ts): the service's reroll, or a new render from the file ids. */
  async reroll(resultId: string): Promise<boolean> {
    const source = this.sent.get(resultId);
    if (!source) return false;
    const jobId = source.result?.jobId;
    const renderAnew = () => this.launch(source, { format: 'mp4', useCache: false, seed: Math.floor(Math.random() * 2 ** 31) });
    if (!jobId) {
      renderAnew();
      return true;
    }
    const line = this.openLine(source, lineText(undefined, source.language));
    const replier = this.replierFor(source, line, 'mp4', false);
    try {
      await line.whenShown();
      await rerollOrRenderAnew(this.deps.service, jobId, replier, async () => {
        await line.close();
        renderAnew();
      });
    } catch (error) {
      await line.fail(userErrorText(error, source.language));
    }
    return true;
  }

  /** "As sticker" / "As GIF file": the same meme in another format. */
  variant(resultId: string, format: 'webm' | 'gif'): boolean {
    const source = this.sent.get(resultId);
    if (!source) return false;
    this.launch(source, { format, seed: source.result?.seed, engine: source.result?.engine });
    return true;
  }

  /** "Keep this one" under a preview, pressed by `userId`: only the requester may stop its HD version. */
  keep(requestId: string, userId: string): KeepAnswer {
    const owner = this.previews.get(requestId);
    if (owner === undefined) return 'expired';
    if (owner !== userId) return 'not-yours';
    return this.deps.service.keepPreview(requestId) ? 'kept' : 'expired';
  }

  /**
   * "Add to my stickers": the same take as a WebM video sticker into the tapper's own pack. A sticker Telegram
   * already has (sent with "As sticker") goes in by its file_id; otherwise it is rendered first.
   */
  addToPack(resultId: string, owner: PackOwner): boolean {
    const entry = this.sent.get(resultId);
    if (!entry) return false;
    const { seed, engine } = entry.result ?? {};
    // The tapper asks (their limits, their /cancel), even under someone else's meme in a group.
    const source: JobSource = { ...entry, place: { ...entry.place, name: owner.firstName }, request: { ...entry.request, userId: `telegram:${owner.id}` } };
    const cached = this.cachedFileId(source, 'webm', seed, engine);
    if (!cached) {
      // No file_id cache lookup in run(): it would send the sticker to the chat.
      this.launch(source, { format: 'webm', seed, useCache: false, pack: owner, engine });
      return true;
    }
    const reply = this.packReply(source);
    const emoji = stickerEmoji(this.templateOf(source));
    this.track(
      this.deps.packs.add(owner, { fileId: cached }, emoji).then(
        (added) => announcePack(reply, added),
        async (error: unknown) => {
          const text = packErrorText(error, reply);
          const { chat, replyToMessageId } = source.place;
          const reply_parameters = replyParameters(replyToMessageId, false);
          await this.deps.outbox.toChat(chat, () => this.deps.telegram.sendMessage(chat.chatId, text, { reply_parameters }));
        },
      ),
    );
    return true;
  }

  /**
   * A Replier for a job this bot submitted before a restart (QUEUE_BACKEND=redis): it edits the old status
   * message, sends the result with the usual buttons into the chat and removes the status. Never throws.
   */
  resumeReplier(route: ReplyRoute, jobId: string): Replier {
    const parsed = parseTelegramRoute(route);
    if (!parsed) {
      this.deps.log.warn('pending job has an unreadable Telegram route; its result is dropped', { jobId });
      return DROPPING_REPLIER;
    }
    if (route.upgradeOf !== undefined && parsed.previewMessageId !== undefined) {
      // The HD stage of a preview already in the chat: its result replaces that message; no status line.
      const { telegram, outbox } = this.deps;
      const preview = PreviewMessage.resumed({ telegram, outbox, chat: parsed.source.place.chat, language: parsed.source.language }, route.upgradeOf, parsed.previewMessageId);
      this.previews.set(route.upgradeOf, parsed.source.request.userId);
      return this.replierFor(parsed.source, undefined, parsed.format, parsed.remember, parsed.engine, preview);
    }
    const line = this.openLine(parsed.source, lineText(undefined, parsed.source.language), parsed.statusMessageId);
    if (parsed.pack) return this.packReplierFor(parsed.source, line, { id: parsed.pack.ownerId, firstName: parsed.pack.firstName });
    return this.replierFor(parsed.source, line, parsed.format, parsed.remember, parsed.engine);
  }

  /**
   * The request's line on its chat's status board. A bot message to reuse (the tapped picker, a status from before
   * a restart) becomes the board's message when the chat has none yet; otherwise it is no longer needed.
   */
  private openLine(source: JobSource, text: LineText, reuseMessageId?: number): BoardLine {
    const board = this.boards.of(source.place.chat);
    if (reuseMessageId !== undefined && !board.adopt(reuseMessageId)) this.deleteMessage(source.place.chat, reuseMessageId);
    return board.open(this.labelOf(source), source.place.replyToMessageId, text);
  }

  /** Who asked for what, as a line on a status board: the template (or clip), and in groups the requester. */
  private labelOf(source: JobSource): string {
    const what = source.clip ? TEXTS.ownClip : (this.templateOf(source)?.title ?? source.request.templateId ?? '');
    return source.place.chat.isGroup ? `${source.place.name ?? TEXTS.someone} · ${what}` : what;
  }

  /** The source's template, when it names one the catalog has. */
  private templateOf(source: JobSource) {
    const { templateId } = source.request;
    return templateId && this.deps.templates.has(templateId) ? this.deps.templates.get(templateId) : undefined;
  }

  private deleteMessage(chat: ChatTarget, messageId: number): void {
    void this.deps.outbox.direct(() => this.deps.telegram.deleteMessage(chat.chatId, messageId)).catch(() => {
      // Already gone: nothing to do.
    });
  }

  private async sendCached(source: JobSource, options: LaunchOptions): Promise<boolean> {
    const key = resultCacheKey(source, options.format, options.seed, options.engine);
    const hit = this.fileIds.get(key);
    if (!hit) return false;
    const resultId = newId();
    try {
      const sent = await sendResult(this.deps.telegram, this.deps.outbox, source.place.chat, { fileId: hit.fileId }, options.format, {
        replyToMessageId: source.place.replyToMessageId,
        replyMarkup: options.format === 'mp4' ? resultButtons(resultId) : undefined,
      });
      this.sent.set(resultId, sentFollowUp(source, sent.messageId, { jobId: hit.jobId, seed: options.seed, engine: options.engine }));
    } catch {
      // A file_id can go stale (or a sticker fell back to a document): render instead.
      return false;
    }
    if (options.statusMessageId !== undefined) this.deleteMessage(source.place.chat, options.statusMessageId);
    return true;
  }

  /** The photo and clip bytes, within the configured limits (and the Bot API's 20 MB download cap). */
  private async download(source: JobSource): Promise<{ photo: Buffer; clip?: Buffer }> {
    const { telegram, outbox, service } = this.deps;
    const photo = await downloadFile(telegram, outbox, source.photo, 'IMAGE_TOO_LARGE', service.limits.maxPhotoBytes);
    const clip = source.clip ? await downloadFile(telegram, outbox, source.clip, 'VIDEO_TOO_LARGE', service.limits.maxDriverBytes) : undefined;
    return { photo, clip };
  }

  /** The service's checks (readable, pixels, a face; a readable clip) and the note for a clip that gets trimmed. */
  private async inspect(source: JobSource, inputs: { photo: Buffer; clip?: Buffer }): Promise<CheckedInputs> {
    const checked = await this.deps.service.inspect(inputs);
    if (!checked.clip?.trimmed) return checked;
    const note = clipTrimmedText(checked.clip.durationSec, this.deps.service.limits.maxDriverSeconds, source.language);
    const { chat, replyToMessageId } = source.place;
    await this.deps.outbox.toChat(chat, () =>
      this.deps.telegram.sendMessage(chat.chatId, note, {
        reply_parameters: replyToMessageId ? { message_id: replyToMessageId, allow_sending_without_reply: true } : undefined,
      }),
    );
    return checked;
  }

  /**
   * Checks a photo (and clip) the moment it arrives, before the template picker is shown. Throws the InputError
   * to tell the person; afterwards the source is marked checked. `photo` holds the bytes and what the check saw
   * (its faces, for the face picker).
   */
  async check(source: JobSource): Promise<{ source: JobSource; photo: Buffer; facts?: PhotoFacts }> {
    const inputs = await this.download(source);
    const checked = await this.inspect(source, inputs);
    return { source: { ...source, place: { ...source.place, checked: true } }, photo: inputs.photo, facts: checked.photo };
  }

  private buildRequest(source: JobSource, inputs: { photo: Buffer; clip?: Buffer }, options: LaunchOptions): MemeRequest {
    const driver = inputs.clip && source.clip ? { bytes: inputs.clip, mime: source.clip.mime } : undefined;
    const { request } = source;
    return {
      platform: 'telegram',
      userId: request.userId,
      language: source.language,
      photo: inputs.photo,
      photoMime: source.photo.mime,
      templateId: driver ? undefined : request.templateId,
      driver,
      captions: request.captions,
      noCaption: request.noCaption,
      format: options.format,
      ...telegramOutput(options.format),
      priority: 'full',
      seed: options.seed,
      ...(request.style ? { style: request.style } : {}),
      engine: options.engine,
      // Only an animation is replaced in place (editMessageMedia); stickers and GIF files come once, final.
      upgrade: options.format === 'mp4',
      face: request.face,
    };
  }

  private packReply(source: JobSource): PackReply {
    const { telegram, outbox, botUsername } = this.deps;
    return { telegram, outbox, chat: source.place.chat, replyToMessageId: source.place.replyToMessageId, language: source.language, botUsername };
  }

  private packReplierFor(source: JobSource, line: BoardLine, owner: PackOwner): StickerPackReplier {
    return new StickerPackReplier({
      ...this.packReply(source),
      packs: this.deps.packs,
      owner,
      emoji: stickerEmoji(this.templateOf(source)),
      line,
      log: this.deps.log,
      route: () => toTelegramReplyRoute({ source, statusMessageId: line.messageId, format: 'webm', remember: false, pack: { ownerId: owner.id, firstName: owner.firstName } }),
    });
  }

  private replierFor(source: JobSource, line: BoardLine | undefined, format: OutputFormat, remember: boolean, engine?: EngineName, preview?: PreviewMessage): TelegramReplier {
    return new TelegramReplier({
      telegram: this.deps.telegram,
      outbox: this.deps.outbox,
      chat: source.place.chat,
      line,
      preview,
      language: source.language,
      replyToMessageId: source.place.replyToMessageId,
      newResultId: newId,
      log: this.deps.log,
      route: (previewMessageId) => toTelegramReplyRoute({ source, statusMessageId: line?.messageId, format, remember, previewMessageId, engine }),
      onPreview: (requestId) => this.previews.set(requestId, source.request.userId),
      onSent: (sent, resultId, job, result, kind) => {
        this.previews.delete(job.jobId);
        // A kept preview's variants stay warp's; a result's follow whatever asked for it (auto, by default).
        this.sent.set(resultId, sentFollowUp(source, sent.messageId, { jobId: job.jobId, seed: result.seed, engine: kind === 'kept-preview' ? result.engine : engine }));
        // A kept preview is not what an identical request should get again: that one gets its HD version.
        if (remember && kind === 'result') this.fileIds.set(resultCacheKey(source, format, result.seed, engine), { fileId: sent.fileId, jobId: job.jobId });
      },
    });
  }
}
