// Where inline results get each template's preview from, so the results list answers at once: a file_id once the
// preview is uploaded to the media chat (TELEGRAM_MEDIA_CHAT_ID), else a URL on the operator's public server
// (TELEGRAM_PREVIEW_BASE_URL), else none (the result is a text entry). It uploads, once, and answers; no results.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Telegram } from 'telegraf';
import { runFfmpeg } from '../../pipeline/media/ffmpeg.ts';
import type { TemplateCatalog, TemplateInfo } from '../../templates/template-types.ts';
import type { Logger } from '../../logger.ts';
import type { TemplatePreview } from './inline-results.ts';
import type { TelegramOutbox } from './telegram-outbox.ts';

interface InlinePreviewsDeps {
  telegram: Telegram;
  outbox: TelegramOutbox;
  templates: TemplateCatalog;
  log: Logger;
  mediaChatId?: number;
  previewBaseUrl?: string;
}

/** The preview GIF as an H.264 MP4 (what sendAnimation stores and mpeg4_gif results show), without audio. */
async function previewMp4(template: TemplateInfo): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'memeloom-preview-'));
  const out = path.join(dir, `${template.id}.mp4`);
  try {
    // Even sides for yuv420p; faststart so Telegram can show it while it loads.
    const args = ['-v', 'error', '-y', '-i', template.previewPath, '-an', '-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', out];
    await runFfmpeg(args, { stdoutToBuffer: false, timeoutMs: 60_000 });
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export class InlinePreviews {
  readonly #fileIds = new Map<string, string>();

  constructor(private readonly deps: InlinePreviewsDeps) {}

  preview(templateId: string): TemplatePreview {
    const fileId = this.#fileIds.get(templateId);
    if (fileId) return { fileId };
    const base = this.deps.previewBaseUrl?.replace(/\/+$/, '');
    if (!base) return undefined;
    const url = `${base}/templates/${encodeURIComponent(templateId)}/preview.gif`;
    return { url, thumbnailUrl: url };
  }

  /** Uploads every template's preview to the media chat, one at a time (paced like any message there). Never throws. */
  async warm(): Promise<void> {
    const chatId = this.deps.mediaChatId;
    if (chatId === undefined) return;
    const chat = { chatId, isGroup: chatId < 0 };
    for (const template of this.deps.templates.list()) {
      try {
        const bytes = await previewMp4(template);
        const sent = await this.deps.outbox.toChat(chat, () =>
          this.deps.telegram.sendAnimation(chatId, { source: bytes, filename: `${template.id}.mp4` }, { caption: template.id, disable_notification: true }),
        );
        this.#fileIds.set(template.id, sent.animation.file_id);
      } catch (error) {
        this.deps.log.warn('could not upload a template preview to the media chat', { templateId: template.id, error });
      }
    }
  }
}
