// Builds a MemeSession from an interaction's who/where plus the chosen inputs, applying the guild's engine
// setting (where a server installed the bot) and the interaction's upload limit. Also the admin gate check shared
// by every entry point.
import { type Attachment, MessageFlags, type RepliableInteraction, type User } from 'discord.js';
import type { AdapterContext } from './adapter-context.ts';
import { DEFAULT_ATTACHMENT_LIMIT_BYTES, engineForGuild } from './discord-config.ts';
import { TEXT } from './discord-texts.ts';
import { installPlaceOf } from './install-place.ts';
import type { MemeSession } from './meme-sessions.ts';
import type { ParsedMemeOptions, RemoteFile } from './option-parsing.ts';

export function remoteFileOf(attachment: Attachment): RemoteFile {
  return { url: attachment.url, name: attachment.name, sizeBytes: attachment.size, contentType: attachment.contentType ?? undefined };
}

export function avatarOf(user: User): RemoteFile {
  // Static PNG at 512 px: enough for the face stage, small to download.
  const url = user.displayAvatarURL({ extension: 'png', size: 512, forceStatic: true });
  return { url, name: `${user.id}.png`, sizeBytes: 0, contentType: 'image/png' };
}

export function newSession(
  interaction: RepliableInteraction,
  ctx: AdapterContext,
  photo: RemoteFile,
  options: ParsedMemeOptions,
  clip?: RemoteFile,
): MemeSession {
  const place = installPlaceOf(interaction);
  const settings = ctx.guildSettings.get(place.settingsGuildId);
  return ctx.sessions.create({
    place: {
      ownerId: interaction.user.id,
      guildId: place.settingsGuildId,
      channelId: place.webhookOnly ? null : interaction.channelId,
      webhookOnly: place.webhookOnly,
    },
    language: interaction.locale,
    photo,
    ...(clip ? { clip } : {}),
    request: {
      platform: 'discord',
      userId: `discord:${interaction.user.id}`,
      photoMime: photo.contentType,
      ...(options.templateId ? { templateId: options.templateId } : {}),
      ...(options.captions ? { captions: options.captions } : {}),
      ...(options.noCaption ? { noCaption: true } : {}),
      format: options.format,
      ...(options.style ? { style: options.style } : {}),
      maxBytes: interaction.attachmentSizeLimit || DEFAULT_ATTACHMENT_LIMIT_BYTES,
      ...engineForGuild(settings),
    },
  });
}

/** A copy of a session for a follow-up render (new key, same photo and owner, the take its result showed, no job yet). */
export function deriveSession(ctx: AdapterContext, from: MemeSession, request: Partial<MemeSession['request']>): MemeSession {
  const { key: _key, createdAtMs: _at, result, cancelled: _c, stopUpdates: _s, takeOver: _t, ...fields } = from;
  const seed = result?.seed;
  return ctx.sessions.create({ ...fields, request: { ...from.request, ...request }, ...(seed !== undefined ? { result: { seed } } : {}) });
}

/** Answers ephemerally and returns false when the guild's settings refuse this user here. */
export async function passesGate(interaction: RepliableInteraction, ctx: AdapterContext): Promise<boolean> {
  const { settingsGuildId } = installPlaceOf(interaction);
  const settings = ctx.guildSettings.get(settingsGuildId);
  const verdict = ctx.gate.check(settings, settingsGuildId, interaction.channelId, interaction.user.id);
  if (verdict.ok) return true;
  const content = verdict.reason === 'channel' ? TEXT.channelNotAllowed : TEXT.dailyCapReached(verdict.cap);
  await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  return false;
}
