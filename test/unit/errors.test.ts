// The one table of error codes (src/errors.ts ERROR_KINDS): each code says who must act on it.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorKind, InputError, MemeError } from '../../src/errors.ts';

describe('error kinds', () => {
  it('every code belongs to exactly one of the four kinds', () => {
    for (const code of ERROR_CODES) expect(['input', 'operator', 'transient', 'bug']).toContain(errorKind(code));
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('groups by who must act: the person, the operator, nobody (later), or us', () => {
    const of = (kind: string) => ERROR_CODES.filter((c) => errorKind(c) === kind);
    expect(of('operator')).toEqual(['OUTPUT_UNWRITABLE', 'ENGINE_UNAVAILABLE', 'BAD_WEIGHTS']);
    expect(of('transient')).toEqual(['QUEUE_FULL', 'RATE_LIMITED', 'BUSY', 'TIMEOUT', 'SHUTTING_DOWN', 'BACKEND_UNAVAILABLE', 'NETWORK_UNREACHABLE', 'DOWNLOAD_STALLED']);
    expect(of('bug')).toEqual(['BAD_TENSOR', 'INTERNAL']);
    expect(of('input')).toContain('NO_FACE');
  });

  it('an InputError carries only a code of the input kind (others are a compile error)', () => {
    expect(errorKind(new InputError('NO_FACE').code)).toBe('input');
    // @ts-expect-error BAD_WEIGHTS is the operator's to fix, not the person's.
    expect(() => new InputError('BAD_WEIGHTS')).not.toThrow();
    expect(errorKind(new MemeError('BAD_WEIGHTS').code)).toBe('operator');
  });
});
