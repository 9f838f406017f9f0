import { describe, expect, it } from 'vitest';
import {
  INTERACTION_TOKEN_LIFETIME_MS,
  TOKEN_SAFETY_MARGIN_MS,
  isExpiredTokenError,
  isTokenUsable,
  outlivesToken,
  tokenExpiresAtMs,
} from '../../../src/bots/discord/token-lifetime.ts';

describe('interaction token lifetime', () => {
  const receivedAtMs = 1_700_000_000_000;

  it('is 15 minutes from when the interaction arrived', () => {
    expect(INTERACTION_TOKEN_LIFETIME_MS).toBe(900_000);
    expect(tokenExpiresAtMs(receivedAtMs)).toBe(receivedAtMs + 900_000);
  });

  it('stops being usable one safety margin before expiry', () => {
    expect(isTokenUsable(receivedAtMs, receivedAtMs)).toBe(true);
    expect(isTokenUsable(receivedAtMs, receivedAtMs + 13 * 60_000)).toBe(true);
    expect(isTokenUsable(receivedAtMs, tokenExpiresAtMs(receivedAtMs) - TOKEN_SAFETY_MARGIN_MS - 1)).toBe(true);
    expect(isTokenUsable(receivedAtMs, tokenExpiresAtMs(receivedAtMs) - TOKEN_SAFETY_MARGIN_MS)).toBe(false);
    expect(isTokenUsable(receivedAtMs, receivedAtMs + 16 * 60_000)).toBe(false);
    expect(isTokenUsable(receivedAtMs, receivedAtMs + 14 * 60_000 + 30_000, 0)).toBe(true);
  });

  it('tells when an estimate runs past the usable part of the token (said up front in webhook-only replies)', () => {
    const usableMs = INTERACTION_TOKEN_LIFETIME_MS - TOKEN_SAFETY_MARGIN_MS;
    expect(outlivesToken(receivedAtMs, receivedAtMs, 60)).toBe(false);
    expect(outlivesToken(receivedAtMs, receivedAtMs, usableMs / 1000 - 1)).toBe(false);
    expect(outlivesToken(receivedAtMs, receivedAtMs, usableMs / 1000)).toBe(true);
    expect(outlivesToken(receivedAtMs, receivedAtMs + 10 * 60_000, 5 * 60)).toBe(true);
  });

  it("recognises Discord's expired-token answers", () => {
    expect(isExpiredTokenError({ code: 50027 })).toBe(true);
    expect(isExpiredTokenError({ code: 10015 })).toBe(true);
    expect(isExpiredTokenError({ code: 40005 })).toBe(false);
    expect(isExpiredTokenError(new Error('x'))).toBe(false);
    expect(isExpiredTokenError(null)).toBe(false);
  });
});
