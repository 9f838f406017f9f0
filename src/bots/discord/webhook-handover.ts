// What a webhook-only reply (user install, DM, group DM: see install-place.ts) does when a render outlives the
// interaction token, since it may not post in the channel instead. Chosen: before the token runs out, the reply is
// edited to say so, with a "Show my meme" button; the outcome (result or failure) is held here meanwhile. Pressing
// the button is a new interaction with a fresh 15-minute token that takes the reply over: a held outcome is shown
// at once, a running render shows its progress again and lands there. Held outcomes are dropped after an hour.

import type { MemeResult } from '../../pipeline/meme-spec.ts';
import type { JobFailure, JobRef } from '../service-types.ts';

export type HeldOutcome = { kind: 'result'; result: MemeResult; job: JobRef } | { kind: 'failure'; failure: JobFailure };

/** How often a waiting reply checks its token (a queued job may get no update for minutes). */
const HANDOVER_CHECK_MS = 20_000;
const HELD_OUTCOME_TTL_MS = 60 * 60_000;

export class WebhookHandover {
  #held: HeldOutcome | undefined;
  /** The reply now says "press Show my meme"; no progress edits until someone takes it over. */
  #handedOver = false;
  /** The outcome was held and then dropped (or taken): nothing left to show. */
  #gone = false;
  #checkTimer: NodeJS.Timeout | undefined;
  #dropTimer: NodeJS.Timeout | undefined;

  get handedOver(): boolean {
    return this.#handedOver;
  }

  /** Calls `check` every HANDOVER_CHECK_MS until stopped (not keeping the process alive). */
  watch(check: () => void): void {
    this.stopWatching();
    this.#checkTimer = setInterval(check, HANDOVER_CHECK_MS);
    this.#checkTimer.unref();
  }

  stopWatching(): void {
    clearInterval(this.#checkTimer);
    this.#checkTimer = undefined;
  }

  markHandedOver(): void {
    this.#handedOver = true;
  }

  hold(outcome: HeldOutcome): void {
    this.#held = outcome;
    this.#dropTimer = setTimeout(() => {
      this.#held = undefined;
      this.#gone = true;
    }, HELD_OUTCOME_TTL_MS);
    this.#dropTimer.unref();
  }

  /** A press of "Show my meme": the held outcome (taken), 'running' when there is none yet, 'gone' when dropped. */
  take(): HeldOutcome | 'running' | 'gone' {
    this.#handedOver = false;
    if (this.#gone) return 'gone';
    const held = this.#held;
    if (!held) return 'running';
    clearTimeout(this.#dropTimer);
    this.#held = undefined;
    this.#gone = true;
    return held;
  }
}
