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

/** The fields a message object varies in; the rest is what Discord sends for a plain message. */
export interface MessageFields {
  id: string;
  channelId: string;
  author: Record<string, unknown>;
  content?: string;
  attachments?: unknown[];
  embeds?: unknown[];
  type?: number;
  flags?: number;
  components?: unknown[];
  applicationId?: string;
}

/** A message object as discord.js parses it. */
export function messageObject(fields: MessageFields): Record<string, unknown> {
  return {
    id: fields.id,
    channel_id: fields.channelId,
    author: fields.author,
    content: fields.content ?? '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: fields.attachments ?? [],
    embeds: fields.embeds ?? [],
    pinned: false,
    type: fields.type ?? 0,
    flags: fields.flags ?? 0,
    components: fields.components ?? [],
    ...(fields.applicationId ? { application_id: fields.applicationId, webhook_id: fields.applicationId } : {}),
  };
}

/** The message Discord stores for what the client sent (a reply, an edit's rebuild, a channel post). */
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
  return messageObject({
    id: input.id,
    channelId: input.channelId,
    author: input.author,
    content: typeof body.content === 'string' ? body.content : '',
    attachments,
    embeds: Array.isArray(body.embeds) ? body.embeds : [],
    type: input.type,
    flags: typeof body.flags === 'number' ? body.flags : 0,
    components: Array.isArray(body.components) ? body.components : [],
    applicationId: input.applicationId,
  });
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
