// Pins the one caption rule (templates/default-captions.ts) that the CLI and every front end go through.
import { describe, expect, it } from 'vitest';
import { captionsFor } from '../../../src/templates/default-captions.ts';
import type { TemplateInfo } from '../../../src/templates/template-types.ts';

const smug = { id: 'smug', defaultCaption: { bottom: 'TOLD YOU SO' } } as TemplateInfo;

describe('captionsFor', () => {
  it("uses the template's default caption when the person typed none", () => {
    expect(captionsFor(smug, {})).toEqual({ bottom: 'TOLD YOU SO' });
    expect(captionsFor(smug, { captions: { top: '  ', bottom: '' } })).toEqual({ bottom: 'TOLD YOU SO' });
  });

  it('uses exactly what was typed otherwise: one caption typed drops the other default', () => {
    expect(captionsFor(smug, { captions: { top: 'me' } })).toEqual({ top: 'me' });
    expect(captionsFor(smug, { captions: { top: ' a ', bottom: 'b' } })).toEqual({ top: 'a', bottom: 'b' });
  });

  it('draws nothing when the person opted out, and a clip of their own has no default', () => {
    expect(captionsFor(smug, { noCaption: true, captions: { top: 'ignored' } })).toEqual({});
    expect(captionsFor(undefined, {})).toEqual({});
  });

  it('never hands out the template object itself', () => {
    const captions = captionsFor(smug, {});
    captions.bottom = 'changed';
    expect(smug.defaultCaption).toEqual({ bottom: 'TOLD YOU SO' });
  });
});
