// When an interaction token may still be used: Discord allows follow-ups and edits for 15 minutes after
// the interaction was created. Pure functions over an injected clock; no timers here.

export const INTERACTION_TOKEN_LIFETIME_MS = 15 * 60_000;
/** Stop using the token a little early: an upload started at 14:59 must not arrive at 15:01. */
export const TOKEN_SAFETY_MARGIN_MS = 60_000;

export function tokenExpiresAtMs(receivedAtMs: number): number {
  return receivedAtMs + INTERACTION_TOKEN_LIFETIME_MS;
}

/** True while the token can carry an edit or follow-up that started at nowMs. */
export function isTokenUsable(receivedAtMs: number, nowMs: number, marginMs = TOKEN_SAFETY_MARGIN_MS): boolean {
  return nowMs < tokenExpiresAtMs(receivedAtMs) - marginMs;
}

/** True when a job expected to take `etaSec` more seconds would finish after the token stops being usable. */
export function outlivesToken(receivedAtMs: number, nowMs: number, etaSec: number, marginMs = TOKEN_SAFETY_MARGIN_MS): boolean {
  return nowMs + etaSec * 1000 >= tokenExpiresAtMs(receivedAtMs) - marginMs;
}

/** Discord's error codes that mean the token is gone whatever our clock says. */
const EXPIRED_TOKEN_CODES = new Set([10015, 50027, 10062]);

export function isExpiredTokenError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && EXPIRED_TOKEN_CODES.has(code);
}
