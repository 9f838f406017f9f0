// What a Telegram request is made from, as the adapters' one follow-up type (bots/follow-up.ts): the files as
// Telegram file ids (never bytes), the request's options, and in `place` the chat, the requester's name and the
// message to reply to. Stored in a job's route (telegram-route.ts) and used to render it again.
import type { FollowUp } from '../follow-up.ts';
import type { FileRef } from './telegram-files.ts';
import type { ChatTarget } from './telegram-outbox.ts';

/** Where a Telegram request is answered, and what the adapter noted about its files. */
export interface TelegramPlace {
  chat: ChatTarget;
  /** The requester's first name, which names their line on a group's status board. */
  name?: string;
  /** The user's message (or, for a follow-up, the result) the status and result reply to. */
  replyToMessageId?: number;
  /** The files passed the service's checks when they arrived (so a later render need not check again). */
  checked?: boolean;
}

/** Everything needed to (re)make a meme from what a user sent; file ids, not bytes, to keep memory small. */
export type JobSource = FollowUp<FileRef, TelegramPlace>;
