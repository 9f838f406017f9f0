// One preview on Discord (bots/upgrade/): the warp result in the interaction's reply (or, past the token's life in a
// server that installed the bot, a channel post), saying "HD version on the way…" with a "Keep this one" button.
// Its text follows the HD job (edits paced by the adapter's outbox, never a new message); then the same message gets
// the HelloMeme file, or keeps the preview with a note. It edits through the interaction webhook while the token
// lives (PATCH /webhooks/<app>/<token>/messages/@original) and as the bot afterwards (PATCH /channels/<c>/messages/<m>,
// which reaches a non-ephemeral reply too). What to say and when the token is too old are decided elsewhere.
import type { MemeResult } from '../../pipeline/meme-spec.ts';
import { hdStatusText } from '../messages.ts';
import type { ChatRef } from '../pacing/paced-outbox.ts';
import type { ProgressUpdate } from '../service-types.ts';
import type { AdapterContext } from './adapter-context.ts';
import { editChannelMessage } from './channel-delivery.ts';
import type { Row } from './components.ts';
import type { MessageAt, OriginalReply, OriginalReplyEdit } from './original-reply.ts';
import { isExpiredTokenError } from './token-lifetime.ts';

/** Where the preview is, as a job's route keeps it: the interaction's reply, or a message the bot posted. */
export interface PreviewAt extends MessageAt {
  /** The interaction's own reply (editable through its webhook while the token lives). */
  original: boolean;
}

interface PreviewReplyDeps {
  ctx: AdapterContext;
  /** The interaction's reply, and whether its token may still carry an edit now. */
  reply: () => OriginalReply;
  tokenUsable: () => boolean;
  language?: string;
  /** The "Keep this one" row under the preview. */
  keepRow: () => Row;
  /** Whether the bot may edit the message as itself (a server that installed it; not a user install's reply). */
  editsAsBot: boolean;
}

/** The preview cannot be reached any more (token too old, and the bot may not edit it as itself). */
class PreviewUnreachable extends Error {}

const STATUS = 'hd';

export class PreviewReply {
  #wanted = '';
  #shown = '';
  #kind: 'progress' | 'waiting' = 'waiting';
  #over = false;

  constructor(
    private readonly deps: PreviewReplyDeps,
    readonly at: PreviewAt,
  ) {}

  /** The preview's first text, before the HD job is queued. */
  static text(language?: string): string {
    return hdStatusText(undefined, language);
  }

  /** The HD job moved in line or progressed: the preview says so when the outbox's pace allows. */
  showHd(update: ProgressUpdate): void {
    if (this.#over) return;
    this.#wanted = hdStatusText(update, this.deps.language);
    this.#kind = update.stage === undefined ? 'waiting' : 'progress';
    const show = async () => {
      if (this.#over || this.#wanted === this.#shown || !this.#reachable()) return false;
      const text = this.#wanted;
      await this.#edit({ content: text, components: [this.deps.keepRow().toJSON()] });
      this.#shown = text;
      return true;
    };
    void this.deps.ctx.outbox.status(this.#lane, STATUS, show, () => this.#kind).catch((error: unknown) => this.deps.ctx.log('discord: preview status edit failed', error));
  }

  /** The HD file in place of the preview's, with the result's buttons. */
  async replaceWith(result: MemeResult, content: string, components: Row[]): Promise<void> {
    await this.#end();
    await this.#edit({ content, components: components.map((c) => c.toJSON()), file: { name: `meme.${result.format}`, bytes: result.bytes, contentType: result.mime } });
  }

  /** The preview stays, with a note and the result's buttons. */
  async keep(content: string, components: Row[]): Promise<void> {
    await this.#end();
    await this.#edit({ content, components: components.map((c) => c.toJSON()) });
  }

  get #lane(): ChatRef {
    return { key: `preview:${this.at.channelId}:${this.at.messageId}`, limits: this.deps.ctx.pace };
  }

  async #end(): Promise<void> {
    this.#over = true;
    await this.deps.ctx.outbox.quiet(this.#lane, STATUS);
  }

  #reachable(): boolean {
    return (this.at.original && this.deps.tokenUsable()) || this.deps.editsAsBot;
  }

  /** Through the webhook while the token lives and the preview is the reply; as the bot otherwise. */
  async #edit(edit: OriginalReplyEdit): Promise<void> {
    if (this.at.original && this.deps.tokenUsable()) {
      try {
        await this.deps.reply().edit(edit);
        return;
      } catch (error) {
        // Discord's clock said the token is gone before ours did: try as the bot.
        if (!isExpiredTokenError(error) || !this.deps.editsAsBot) throw error;
      }
    }
    if (!this.deps.editsAsBot) throw new PreviewUnreachable('the preview is past its token and the bot may not edit it');
    await editChannelMessage(this.deps.ctx.rest, this.at, edit);
  }
}
