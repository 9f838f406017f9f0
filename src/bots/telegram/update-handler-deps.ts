// What the handlers of incoming updates (messages, inline queries and chosen inline results) work with: one set,
// built once by start-telegram.ts and handed to each, so they share the same jobs, photos and outbox.
import type { Telegram } from 'telegraf';
import type { Logger } from '../../logger.ts';
import type { TemplateCatalog } from '../../templates/template-types.ts';
import type { MemeService } from '../service-types.ts';
import type { InlinePreviews } from './inline-previews.ts';
import type { MemeJobs } from './meme-jobs.ts';
import type { RecentPhotos } from './recent-photos.ts';
import type { TelegramOutbox } from './telegram-outbox.ts';

export interface UpdateHandlerDeps {
  telegram: Telegram;
  outbox: TelegramOutbox;
  service: MemeService;
  templates: TemplateCatalog;
  jobs: MemeJobs;
  /** Every photo a user sends is their latest for inline mode. */
  photos: RecentPhotos;
  previews: InlinePreviews;
  log: Logger;
  /** TELEGRAM_MEDIA_CHAT_ID: where inline mode uploads a meme to get its file_id. */
  mediaChatId?: number;
}
