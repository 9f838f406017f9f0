// What a Telegram request is made from: the chat, the requester and the files as Telegram file ids (never bytes),
// the template and captions. Stored in a job's route (telegram-route.ts) and used to render it again.
import type { FaceChoice } from '../../pipeline/face/face-choice.ts';
import type { Captions } from '../../pipeline/meme-spec.ts';
import type { FileRef } from './telegram-files.ts';
import type { ChatTarget } from './telegram-outbox.ts';

/** Everything needed to (re)make a meme from what a user sent; file ids, not bytes, to keep memory small. */
export interface JobSource {
  chat: ChatTarget;
  /** `telegram:<user id>`. */
  userId: string;
  /** The requester's first name, which names their line on a group's status board. */
  name?: string;
  photo: FileRef;
  clip?: FileRef;
  templateId?: string;
  captions?: Captions;
  /** `/meme smug -`: no caption at all, not even the template's default. */
  noCaption?: boolean;
  /** The files passed the service's checks when they arrived (so a later render need not check again). */
  checked?: boolean;
  /** A HelloMeme LoRA style as the user typed it. */
  style?: string;
  /** The user's message the status and result reply to. */
  replyToMessageId?: number;
  /** Telegram's language_code of the requester. */
  language?: string;
  /** Which faces of a group photo move (the face picker; default all). */
  face?: FaceChoice;
}
