// Posts a result or a note as a normal channel message once the interaction token can no longer be used,
// falling back to a DM when the channel is gone or closed to the bot. Raw REST; no interaction objects.
import { type REST, type RawFile, Routes } from 'discord.js';

export interface ChannelPost {
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

async function post(rest: REST, channelId: string, message: ChannelPost): Promise<void> {
  await rest.post(Routes.channelMessages(channelId), {
    body: {
      content: message.content,
      allowed_mentions: { users: [message.mentionUserId] },
      ...(message.components ? { components: message.components } : {}),
    },
    files: message.files,
  });
}

/** Channel first, then the requester's DMs; resolves to where it went. */
export async function postToChannelOrDm(rest: REST, channelId: string | null, message: ChannelPost): Promise<'channel' | 'dm'> {
  if (channelId) {
    try {
      await post(rest, channelId, message);
      return 'channel';
    } catch (error) {
      if (!isChannelGone(error)) throw error;
    }
  }
  const dm = (await rest.post(Routes.userChannels(), { body: { recipient_id: message.mentionUserId } })) as { id: string };
  await post(rest, dm.id, message);
  return 'dm';
}
