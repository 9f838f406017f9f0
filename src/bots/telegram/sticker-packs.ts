// Each user's own video sticker packs, kept by the Bot API itself (no state here, so a restart loses nothing):
// pack N of a user is `memes_<user id>[_N]_by_<bot>` (letters, digits, single underscores, a letter first,
// ending in _by_<bot username>, at most 64 characters). Adding a sticker uploads the WebM once
// (uploadStickerFile, sticker_format=video: telegraf cannot attach files inside InputSticker JSON), then fills the
// first pack with room: getStickerSet to see it, createNewStickerSet on first use, addStickerToSet after that.
// A full pack (120 stickers) moves on to the next; a name taken meanwhile or a pack deleted in @Stickers too.
import type { Telegram } from 'telegraf';
import { TelegramError } from 'telegraf';
import type { Convenience as tt } from 'telegraf/types';
import { MAX_STICKERS_PER_SET } from './telegram-config.ts';
import type { TelegramOutbox } from './telegram-outbox.ts';

/** Packs tried per user before giving up: 10 × 120 stickers. */
export const MAX_PACKS_PER_USER = 10;
const MAX_SET_NAME = 64;
const MAX_TITLE = 64;

/**
 * InputSticker as the Bot API has it since 7.2 (each sticker names its own format; createNewStickerSet no longer
 * takes sticker_format). telegraf 4.16's typings predate that, hence the casts where it is passed.
 */
interface VideoInputSticker {
  sticker: string;
  format: 'video';
  emoji_list: string[];
}

export interface PackOwner {
  /** Telegram user id: the owner of the set (they can edit it in @Stickers). */
  id: number;
  firstName: string;
}

export interface AddedSticker {
  name: string;
  title: string;
  /** https://t.me/addstickers/<name> */
  link: string;
  /** The pack that was full, when this sticker started the next one. */
  fullTitle?: string;
}

/** Why a sticker could not be added, for the user's message. */
export class PackError extends Error {
  constructor(readonly reason: 'all-full' | 'not-started') {
    super(`sticker pack: ${reason}`);
  }
}

function packName(ownerId: number, index: number, botUsername: string): string {
  const name = `memes_${ownerId}${index > 1 ? `_${index}` : ''}_by_${botUsername}`;
  if (name.length > MAX_SET_NAME || name.includes('__')) throw new Error(`sticker set name not allowed by Telegram: ${name}`);
  return name;
}

/** "Anna's memes", "Anna's memes 2"; a first name too long for the 64-character title is shortened. */
export function packTitle(firstName: string, index: number): string {
  const suffix = index > 1 ? ` ${index}` : '';
  const name = firstName.trim();
  if (!name) return `My memes${suffix}`;
  const tail = `'s memes${suffix}`;
  const room = MAX_TITLE - tail.length;
  return `${name.length > room ? `${name.slice(0, room - 1)}…` : name}${tail}`;
}

function described(error: unknown, pattern: RegExp): boolean {
  return error instanceof TelegramError && error.code === 400 && pattern.test(error.description);
}

const SET_MISSING = /STICKERSET_INVALID/i;
const SET_FULL = /STICKERS_TOO_MUCH/i;
const NAME_TAKEN = /already occupied|STICKERSET_NAME_OCCUPIED/i;
/** The user never opened a chat with the bot: Telegram will not make them a pack. */
const UNKNOWN_USER = /PEER_ID_INVALID|USER_ID_INVALID|user not found|bot was blocked/i;

interface StickerPacksDeps {
  telegram: Telegram;
  outbox: TelegramOutbox;
  botUsername: () => string;
}

export class StickerPacks {
  constructor(private readonly deps: StickerPacksDeps) {}

  /** Adds the sticker (WebM bytes, or the file_id of a video sticker Telegram has) to the owner's first pack with room. */
  async add(owner: PackOwner, sticker: { bytes: Buffer } | { fileId: string }, emoji: string[]): Promise<AddedSticker> {
    try {
      const fileId = 'fileId' in sticker ? sticker.fileId : await this.upload(owner, sticker.bytes);
      return await this.place(owner, { sticker: fileId, format: 'video', emoji_list: emoji });
    } catch (error) {
      if (described(error, UNKNOWN_USER) || (error instanceof TelegramError && error.code === 403)) throw new PackError('not-started');
      throw error;
    }
  }

  private async upload(owner: PackOwner, bytes: Buffer): Promise<string> {
    const { telegram, outbox } = this.deps;
    const file = await outbox.direct(() => telegram.uploadStickerFile(owner.id, { source: bytes, filename: 'sticker.webm' }, 'video'));
    return file.file_id;
  }

  private async place(owner: PackOwner, sticker: VideoInputSticker): Promise<AddedSticker> {
    const { telegram, outbox, botUsername } = this.deps;
    let fullTitle: string | undefined;
    for (let index = 1; index <= MAX_PACKS_PER_USER; index++) {
      const name = packName(owner.id, index, botUsername());
      const title = packTitle(owner.firstName, index);
      const added = { name, title, link: `https://t.me/addstickers/${name}`, fullTitle };
      const set = await outbox.direct(() => telegram.getStickerSet(name)).catch((error: unknown) => {
        if (described(error, SET_MISSING)) return undefined;
        throw error;
      });
      if (set && set.stickers.length >= MAX_STICKERS_PER_SET) {
        fullTitle = set.title;
        continue;
      }
      try {
        if (set) await outbox.direct(() => telegram.addStickerToSet(owner.id, name, { sticker } as unknown as tt.ExtraAddStickerToSet));
        else await outbox.direct(() => telegram.createNewStickerSet(owner.id, name, title, { stickers: [sticker] } as unknown as tt.ExtraCreateNewStickerSet));
        return { ...added, title: set?.title ?? title };
      } catch (error) {
        // Full meanwhile, deleted in @Stickers meanwhile (its name stays taken), or created by a tap a moment ago.
        if (described(error, SET_FULL)) fullTitle = set?.title ?? title;
        else if (!described(error, SET_MISSING) && !described(error, NAME_TAKEN)) throw error;
        if (described(error, NAME_TAKEN)) {
          const added2 = await this.addToTaken(owner, name, sticker);
          if (added2) return { ...added, title: added2 };
        }
      }
    }
    throw new PackError('all-full');
  }

  /** The name was taken: by this user's own pack made a moment ago (add to it, answer its title), or gone for good. */
  private async addToTaken(owner: PackOwner, name: string, sticker: VideoInputSticker): Promise<string | undefined> {
    const { telegram, outbox } = this.deps;
    try {
      await outbox.direct(() => telegram.addStickerToSet(owner.id, name, { sticker } as unknown as tt.ExtraAddStickerToSet));
      const set = await outbox.direct(() => telegram.getStickerSet(name));
      return set.title;
    } catch (error) {
      if (described(error, SET_MISSING) || described(error, SET_FULL)) return undefined;
      throw error;
    }
  }
}
