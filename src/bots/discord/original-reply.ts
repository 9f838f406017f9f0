// The deferred reply of one interaction, reachable two ways: through the live discord.js interaction, or after a
// bot restart through the interaction webhook (application id + token) over raw REST. Same calls either way;
// it never decides when the token is too old (token-lifetime.ts) or what to say.
import {
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  MessageFlags,
  type RawFile,
  type REST,
  type RepliableInteraction,
  Routes,
} from 'discord.js';

interface ReplyFile {
  name: string;
  bytes: Buffer;
  contentType: string;
}

export interface OriginalReplyEdit {
  content: string;
  /** Action rows as API JSON (builders' toJSON()). */
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  file?: ReplyFile;
}

/** Where a message is: what the bot's own Edit Message endpoint needs once the interaction token is too old. */
export interface MessageAt {
  channelId: string;
  messageId: string;
}

export interface OriginalReply {
  /** What the interaction webhook is addressed by; stored in the job's route. */
  readonly applicationId: string;
  readonly token: string;
  /** Edits the reply; resolves to where it is (undefined when the platform did not say). */
  edit(message: OriginalReplyEdit): Promise<MessageAt | undefined>;
  /** Removes the public "thinking…" reply and says `text` to the requester only. */
  replyPrivately(text: string): Promise<void>;
}

/** Removes the public "thinking…" reply and says `text` to the requester only. */
export async function replyPrivately(interaction: RepliableInteraction, text: string): Promise<void> {
  if (!interaction.deferred && !interaction.replied) {
    await interaction.reply({ content: text, flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deleteReply().catch(() => {});
  await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral });
}

export function liveOriginalReply(interaction: RepliableInteraction): OriginalReply {
  return {
    applicationId: interaction.applicationId,
    token: interaction.token,
    async edit({ content, components, file }) {
      const files = file ? [{ attachment: file.bytes, name: file.name }] : undefined;
      const edited = await interaction.editReply({ content, components, ...(files ? { files } : {}) });
      return { channelId: edited.channelId, messageId: edited.id };
    },
    replyPrivately: (text) => replyPrivately(interaction, text),
  };
}

/** The same reply after a restart: the interaction object is gone, its webhook (token) is not, for 15 minutes. */
export function webhookOriginalReply(rest: REST, applicationId: string, token: string): OriginalReply {
  const original = Routes.webhookMessage(applicationId, token, '@original');
  return {
    applicationId,
    token,
    async edit({ content, components, file }) {
      const files: RawFile[] | undefined = file ? [{ name: file.name, data: file.bytes, contentType: file.contentType }] : undefined;
      const attachments = file ? { attachments: [{ id: 0, filename: file.name }] } : {};
      // Interaction webhooks take the token in the path, not the bot's Authorization header.
      const edited = (await rest.patch(original, { auth: false, body: { content, components, ...attachments }, files })) as { id?: string; channel_id?: string } | undefined;
      return edited?.id && edited.channel_id ? { channelId: edited.channel_id, messageId: edited.id } : undefined;
    },
    async replyPrivately(text) {
      await rest.delete(original, { auth: false }).catch(() => {});
      await rest.post(Routes.webhook(applicationId, token), { auth: false, body: { content: text, flags: MessageFlags.Ephemeral } });
    },
  };
}
