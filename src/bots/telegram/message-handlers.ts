// Turns incoming messages into actions: commands (/meme, /drive, /templates, /cancel, /help, /start) and, in
// private chats, a bare photo → the template picker (a group photo first gets its numbered faces to choose
// from). A photo is checked (MemeJobs.check) before any picker is shown, so a bad file gets its reason at once. Long work is handed to MemeJobs without awaiting it.
import { Input } from 'telegraf';
import type { Message } from 'telegraf/types';
import { boundedCache } from '../../bounded-cache.ts';
import type { TemplateCatalog } from '../../templates/template-types.ts';
import { parseCaptions, parseCommand, parseMemeArgs, takeStyle } from './command-parser.ts';
import { codeText, userErrorText } from './error-text.ts';
import { drawFaceNumbers } from '../../pipeline/media/face-numbers.ts';
import type { PhotoFacts } from '../../pipeline/input-inspector.ts';
import { facePicker, pageCount, templatePicker } from './inline-keyboards.ts';
import { INLINE_START_PARAMETER } from './inline-mode.ts';
import type { JobSource, TelegramPlace } from './job-source.ts';
import { type MemeJobs, newId } from './meme-jobs.ts';
import { replyParameters } from './result-sender.ts';
import { clipOf, type FileRef, photoOf } from './telegram-files.ts';
import type { ChatTarget } from './telegram-outbox.ts';
import { HELP_TEXT, START_TEXT, TEXTS } from './telegram-texts.ts';
import type { UpdateHandlerDeps } from './update-handler-deps.ts';

/** A message's source before its photo is known. */
type NewSource = Omit<JobSource, 'photo'>;

export class MessageHandlers {
  /** The last photo each user sent in each chat, for `/drive` sent without a reply. */
  private readonly lastPhotos = boundedCache<string, FileRef>({ maxEntries: 2000 });

  constructor(private readonly deps: UpdateHandlerDeps) {}

  async onMessage(message: Message, botUsername: string | undefined): Promise<void> {
    if (!message.from || message.from.is_bot) return;
    const chat: ChatTarget = { chatId: message.chat.id, isGroup: message.chat.type !== 'private' };
    const userId = `telegram:${message.from.id}`;
    const photo = photoOf(message);
    if (photo) {
      this.lastPhotos.set(`${chat.chatId}:${userId}`, photo);
      this.deps.photos.remember(userId, photo);
    }
    const text = 'text' in message ? message.text : 'caption' in message ? message.caption : undefined;
    const command = parseCommand(text, botUsername);
    const base: NewSource = {
      place: { chat, name: message.from.first_name, replyToMessageId: message.message_id },
      language: message.from.language_code,
      request: { platform: 'telegram', userId },
    };
    const place = base.place;
    switch (command?.name) {
      case 'start':
        // `/start inline`: the user came from inline mode's "Send me a photo first" button.
        if (command.args === INLINE_START_PARAMETER && botUsername) return this.reply(place, TEXTS.inline.started(botUsername));
        return this.reply(place, START_TEXT);
      case 'help':
        return this.reply(place, HELP_TEXT);
      case 'templates':
        return this.reply(place, TEXTS.templateList(this.deps.templates.list()));
      case 'cancel': {
        // Both: jobs with the service, and requests still fetching their files.
        const cancelled = [this.deps.service.cancelForUser(userId), this.deps.jobs.cancelStarting(userId)].some(Boolean);
        return this.reply(place, cancelled ? TEXTS.cancelled : TEXTS.nothingToCancel);
      }
      case 'meme':
        return this.meme(message, command.args, base);
      case 'drive':
        return this.drive(message, command.args, base);
      case undefined:
        break;
      default:
        if (!chat.isGroup) await this.reply(place, HELP_TEXT);
        return;
    }
    // Without a command the bot only answers in private chats; in groups it speaks when spoken to.
    if (chat.isGroup) return;
    if (photo) return this.checkThenPick({ ...base, photo });
    if (clipOf(message)) return this.reply(place, TEXTS.clipHint);
    return this.reply(place, TEXTS.needPhoto);
  }

  /** Checks the photo first: a file that fails gets its reason (with the limit) and no picker. */
  private async checkThenPick(source: JobSource): Promise<void> {
    let checked: Awaited<ReturnType<MemeJobs['check']>>;
    try {
      checked = await this.deps.jobs.check(source);
    } catch (error) {
      return this.reply(source.place, userErrorText(error, source.language));
    }
    const pickId = newId();
    const faceCount = checked.facts?.faces.length ?? 0;
    if (checked.facts && faceCount > 1) await this.showFacePicker(checked.source, pickId, checked.photo, checked.facts);
    return this.showPicker(checked.source, 0, pickId);
  }

  /**
   * A group photo: the photo with its faces boxed and numbered, and a button per face plus "All faces" (the
   * default). A tap changes the choice the template picker with the same id renders with.
   */
  private async showFacePicker(source: JobSource, pickId: string, photo: Buffer, facts: PhotoFacts): Promise<void> {
    const picture = await drawFaceNumbers(photo, facts);
    const { chat, replyToMessageId } = source.place;
    await this.deps.outbox.toChat(chat, () =>
      this.deps.telegram.sendPhoto(chat.chatId, Input.fromBuffer(picture, 'faces.jpg'), {
        caption: TEXTS.pickFace(facts.faces.length),
        reply_markup: facePicker(pickId, facts.faces.length, 'all'),
        reply_parameters: replyParameters(replyToMessageId, true),
      }),
    );
  }

  /** Sends a new picker message for this photo (pickers are remembered by id for the buttons). */
  async showPicker(source: JobSource, page: number, pickId = newId()): Promise<void> {
    this.deps.jobs.pickers.set(pickId, source);
    const templates = this.deps.templates.list();
    const markup = templatePicker(templates, pickId, page);
    const { chat, replyToMessageId } = source.place;
    await this.deps.outbox.toChat(chat, () =>
      this.deps.telegram.sendMessage(chat.chatId, TEXTS.pickTemplate(page, pageCount(templates.length)), {
        reply_markup: markup,
        reply_parameters: replyToMessageId ? { message_id: replyToMessageId, allow_sending_without_reply: true } : undefined,
      }),
    );
  }

  private async meme(message: Message, args: string, base: NewSource): Promise<void> {
    const reply = 'reply_to_message' in message ? (message.reply_to_message as Message | undefined) : undefined;
    const photo = photoOf(message) ?? photoOf(reply);
    if (!photo) return this.reply(base.place, TEXTS.needPhoto);
    const parsed = parseMemeArgs(args);
    const options = { captions: parsed.captions, ...(parsed.noCaption ? { noCaption: true } : {}), ...(parsed.style ? { style: parsed.style } : {}) };
    const source: JobSource = { ...base, photo, request: { ...base.request, ...options } };
    if (parsed.templateId && !this.deps.templates.has(parsed.templateId)) {
      await this.reply(base.place, codeText('UNKNOWN_TEMPLATE', { templateId: parsed.templateId }, base.language));
      return this.checkThenPick(source);
    }
    const templateId = parsed.random ? randomTemplateId(this.deps.templates) : parsed.templateId;
    if (!templateId) return this.checkThenPick(source);
    this.deps.jobs.launch({ ...source, request: { ...source.request, templateId } }, { format: 'mp4' });
  }

  private async drive(message: Message, args: string, base: NewSource): Promise<void> {
    const reply = 'reply_to_message' in message ? (message.reply_to_message as Message | undefined) : undefined;
    const clip = clipOf(message) ?? clipOf(reply);
    if (!clip) return this.reply(base.place, TEXTS.needClip);
    const photo = photoOf(message) ?? photoOf(reply) ?? this.lastPhotos.get(`${base.place.chat.chatId}:${base.request.userId}`);
    if (!photo) return this.reply(base.place, TEXTS.needPhotoForDrive);
    // `/drive [style:NAME] top | bottom`: the args are a style and captions (the clip is the motion).
    const { style, rest } = takeStyle(args);
    this.deps.jobs.launch({ ...base, photo, clip, request: { ...base.request, captions: parseCaptions(rest), ...(style ? { style } : {}) } }, { format: 'mp4' });
  }

  private async reply(place: TelegramPlace, text: string): Promise<void> {
    await this.deps.outbox.toChat(place.chat, () =>
      this.deps.telegram.sendMessage(place.chat.chatId, text, {
        reply_parameters: place.replyToMessageId ? { message_id: place.replyToMessageId, allow_sending_without_reply: true } : undefined,
      }),
    );
  }
}

export function randomTemplateId(templates: TemplateCatalog): string | undefined {
  const list = templates.list();
  return list.length > 0 ? list[Math.floor(Math.random() * list.length)]!.id : undefined;
}
