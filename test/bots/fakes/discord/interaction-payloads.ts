// INTERACTION_CREATE payloads in Discord's v10 shape: slash commands, autocomplete, context menus, buttons and
// selects, from a server (default: installed there), the bot's DM, or a DM / group DM through a user install.
// Builders only; the fake checks, registers and dispatches them.
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

export const GROUP_DM_ID = '1500000000000000001';

/**
 * Where the interaction happens. `guild`: a server, by default one that installed the bot (userInstall adds the
 * invoker's own install; guildInstalled false is a server that never invited it). `bot-dm`: the DM with the bot.
 * `group-dm` / `dm`: a group DM or a DM between people, reachable only through the `authorizer`'s user install
 * (the invoker's own for commands; a button keeps the install of the one who ran the command).
 */
export type Where =
  | { kind: 'guild'; guildInstalled?: boolean; userInstalled?: boolean }
  | { kind: 'bot-dm'; guildInstalled?: boolean; userInstalled?: boolean }
  | { kind: 'group-dm' | 'dm'; authorizer?: string; channelId?: string };

interface BaseOptions {
  user: FakeUser;
  channelId?: string;
  attachmentSizeLimit?: number;
  /** The member's permission bits in the channel; the default lacks Manage Server (32). */
  permissions?: string;
  where?: Where;
}

/** `app_permissions` outside servers: ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE, plus USE_EXTERNAL_EMOJIS in the bot's DM. */
const DM_APP_PERMISSIONS = String((1n << 15n) | (1n << 14n) | (1n << 17n));
const BOT_DM_APP_PERMISSIONS = String((1n << 15n) | (1n << 14n) | (1n << 17n) | (1n << 18n));
const GUILD_PERMISSIONS = '2248473465835073';

function userObject(user: FakeUser): Record<string, unknown> {
  return { ...user, discriminator: '0', global_name: user.username };
}

function owners(guildInstall: string | undefined, userInstall: string | undefined): Record<string, string> {
  return { ...(guildInstall !== undefined ? { '0': guildInstall } : {}), ...(userInstall !== undefined ? { '1': userInstall } : {}) };
}

/** The place-dependent fields: guild/member or user, channel, context, installs, app permissions. */
function placeFields(options: BaseOptions): Record<string, unknown> {
  const where = options.where ?? { kind: 'guild' };
  const invoker = userObject(options.user);
  if (where.kind === 'guild') {
    const channelId = options.channelId ?? CHANNEL_ID;
    const installedHere = where.guildInstalled ?? true;
    return {
      guild_id: GUILD_ID,
      channel_id: channelId,
      channel: { id: channelId, type: 0, guild_id: GUILD_ID, name: 'memes', position: 0, permission_overwrites: [], nsfw: false, parent_id: null },
      member: { user: invoker, roles: [], joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0, permissions: options.permissions ?? GUILD_PERMISSIONS },
      app_permissions: GUILD_PERMISSIONS,
      guild_locale: 'en-US',
      context: 0,
      authorizing_integration_owners: owners(installedHere ? GUILD_ID : undefined, where.userInstalled ? options.user.id : undefined),
    };
  }
  if (where.kind === 'bot-dm') {
    const channelId = options.channelId ?? '1600000000000000001';
    return {
      user: invoker,
      channel_id: channelId,
      channel: { id: channelId, type: 1, flags: 0, last_message_id: null, recipients: [invoker] },
      app_permissions: BOT_DM_APP_PERMISSIONS,
      context: 1,
      authorizing_integration_owners: owners(where.guildInstalled ? '0' : undefined, (where.userInstalled ?? true) ? options.user.id : undefined),
    };
  }
  const channelId = where.channelId ?? options.channelId ?? GROUP_DM_ID;
  const channel =
    where.kind === 'group-dm'
      ? { id: channelId, type: 3, name: 'meme friends', icon: null, owner_id: options.user.id, flags: 0, last_message_id: null, recipients: [invoker] }
      : { id: channelId, type: 1, flags: 0, last_message_id: null, recipients: [invoker] };
  return {
    user: invoker,
    channel_id: channelId,
    channel,
    app_permissions: DM_APP_PERMISSIONS,
    context: 2,
    authorizing_integration_owners: owners(undefined, where.authorizer ?? options.user.id),
  };
}

function base(type: number, data: Record<string, unknown>, options: BaseOptions, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: nextId(),
    application_id: FAKE_APPLICATION_ID,
    type,
    data,
    ...placeFields(options),
    token: `tok-${randomBytes(12).toString('hex')}`,
    version: 1,
    locale: 'en-US',
    entitlements: [],
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
export function userMessage(author: FakeUser, attachments: FakeAttachment[], channelId = CHANNEL_ID): Record<string, unknown> {
  return messageObject({ id: nextId(), channelId, author: userObject(author), content: 'look at this', attachments });
}

/** Custom ids of every button/select in a stored message's component rows. */
export function componentIds(message: Record<string, unknown> | undefined): string[] {
  const rows = (message?.components ?? []) as Array<{ components?: Array<{ custom_id?: string }> }>;
  return rows.flatMap((row) => (row.components ?? []).map((c) => c.custom_id ?? '')).filter(Boolean);
}
