// Handles inline-button taps: template picks and picker pages, a group photo's face choice, and the buttons
// under a result (another take, other template, as sticker, as GIF file, add to my stickers). Every tap is answered
// so the client stops its spinner.
import type { Telegram } from 'telegraf';
import type { CallbackQuery } from 'telegraf/types';
import type { TemplateCatalog } from '../../templates/template-types.ts';
import { type CallbackAction, decodeCallback } from './callback-data.ts';
import { facePicker, pageCount, templatePicker } from './inline-keyboards.ts';
import type { JobSource } from './job-source.ts';
import type { MemeJobs } from './meme-jobs.ts';
import { type MessageHandlers, randomTemplateId } from './message-handlers.ts';
import { isNotModified, type TelegramOutbox } from './telegram-outbox.ts';
import { TEXTS } from './telegram-texts.ts';

/** How many face buttons the tapped face picker has (its keyboard is the record; nothing else is kept). */
function facePickerSize(message: NonNullable<CallbackQuery['message']>): number {
  const rows = ('reply_markup' in message ? message.reply_markup?.inline_keyboard : undefined) ?? [];
  return rows.flat().filter((button) => 'callback_data' in button && /^f\|[^|]+\|\d+$/.test(button.callback_data)).length;
}

interface CallbackHandlerDeps {
  telegram: Telegram;
  outbox: TelegramOutbox;
  templates: TemplateCatalog;
  jobs: MemeJobs;
  messages: MessageHandlers;
}

export class CallbackHandlers {
  constructor(private readonly deps: CallbackHandlerDeps) {}

  async onCallback(query: CallbackQuery): Promise<void> {
    const action = decodeCallback('data' in query ? query.data : undefined);
    if (action?.kind === 'keep') return this.keep(action.requestId, query);
    const handled = action ? await this.dispatch(action, query) : false;
    await this.deps.outbox
      .direct(() => this.deps.telegram.answerCbQuery(query.id, handled ? undefined : TEXTS.expired, handled ? undefined : { show_alert: true }))
      .catch(() => {
        // A tap answered late (over ~15 s) is refused by Telegram; the action itself already ran.
      });
  }

  private async dispatch(action: CallbackAction, query: CallbackQuery): Promise<boolean> {
    const { jobs } = this.deps;
    switch (action.kind) {
      case 'pick':
      case 'random': {
        const templateId = action.kind === 'pick' ? action.templateId : randomTemplateId(this.deps.templates);
        return this.startFromPicker(action.pickId, templateId, query);
      }
      case 'page':
        return this.turnPage(action.pickId, action.page, query);
      case 'face':
        return this.chooseFace(action.pickId, action.face, query);
      case 'reroll':
        return jobs.reroll(action.resultId);
      case 'other': {
        const entry = jobs.sentEntry(action.resultId);
        if (!entry) return false;
        // The same photo and options under the result, for a template of their choice: a new request, no result yet.
        const { templateId: _template, ...request } = entry.request;
        await this.deps.messages.showPicker({ ...entry, request, result: undefined }, 0);
        return true;
      }
      case 'sticker':
        return jobs.variant(action.resultId, 'webm');
      case 'gif':
        return jobs.variant(action.resultId, 'gif');
      case 'pack':
        // The pack is the tapper's own, even under someone else's meme in a group.
        return jobs.addToPack(action.resultId, { id: query.from.id, firstName: query.from.first_name });
      case 'keep':
        return false; // answered by keep()
    }
  }

  /** "Keep this one": the requester's choice stops the HD version; the preview's caption then says it was kept. */
  private async keep(requestId: string, query: CallbackQuery): Promise<void> {
    const answer = this.deps.jobs.keep(requestId, `telegram:${query.from.id}`);
    const text = answer === 'kept' ? TEXTS.kept : answer === 'not-yours' ? TEXTS.notYourPreview : TEXTS.expired;
    await this.deps.outbox.direct(() => this.deps.telegram.answerCbQuery(query.id, text, { show_alert: answer !== 'kept' })).catch(() => {
      // Answered too late: the preview's caption says what happened anyway.
    });
  }

  private startFromPicker(pickId: string, templateId: string | undefined, query: CallbackQuery): boolean {
    const source = this.deps.jobs.pickers.get(pickId);
    const message = query.message;
    if (!source || !message || !templateId || !this.deps.templates.has(templateId)) return false;
    // One job per picker: the picker message becomes its status, so a second tap finds it expired.
    this.deps.jobs.pickers.delete(pickId);
    // The person who tapped is the requester (limits and /cancel are theirs), even in a group.
    const tapped: JobSource = {
      ...source,
      place: { ...source.place, name: query.from.first_name },
      language: query.from.language_code,
      request: { ...source.request, templateId, userId: `telegram:${query.from.id}` },
    };
    this.deps.jobs.launch(tapped, { format: 'mp4', statusMessageId: message.message_id });
    return true;
  }

  /** A face picker tap: the template picker of the same photo now renders with that choice; the tick moves. */
  private async chooseFace(pickId: string, face: 'all' | number, query: CallbackQuery): Promise<boolean> {
    const source = this.deps.jobs.pickers.get(pickId);
    const message = query.message;
    if (!source || !message) return false;
    this.deps.jobs.pickers.set(pickId, { ...source, request: { ...source.request, face } });
    const count = facePickerSize(message);
    await this.deps.outbox
      .toChat(source.place.chat, () => this.deps.telegram.editMessageReplyMarkup(source.place.chat.chatId, message.message_id, undefined, facePicker(pickId, count, face)))
      .catch((error: unknown) => {
        if (!isNotModified(error)) throw error;
      });
    return true;
  }

  private async turnPage(pickId: string, page: number, query: CallbackQuery): Promise<boolean> {
    const source = this.deps.jobs.pickers.get(pickId);
    const message = query.message;
    if (!source || !message) return false;
    const templates = this.deps.templates.list();
    const text = TEXTS.pickTemplate(page, pageCount(templates.length));
    await this.deps.outbox
      .toChat(source.place.chat, () => this.deps.telegram.editMessageText(source.place.chat.chatId, message.message_id, undefined, text, { reply_markup: templatePicker(templates, pickId, page) }))
      .catch((error: unknown) => {
        if (!isNotModified(error)) throw error;
      });
    return true;
  }
}
