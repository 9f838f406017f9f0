// English texts for every status and error code. A new language is one more file of this shape,
// listed in LOCALES in ../messages.ts; the Locale type (locale.ts) makes a missing code a compile error.
import type { Locale } from './locale.ts';

export const en: Locale = {
  code: 'en',
  messages: {
    // Statuses. {placeholders} are filled in; a [bracketed part] is dropped when one of its placeholders is unknown.
    queued: 'Got it! Your meme is in the queue[ at position {position}][, ready in about {eta}].',
    position: 'You are now number {position} in the queue[, about {eta} to go].',
    rendering: 'Animating your photo: {stage}[ {percent}%][, about {eta} left].',
    // One line per request when a status follows several.
    waiting: 'in the queue[, number {position}][, about {eta}]',
    working: '{stage}[ {percent}%][, about {eta} left]',
    done: 'Here is your meme!',
    cached: 'Here is your meme (made before, so it was instant).',
    shutdownNotice: 'The bot is restarting; please send your photo again in a minute.',
    clipTrimmed: 'Your clip is {size} long; I will use its first {limit}, the longest a clip can be.',
    limits:
      'Photos: JPEG, PNG, WebP, GIF, AVIF or TIFF, up to {photoBytes} and {photoPixels}. Clips: up to {clipBytes}; only the first {clipSeconds} are used. Captions: up to {captionChars}.',
    // A preview whose HD version is on the way (bots/upgrade/), and how it ends when that does not come.
    hdWaiting: 'HD version on the way…[ number {position} in line][, ready in about {eta}]',
    hdRendering: 'HD version on the way…[ {percent}% done][, about {eta} left]',
    hdFailed: 'HD version failed: {reason} This is the preview.',
    hdKept: 'Kept the preview.',
    resultNote: 'Note: {note}.',
    // Errors, one per ErrorCode.
    FILE_NOT_FOUND: 'I could not find that file.',
    NO_PHOTO: 'Choose a photo first: I need a photo of a face to animate.',
    NOT_AN_IMAGE: 'That file is not a photo I can read. Please send a JPEG, PNG, WebP, GIF, AVIF or TIFF photo.',
    IMAGE_UNREADABLE: 'I could not read that photo: the file looks damaged or cut off. Please send it again, or another one.',
    IMAGE_TOO_LARGE: 'That photo is too big[ ({size})]. [The limit is {limit}. ]Please send a smaller one.',
    IMAGE_TOO_SMALL: 'That photo is too small for a face to be animated[ ({size})]. [The smallest it can be is {limit}. ]Please send a larger one.',
    NO_FACE: 'I could not find a face in that photo. Try a clear, front-facing photo of one face.',
    NOT_A_VIDEO: 'That clip is not a video I can read. Please send an MP4, WebM, MOV or GIF.',
    VIDEO_UNREADABLE: 'I could not read that clip: the file looks damaged or cut off. Please try another one.',
    VIDEO_TOO_LONG: 'That clip is too long[ ({size})]. [The limit is {limit}. ]Please send a shorter one.',
    VIDEO_TOO_LARGE: 'That clip is too big[ ({size})]. [The limit is {limit}. ]Please send a smaller one.',
    CAPTION_TOO_LONG: 'That caption is too long[ ({size})]. [The limit is {limit}.]',
    UNKNOWN_TEMPLATE: 'I do not know that template[ ({templateId})]. Pick one from the list.',
    UNSUPPORTED_FORMAT: 'I cannot make that output format. Choose GIF or MP4.',
    BAD_OPTION: 'One of the options was not valid[: {detail}].',
    OUTPUT_UNWRITABLE: 'Something went wrong saving your meme. Please try again.',
    BUDGET_UNREACHABLE: 'I could not make the meme small enough to send here. Try a shorter template.',
    QUEUE_FULL: 'The bot is very busy right now[: {max} memes are waiting, its limit]. Please try again in a few minutes.',
    RATE_LIMITED: 'You have made a lot of memes lately[ ({max} in {window} is the limit)].[ Please try again in {retryAfter}.]',
    BUSY: 'You already have {max} memes on the way, the most one person can have at once. Wait for one to arrive, or cancel one.',
    CANCELLED: 'Cancelled.',
    TIMEOUT: 'That took too long, so I stopped it. Please try again, maybe with a shorter clip.',
    SHUTTING_DOWN: 'The bot is restarting; please send your photo again in a minute.',
    UNKNOWN_JOB: 'I no longer have that meme, so I cannot redo it. Please send the photo again.',
    NOT_YOURS: 'Only the person who asked for this meme can keep or cancel it.',
    ENGINE_UNAVAILABLE: 'That animation engine is not available right now.',
    BACKEND_UNAVAILABLE: 'The bot cannot reach its render queue for a moment. Please try again in a minute.',
    NETWORK_UNREACHABLE: 'The bot cannot reach the model download server. The bot owner has been told.',
    DOWNLOAD_STALLED: 'A model download stopped sending data. The bot owner has been told.',
    BAD_WEIGHTS: 'The animation model is not set up correctly. The bot owner has been told.',
    BAD_TENSOR: 'Something went wrong inside the animation model. Please try again.',
    INTERNAL: 'Something went wrong on my side. Please try again.',
  },
  stages: {
    decode: 'reading the photo',
    face: 'finding the face',
    motion: 'reading the motion',
    engine: 'animating',
    captions: 'adding captions',
    encode: 'encoding',
  },
  duration(seconds) {
    if (seconds < 60) return `${Math.max(1, formatNumber(seconds))} s`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
    return `${Math.round(seconds / 3600)} h`;
  },
  bytes(count) {
    if (count >= 1024 * 1024) return `${formatNumber(count / (1024 * 1024))} MB`;
    return count >= 1024 ? `${Math.round(count / 1024)} KB` : `${count} bytes`;
  },
  megapixels(count) {
    return `${formatNumber(count / 1e6)} megapixels`;
  },
  pixels(width, height) {
    return `${width}×${height} pixels`;
  },
  side(count) {
    return `${count} pixels a side`;
  },
  characters(count) {
    return count === 1 ? '1 character' : `${count} characters`;
  },
};

/** One decimal below 10 (so 9.5 MB and 4.7 s stay exact), whole numbers above. */
function formatNumber(value: number): number {
  return value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
}
