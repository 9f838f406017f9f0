// Builds the buttons, select menus and gallery embeds the adapter attaches to its messages.
// Presentation only: the meaning of each control is in its custom_id (custom-ids.ts).
import {
  ActionRowBuilder,
  type APIEmbed,
  ButtonBuilder,
  ButtonStyle,
  StringSelectMenuBuilder,
} from 'discord.js';
import type { FaceChoice } from '../../pipeline/face/face-choice.ts';
import type { TemplateInfo } from '../../templates/template-types.ts';
import { encodeComponentId } from './custom-ids.ts';
import { LABELS, TEXT } from './discord-texts.ts';

const GALLERY_PAGE_SIZE = 10;
/** Discord allows at most 25 options in one select menu. */
const MAX_SELECT_OPTIONS = 25;

export type Row = ActionRowBuilder<ButtonBuilder> | ActionRowBuilder<StringSelectMenuBuilder>;

function button(label: string, customId: string, style = ButtonStyle.Secondary): ButtonBuilder {
  return new ButtonBuilder().setLabel(label).setCustomId(customId).setStyle(style);
}

/** Shown while the job waits or runs. */
export function runningRow(sessionKey: string, ownerId: string): ActionRowBuilder<ButtonBuilder> {
  const cancel = button(LABELS.cancel, encodeComponentId({ action: 'cancel', arg: sessionKey, ownerId }), ButtonStyle.Danger);
  return new ActionRowBuilder<ButtonBuilder>().addComponents(cancel);
}

/** Shown when a render outlives the interaction token of a webhook-only reply: fetch it with a fresh token. */
export function handoverRow(sessionKey: string, ownerId: string): ActionRowBuilder<ButtonBuilder> {
  const show = button(LABELS.showMyMeme, encodeComponentId({ action: 'resume', arg: sessionKey, ownerId }), ButtonStyle.Primary);
  const cancel = button(LABELS.cancel, encodeComponentId({ action: 'cancel', arg: sessionKey, ownerId }), ButtonStyle.Danger);
  return new ActionRowBuilder<ButtonBuilder>().addComponents(show, cancel);
}

/** Under a preview whose HD version is on the way: stops it, and the preview becomes the result. */
export function keepRow(sessionKey: string, ownerId: string): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(button(LABELS.keepThisOne, encodeComponentId({ action: 'keep', arg: sessionKey, ownerId }), ButtonStyle.Secondary));
}

/** Shown under a finished meme; the MP4 button only under GIFs. */
export function resultRow(sessionKey: string, ownerId: string, format: string): ActionRowBuilder<ButtonBuilder> {
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    button(LABELS.anotherTake, encodeComponentId({ action: 'again', arg: sessionKey, ownerId }), ButtonStyle.Primary),
    button(LABELS.otherTemplate, encodeComponentId({ action: 'other', arg: sessionKey, ownerId })),
  );
  if (format === 'gif') row.addComponents(button(LABELS.mp4, encodeComponentId({ action: 'mp4', arg: sessionKey, ownerId })));
  return row;
}

/** A select of templates (first 25 by title); picking one renders the session's photo with it. */
export function templateSelectRow(templates: TemplateInfo[], sessionKey: string, ownerId: string): ActionRowBuilder<StringSelectMenuBuilder> {
  const options = [...templates]
    .sort((a, b) => a.title.localeCompare(b.title))
    .slice(0, MAX_SELECT_OPTIONS)
    .map((t) => ({ label: t.title.slice(0, 100), value: t.id, description: t.tags.join(', ').slice(0, 100) || undefined }));
  const select = new StringSelectMenuBuilder()
    .setCustomId(encodeComponentId({ action: 'pick', arg: sessionKey, ownerId }))
    .setPlaceholder(LABELS.pickTemplate)
    .addOptions(options);
  return new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(select);
}

/**
 * A group photo's face select: "All faces" (the default), then "Face 1".."Face n" in reading order, as numbered
 * on the attached picture; the current choice is the selected option. `action` says what picking one does.
 */
export function faceSelectRow(faceCount: number, chosen: FaceChoice, sessionKey: string, ownerId: string, action: 'face' | 'reface'): ActionRowBuilder<StringSelectMenuBuilder> {
  const options = [
    { label: LABELS.allFaces, value: 'all', default: chosen === 'all' || chosen === 'largest' },
    ...Array.from({ length: Math.min(faceCount, MAX_SELECT_OPTIONS - 1) }, (_, i) => ({ label: LABELS.face(i + 1), value: String(i + 1), default: chosen === i + 1 })),
  ];
  const select = new StringSelectMenuBuilder()
    .setCustomId(encodeComponentId({ action, arg: sessionKey, ownerId }))
    .setPlaceholder(LABELS.pickFace)
    .addOptions(options);
  return new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(select);
}

function galleryPageCount(templateCount: number): number {
  return Math.max(1, Math.ceil(templateCount / GALLERY_PAGE_SIZE));
}

/** One gallery page: an embed listing templates and Previous/Next buttons. */
export function galleryPage(templates: TemplateInfo[], page: number, ownerId: string): { embeds: APIEmbed[]; components: Row[] } {
  const pages = galleryPageCount(templates.length);
  const current = Math.min(Math.max(0, page), pages - 1);
  const sorted = [...templates].sort((a, b) => a.title.localeCompare(b.title));
  const shown = sorted.slice(current * GALLERY_PAGE_SIZE, (current + 1) * GALLERY_PAGE_SIZE);
  const embed: APIEmbed = {
    title: TEXT.galleryTitle(current, pages),
    description: shown.map((t) => `**${t.title}** \`${t.id}\`${t.tags.length ? ` · ${t.tags.join(', ')}` : ''}`).join('\n'),
    footer: { text: TEXT.galleryFooter },
  };
  const nav = new ActionRowBuilder<ButtonBuilder>().addComponents(
    button(LABELS.previous, encodeComponentId({ action: 'gallery', arg: String(current - 1), ownerId })).setDisabled(current === 0),
    button(LABELS.next, encodeComponentId({ action: 'gallery', arg: String(current + 1), ownerId })).setDisabled(current >= pages - 1),
  );
  return { embeds: [embed], components: [nav] };
}
