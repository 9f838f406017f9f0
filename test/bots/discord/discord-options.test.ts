import { describe, expect, it } from 'vitest';
import { decodeComponentId, encodeComponentId } from '../../../src/bots/discord/custom-ids.ts';
import { checkRemoteFile, parseMemeOptions, pickMessageImage } from '../../../src/bots/discord/option-parsing.ts';
import { DEFAULT_INPUT_LIMITS } from '../../../src/config.ts';
import { matchTemplates } from '../../../src/bots/discord/template-autocomplete.ts';
import { InputError } from '../../../src/errors.ts';
import { createTemplateCatalog } from '../../../src/templates/catalog.ts';
import type { TemplateInfo } from '../../../src/templates/template-types.ts';

function template(id: string, title: string, tags: string[] = []): TemplateInfo {
  return { id, title, tags, fps: 15, trim: { startSec: 0, endSec: 2 }, clipPath: `/t/${id}.mp4`, previewPath: `/t/${id}.gif`, attribution: 'test' };
}

const templates = [
  template('side-eye', 'Side Eye', ['suspicious', 'glance']),
  template('smug', 'Smug Grin', ['smile']),
  template('big-laugh', 'Big Laugh', ['laugh', 'happy']),
  template('nod-along', 'Nod Along', ['agree']),
  template('stern-stare', 'Stern Stare', ['serious']),
];
const catalog = createTemplateCatalog(templates);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof InputError ? error.code : 'not-an-InputError';
  }
  return undefined;
}

describe('matchTemplates (autocomplete)', () => {
  it('ranks prefix matches before word, tag and substring matches', () => {
    expect(matchTemplates(templates, 's').map((c) => c.value)).toEqual(['side-eye', 'smug', 'stern-stare']);
    expect(matchTemplates(templates, 'laugh').map((c) => c.value)).toEqual(['big-laugh']);
    expect(matchTemplates(templates, 'SMILE').map((c) => c.value)).toEqual(['smug']);
    expect(matchTemplates(templates, 'rin').map((c) => c.value)).toEqual(['smug']);
    expect(matchTemplates(templates, 'zzz')).toEqual([]);
  });

  it('lists everything alphabetically for an empty query, capped at 25 and the given limit', () => {
    expect(matchTemplates(templates, '  ').map((c) => c.name)).toEqual(['Big Laugh', 'Nod Along', 'Side Eye', 'Smug Grin', 'Stern Stare']);
    const many = Array.from({ length: 40 }, (_, i) => template(`t-${i}`, `T ${String(i).padStart(2, '0')}`));
    expect(matchTemplates(many, '')).toHaveLength(25);
    expect(matchTemplates(many, '', 3)).toHaveLength(3);
  });
});

describe('parseMemeOptions', () => {
  it('accepts an id or an exact title and tidies captions', () => {
    expect(parseMemeOptions({ template: 'smug', top: '  when the  build ', bottom: null }, catalog, DEFAULT_INPUT_LIMITS)).toEqual({
      templateId: 'smug',
      captions: { top: 'when the build' },
      format: 'gif',
    });
    expect(parseMemeOptions({ template: 'side eye', format: 'mp4' }, catalog, DEFAULT_INPUT_LIMITS)).toEqual({ templateId: 'side-eye', captions: undefined, format: 'mp4' });
    expect(parseMemeOptions({}, catalog, DEFAULT_INPUT_LIMITS)).toEqual({ templateId: undefined, captions: undefined, format: 'gif' });
  });

  it("normalises a style to its id (HelloMeme's preset names too) and names the known ones for an unknown one", () => {
    expect(parseMemeOptions({ template: 'smug', style: 'ghibli' }, catalog, DEFAULT_INPUT_LIMITS)).toMatchObject({ templateId: 'smug', style: 'ghibli' });
    expect(parseMemeOptions({ style: '[preset]zyd232_InkStyle_v1_0' }, catalog, DEFAULT_INPUT_LIMITS).style).toBe('ink');
    expect(parseMemeOptions({ style: null }, catalog, DEFAULT_INPUT_LIMITS)).not.toHaveProperty('style');
    expect(codeOf(() => parseMemeOptions({ style: 'vaporwave' }, catalog, DEFAULT_INPUT_LIMITS))).toBe('BAD_OPTION');
  });

  it('rejects unknown templates, formats and overlong captions with codes', () => {
    expect(codeOf(() => parseMemeOptions({ template: 'moonwalk' }, catalog, DEFAULT_INPUT_LIMITS))).toBe('UNKNOWN_TEMPLATE');
    expect(codeOf(() => parseMemeOptions({ format: 'avi' }, catalog, DEFAULT_INPUT_LIMITS))).toBe('UNSUPPORTED_FORMAT');
    expect(codeOf(() => parseMemeOptions({ top: 'x'.repeat(81) }, catalog, DEFAULT_INPUT_LIMITS))).toBe('CAPTION_TOO_LONG');
    expect(codeOf(() => parseMemeOptions({ top: 'x'.repeat(11) }, catalog, { ...DEFAULT_INPUT_LIMITS, maxCaptionChars: 10 }))).toBe('CAPTION_TOO_LONG');
    expect(parseMemeOptions({ template: 'smug', noCaption: true }, catalog, DEFAULT_INPUT_LIMITS)).toMatchObject({ templateId: 'smug', noCaption: true });
  });
});

describe('remote file checks', () => {
  const photo = { url: 'https://cdn/x.jpg', name: 'x.jpg', sizeBytes: 2_000, contentType: 'image/jpeg' };

  it('checks type and declared size before any download', () => {
    expect(codeOf(() => checkRemoteFile(photo, 'photo', 10_000))).toBeUndefined();
    expect(codeOf(() => checkRemoteFile({ ...photo, sizeBytes: 20_000 }, 'photo', 10_000))).toBe('IMAGE_TOO_LARGE');
    expect(codeOf(() => checkRemoteFile({ ...photo, contentType: 'application/pdf' }, 'photo', 10_000))).toBe('NOT_AN_IMAGE');
    expect(codeOf(() => checkRemoteFile({ ...photo, name: 'c.mp4', contentType: 'video/mp4' }, 'clip', 10_000))).toBeUndefined();
    expect(codeOf(() => checkRemoteFile({ ...photo, name: 'c.gif', contentType: 'image/gif' }, 'clip', 10_000))).toBeUndefined();
    expect(codeOf(() => checkRemoteFile(photo, 'clip', 10_000))).toBe('NOT_A_VIDEO');
    expect(codeOf(() => checkRemoteFile({ ...photo, name: 'c.webm', contentType: 'video/webm', sizeBytes: 20_000 }, 'clip', 10_000))).toBe('VIDEO_TOO_LARGE');
    expect(codeOf(() => checkRemoteFile({ ...photo, contentType: undefined, name: 'y.PNG' }, 'photo', 10_000))).toBeUndefined();
  });

  it("picks a message's first image attachment, else an embed image", () => {
    const doc = { url: 'https://cdn/a.txt', name: 'a.txt', sizeBytes: 1, contentType: 'text/plain' };
    expect(pickMessageImage([doc, photo], [])).toBe(photo);
    expect(pickMessageImage([doc], ['https://media/e/pic.png'])?.name).toBe('pic.png');
    expect(pickMessageImage([doc], [])).toBeUndefined();
  });
});

describe('component custom ids', () => {
  it('round-trips and rejects foreign or malformed ids', () => {
    const id = { action: 'again', arg: 'AbC_12-x', ownerId: '123456789012345678' } as const;
    const encoded = encodeComponentId(id);
    expect(encoded.length).toBeLessThanOrEqual(100);
    expect(decodeComponentId(encoded)).toEqual(id);
    expect(decodeComponentId('other-bot:again:x:1')).toBeUndefined();
    expect(decodeComponentId('ml:explode:x:1')).toBeUndefined();
    expect(decodeComponentId('ml:again:x:notanid')).toBeUndefined();
    expect(() => encodeComponentId({ action: 'pick', arg: 'a:b', ownerId: '1' })).toThrow(RangeError);
  });
});
