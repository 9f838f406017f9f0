// Builds Discord message objects (the JSON shape discord.js parses) from what the client sent.
// Only shapes: no routing, no rules.
import type { RecordedFile } from './fake-rest-state.ts';

export interface MessageInput {
  id: string;
  channelId: string;
  author: Record<string, unknown>;
  body: Record<string, unknown> | undefined;
  files: RecordedFile[];
  attachmentBaseUrl: string;
  applicationId?: string;
  /** 20 for a reply to a chat-input interaction, 0 for a plain channel message. */
  type?: number;
}

export function buildMessage(input: MessageInput): Record<string, unknown> {
  const body = input.body ?? {};
  const attachments = input.files.map((file, index) => ({
    id: `${input.id}${index}`,
    filename: file.name,
    size: file.bytes.length,
    url: `${input.attachmentBaseUrl}/${input.channelId}/${input.id}/${file.name}`,
    proxy_url: `${input.attachmentBaseUrl}/${input.channelId}/${input.id}/${file.name}`,
    content_type: file.contentType,
  }));
  return {
    id: input.id,
    channel_id: input.channelId,
    author: input.author,
    content: typeof body.content === 'string' ? body.content : '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments,
    embeds: Array.isArray(body.embeds) ? body.embeds : [],
    pinned: false,
    type: input.type ?? 0,
    flags: typeof body.flags === 'number' ? body.flags : 0,
    components: Array.isArray(body.components) ? body.components : [],
    ...(input.applicationId ? { application_id: input.applicationId, webhook_id: input.applicationId } : {}),
  };
}

/** Applies a PATCH body to a stored message the way Discord does: given fields replace, absent ones stay. */
export function editMessage(
  message: Record<string, unknown>,
  body: Record<string, unknown> | undefined,
  files: RecordedFile[],
  attachmentBaseUrl: string,
): Record<string, unknown> {
  const patch = body ?? {};
  const next: Record<string, unknown> = { ...message, edited_timestamp: new Date().toISOString() };
  for (const key of ['content', 'embeds', 'components', 'flags'] as const) {
    if (key in patch) next[key] = patch[key] ?? (key === 'content' ? '' : []);
  }
  if (files.length > 0 || 'attachments' in patch) {
    const rebuilt = buildMessage({
      id: String(message.id),
      channelId: String(message.channel_id),
      author: message.author as Record<string, unknown>,
      body: undefined,
      files,
      attachmentBaseUrl,
    });
    next.attachments = rebuilt.attachments;
  }
  return next;
}
