// Sticker sets in the fake Bot API: uploadStickerFile, createNewStickerSet, addStickerToSet, getStickerSet, with
// the rules Telegram documents: set names (letters, digits, underscores; a letter first; no "__"; ending in
// _by_<bot username>; 1-64 characters), titles of 1-64 characters, InputSticker objects (sticker, format,
// emoji_list of 1-20), at most 120 stickers in a set, and the video sticker requirements checked on the bytes:
// WebM with VP9 and no audio, one side exactly 512 px and the other at most 512, at most 3 s, 30 fps, 256 KB.
import { ApiError, BOT_USER, type MethodCall } from './fake-bot-methods.ts';
import type { FakeBotState, FakeStickerSet } from './fake-bot-state.ts';
import { probeMedia, videoStickerProblem } from './media-probe.ts';

export const MAX_STICKERS_IN_SET = 120;
const SET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const FORMATS = new Set(['static', 'animated', 'video']);

type Handler = (state: FakeBotState, call: MethodCall) => unknown | Promise<unknown>;

function userIdOf(call: MethodCall): number {
  const id = Number(call.params.user_id);
  if (!Number.isInteger(id) || id <= 0) throw new ApiError(400, 'Bad Request: USER_ID_INVALID');
  return id;
}

async function uploadStickerFile(state: FakeBotState, call: MethodCall): Promise<unknown> {
  userIdOf(call);
  const format = String(call.params.sticker_format);
  if (!FORMATS.has(format)) throw new ApiError(400, 'Bad Request: STICKER_FORMAT_INVALID');
  const upload = call.files.sticker;
  if (!upload) throw new ApiError(400, 'Bad Request: sticker file must be uploaded using multipart/form-data');
  if (format === 'video') {
    const problem = await videoStickerProblem(upload.bytes);
    call.probes.sticker = await probeMedia(upload.bytes);
    if (problem) throw new ApiError(400, `Bad Request: STICKER_VIDEO_INVALID: ${problem}`);
  }
  const file = state.addFile(upload.bytes, { folder: 'stickers', extension: format === 'video' ? 'webm' : 'dat' });
  if (format === 'video') state.videoStickerFiles.add(file.fileId);
  return { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.fileSize, file_path: file.filePath };
}

function checkSetName(name: unknown): string {
  const suffix = `_by_${BOT_USER.username}`.toLowerCase();
  if (typeof name !== 'string' || !SET_NAME.test(name) || name.includes('__') || !name.toLowerCase().endsWith(suffix)) {
    throw new ApiError(400, 'Bad Request: invalid sticker set name is specified');
  }
  return name;
}

/** An InputSticker: an already uploaded file (file_id) with its format and 1-20 emoji. */
function inputSticker(state: FakeBotState, value: unknown): FakeStickerSet['stickers'][number] {
  const sticker = value as { sticker?: unknown; format?: unknown; emoji_list?: unknown; keywords?: unknown } | undefined;
  if (!sticker || typeof sticker !== 'object') throw new ApiError(400, 'Bad Request: sticker must be an InputSticker object');
  if (!FORMATS.has(String(sticker.format))) throw new ApiError(400, 'Bad Request: STICKER_FORMAT_INVALID');
  const emoji = sticker.emoji_list;
  if (!Array.isArray(emoji) || emoji.length < 1 || emoji.length > 20 || emoji.some((e) => typeof e !== 'string' || e === '')) {
    throw new ApiError(400, 'Bad Request: STICKER_EMOJI_INVALID');
  }
  const keywords = sticker.keywords;
  if (keywords !== undefined && (!Array.isArray(keywords) || keywords.length > 20)) throw new ApiError(400, 'Bad Request: keywords are invalid');
  const ref = sticker.sticker;
  if (typeof ref !== 'string' || ref.startsWith('attach://') || /^https?:/.test(ref)) {
    // Video stickers cannot come from a URL; this fake takes files through uploadStickerFile only.
    throw new ApiError(400, 'Bad Request: pass the file_id of a file uploaded with uploadStickerFile');
  }
  const file = state.files.get(ref);
  if (!file) throw new ApiError(400, 'Bad Request: wrong file identifier/HTTP URL specified');
  if (sticker.format === 'video' && !state.videoStickerFiles.has(ref)) throw new ApiError(400, 'Bad Request: STICKER_VIDEO_INVALID');
  return { fileId: file.fileId, fileUniqueId: file.fileUniqueId, format: String(sticker.format), emojiList: emoji as string[] };
}

function createNewStickerSet(state: FakeBotState, call: MethodCall): unknown {
  const ownerId = userIdOf(call);
  const name = checkSetName(call.params.name);
  const title = call.params.title;
  if (typeof title !== 'string' || title.length < 1 || title.length > 64) throw new ApiError(400, 'Bad Request: STICKERSET_TITLE_INVALID');
  const stickers = call.params.stickers;
  if (!Array.isArray(stickers) || stickers.length < 1 || stickers.length > 50) throw new ApiError(400, 'Bad Request: stickers must be an array of 1-50 InputSticker');
  const parsed = stickers.map((s) => inputSticker(state, s));
  if (state.usedSetNames.has(name.toLowerCase())) throw new ApiError(400, 'Bad Request: sticker set name is already occupied');
  state.usedSetNames.add(name.toLowerCase());
  state.stickerSets.set(name.toLowerCase(), { name, title, ownerId, stickerType: String(call.params.sticker_type ?? 'regular'), stickers: parsed });
  return true;
}

function existingSet(state: FakeBotState, name: unknown): FakeStickerSet {
  const set = typeof name === 'string' ? state.stickerSets.get(name.toLowerCase()) : undefined;
  if (!set) throw new ApiError(400, 'Bad Request: STICKERSET_INVALID');
  return set;
}

function addStickerToSet(state: FakeBotState, call: MethodCall): unknown {
  const ownerId = userIdOf(call);
  const set = existingSet(state, call.params.name);
  if (set.ownerId !== ownerId) throw new ApiError(400, 'Bad Request: STICKERSET_INVALID');
  const sticker = inputSticker(state, call.params.sticker);
  // "If exactly the same sticker had already been added to the set, then the set isn't changed."
  if (set.stickers.some((s) => s.fileUniqueId === sticker.fileUniqueId)) return true;
  if (set.stickers.length >= MAX_STICKERS_IN_SET) throw new ApiError(400, 'Bad Request: STICKERS_TOO_MUCH');
  set.stickers.push(sticker);
  return true;
}

function getStickerSet(state: FakeBotState, call: MethodCall): unknown {
  const set = existingSet(state, call.params.name);
  return {
    name: set.name,
    title: set.title,
    sticker_type: set.stickerType,
    stickers: set.stickers.map((s) => ({
      file_id: s.fileId,
      file_unique_id: s.fileUniqueId,
      type: set.stickerType,
      width: 512,
      height: 512,
      is_animated: s.format === 'animated',
      is_video: s.format === 'video',
      emoji: s.emojiList[0],
      set_name: set.name,
    })),
  };
}

export const STICKER_METHODS: Record<string, Handler> = { uploadStickerFile, createNewStickerSet, addStickerToSet, getStickerSet };
