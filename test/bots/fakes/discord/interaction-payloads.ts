// INTERACTION_CREATE payloads in Discord's v10 shape (guild context): slash commands, autocomplete,
// context menus, buttons and selects. Builders only; the fake registers and dispatches them.
import { randomBytes } from 'node:crypto';
import { messageObject } from './discord-messages.ts';
import { FAKE_APPLICATION_ID } from './fake-discord.ts';

export const GUILD_ID = '1200000000000000001';
export const CHANNEL_ID = '1300000000000000001';

export interface FakeUser {
  id: string;
  username: string;
  avatar: string | null;
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type: string;
}

let counter = 0;

function nextId(): string {
  counter += 1;
  return (((BigInt(Date.now()) - 1_420_070_400_000n) << 22n) | BigInt(1000 + counter)).toString();
}

export function attachment(url: string, filename: string, size: number, contentType: string): FakeAttachment {
  return { id: nextId(), filename, size, url, proxy_url: url, content_type: contentType };
}

interface BaseOptions {
  user: FakeUser;
  channelId?: string;
  attachmentSizeLimit?: number;
  /** The member's permission bits in the channel; the default lacks Manage Server (32). */
  permissions?: string;
}

function base(type: number, data: Record<string, unknown>, options: BaseOptions, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const channelId = options.channelId ?? CHANNEL_ID;
  return {
    id: nextId(),
    application_id: FAKE_APPLICATION_ID,
    type,
    data,
    guild_id: GUILD_ID,
    channel_id: channelId,
    channel: { id: channelId, type: 0, guild_id: GUILD_ID, name: 'memes', position: 0, permission_overwrites: [], nsfw: false, parent_id: null },
    member: {
      user: { ...options.user, discriminator: '0', global_name: options.user.username },
      roles: [],
      joined_at: '2024-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
      permissions: options.permissions ?? '2248473465835073',
    },
    token: `tok-${randomBytes(12).toString('hex')}`,
    version: 1,
    app_permissions: '2248473465835073',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': GUILD_ID },
    context: 0,
    attachment_size_limit: options.attachmentSizeLimit ?? 10 * 1024 * 1024,
    ...extra,
  };
}

export type CommandOption = { name: string; type: number; value?: unknown; focused?: boolean; options?: CommandOption[] };

/** A guild text channel as it appears in `resolved.channels`. */
export function resolvedChannel(id: string, name: string): Record<string, unknown> {
  return { id, name, type: 0, permissions: '2248473465835073', parent_id: null };
}

/** A chat-input command; attachment options reference `resolved.attachments` by id. */
export function chatInput(name: string, options: CommandOption[], resolved: Record<string, unknown>, opts: BaseOptions): Record<string, unknown> {
  return base(2, { id: nextId(), name, type: 1, options, resolved }, opts);
}

export function autocomplete(name: string, options: CommandOption[], opts: BaseOptions): Record<string, unknown> {
  return base(4, { id: nextId(), name, type: 1, options }, opts);
}

export function messageContext(name: string, target: Record<string, unknown>, opts: BaseOptions): Record<string, unknown> {
  return base(2, { id: nextId(), name, type: 3, target_id: target.id, resolved: { messages: { [String(target.id)]: target } } }, opts);
}

export function userContext(name: string, target: FakeUser, opts: BaseOptions): Record<string, unknown> {
  const user = { ...target, discriminator: '0', global_name: target.username };
  return base(2, { id: nextId(), name, type: 2, target_id: target.id, resolved: { users: { [target.id]: user } } }, opts);
}

/** A button press on `message` (a message object as the fake stored it). */
export function buttonPress(customId: string, message: Record<string, unknown>, opts: BaseOptions): Record<string, unknown> {
  return base(3, { custom_id: customId, component_type: 2 }, opts, { message });
}

export function selectPick(customId: string, values: string[], message: Record<string, unknown>, opts: BaseOptions): Record<string, unknown> {
  return base(3, { custom_id: customId, component_type: 3, values }, opts, { message });
}

/** A user's plain message carrying attachments, as a context-menu target. */
export function userMessage(author: FakeUser, attachments: FakeAttachment[]): Record<string, unknown> {
  return messageObject({ id: nextId(), channelId: CHANNEL_ID, author: { ...author, discriminator: '0', global_name: author.username }, content: 'look at this', attachments });
}

/** Custom ids of every button/select in a stored message's component rows. */
export function componentIds(message: Record<string, unknown> | undefined): string[] {
  const rows = (message?.components ?? []) as Array<{ components?: Array<{ custom_id?: string }> }>;
  return rows.flatMap((row) => (row.components ?? []).map((c) => c.custom_id ?? '')).filter(Boolean);
}
