// Posts a result or a note as a normal channel message once the interaction token can no longer be used,
// falling back to a DM when the channel is gone or closed to the bot. Raw REST; no interaction objects.
import { type REST, type RawFile, Routes } from 'discord.js';
import type { MessageAt, OriginalReplyEdit } from './original-reply.ts';

interface ChannelPost {
  content: string;
  /** Discord user id to mention (and the only mention allowed). */
  mentionUserId: string;
  files?: RawFile[];
  components?: unknown[];
}

/** Discord errors that mean "this channel cannot take the message": unknown channel, no access, no permission. */
const CHANNEL_GONE_CODES = new Set([10003, 50001, 50013]);

function isChannelGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && CHANNEL_GONE_CODES.has(code);
}

async function post(rest: REST, channelId: string, message: ChannelPost): Promise<MessageAt> {
  const posted = (await rest.post(Routes.channelMessages(channelId), {
    body: {
      content: message.content,
      allowed_mentions: { users: [message.mentionUserId] },
      ...(message.components ? { components: message.components } : {}),
    },
    files: message.files,
  })) as { id: string; channel_id?: string };
  return { channelId: posted.channel_id ?? channelId, messageId: posted.id };
}

/** Channel first, then the requester's DMs; resolves to where it went. */
export async function postToChannelOrDm(rest: REST, channelId: string | null, message: ChannelPost): Promise<'channel' | 'dm'> {
  return (await postLocated(rest, channelId, message)).where;
}

/** The same, resolving to the message too (a preview posted there is edited later). */
export async function postLocated(rest: REST, channelId: string | null, message: ChannelPost): Promise<MessageAt & { where: 'channel' | 'dm' }> {
  if (channelId) {
    try {
      return { ...(await post(rest, channelId, message)), where: 'channel' };
    } catch (error) {
      if (!isChannelGone(error)) throw error;
    }
  }
  const dm = (await rest.post(Routes.userChannels(), { body: { recipient_id: message.mentionUserId } })) as { id: string };
  return { ...(await post(rest, dm.id, message)), where: 'dm' };
}

/**
 * Edits a message the bot can reach as itself (Edit Message: its own post, or a non-ephemeral interaction reply in a
 * server that installed it) with the bot's token: what replaces the interaction webhook once its token is too old.
 */
export async function editChannelMessage(rest: REST, at: MessageAt, edit: OriginalReplyEdit): Promise<void> {
  const { content, components, file } = edit;
  const files: RawFile[] | undefined = file ? [{ name: file.name, data: file.bytes, contentType: file.contentType }] : undefined;
  // A new file replaces the old attachments; without one they stay.
  const attachments = file ? { attachments: [{ id: 0, filename: file.name }] } : {};
  await rest.patch(Routes.channelMessage(at.channelId, at.messageId), { body: { content, components, ...attachments }, files });
}
