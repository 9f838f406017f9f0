// "Check before asking" on Discord, end to end (discord.js against the fake Discord, the real service, face model
// and ffmpeg): every bad file gets its own ephemeral reason, with the limit, and no template menu; a clip over the
// length limit is trimmed (the person is told); templates' default captions, and the no-caption option.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipTrimmedText, errorText } from '../../../src/bots/messages.ts';
import { type ErrorCode, MemeError } from '../../../src/errors.ts';
import { type BadFile, corruptJpeg, hugePng, longFaceClip, noFaceJpeg, pdfFile } from '../../helpers/bad-files.ts';
import type { InteractionRecord } from '../fakes/discord/fake-rest-state.ts';
import { chatInput, componentIds, messageContext, userMessage } from '../fakes/discord/interaction-payloads.ts';
import { ALICE, ATTACHMENT, BOB, dataOf, EPHEMERAL, gifDurationSec, type Harness, LIMIT_BYTES, memeCommand, STRING, startHarness } from './discord-harness.ts';

const CLIP_LIMIT_SEC = 3;
const BOOLEAN = 5;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({}, { MEMELOOM_MAX_DRIVER_SECONDS: String(CLIP_LIMIT_SEC) });
});

afterAll(async () => {
  await h?.close();
});

/** The interaction's only answer: an ephemeral reply (no deferral, no menu, nothing public) with the code's text. */
async function expectPrivateRefusal(record: InteractionRecord, code: string, mustSay: RegExp[] = []): Promise<string> {
  const answer = await h.firstCallback(record, 'the refusal');
  expect(answer.json?.type).toBe(4);
  expect(dataOf<{ flags: number }>(answer).flags & EPHEMERAL).toBe(EPHEMERAL);
  const text = dataOf<{ content: string }>(answer).content;
  const opening = errorText(new MemeError(code as ErrorCode)).text.split(/[.(]/)[0]!;
  expect(text.startsWith(opening), `${text} / ${opening}`).toBe(true);
  for (const pattern of mustSay) expect(text).toMatch(pattern);
  expect(componentIds(dataOf<Record<string, unknown>>(answer))).toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(h.fake.requestsFor(record).filter((r) => r.method === 'PATCH' || r.files.length > 0)).toHaveLength(0);
  return text;
}

function served(file: BadFile) {
  return h.fileAttachment(file.name, file.bytes, file.mime);
}

describe('a bad file gets its reason and no template menu', () => {
  const cases: Array<[string, () => Promise<BadFile> | BadFile, RegExp[]]> = [
    ['a corrupt JPEG', corruptJpeg, [/damaged or cut off/]],
    ['a 12000×12000 PNG', hugePng, [/12000×12000 pixels/, /The limit is 50 megapixels\./]],
    ['a PDF typed as an image', () => ({ ...pdfFile(), mime: 'image/jpeg', name: 'scan.jpg' }), [/JPEG, PNG, WebP/]],
    ['a photo without a face', noFaceJpeg, []],
  ];
  for (const [what, make, mustSay] of cases) {
    it(`/meme without a template: ${what}`, async () => {
      const bad = await make();
      const photo = served(bad);
      const record = h.fake.dispatchInteraction(memeCommand(photo.id, [], { [photo.id]: photo }));
      await expectPrivateRefusal(record, bad.code, mustSay);
    });
  }

  it('"Make it a meme" on a message whose image has no face', async () => {
    const bad = await noFaceJpeg();
    const photo = served(bad);
    const record = h.fake.dispatchInteraction(messageContext('Make it a meme', userMessage(BOB, [photo]), { user: ALICE }));
    await expectPrivateRefusal(record, bad.code);
  });

  it('a file over the byte limit, refused from its declared size without a download', async () => {
    const bad = await noFaceJpeg();
    const photo = h.fileAttachment('big.jpg', bad.bytes, 'image/jpeg', 30 * 1024 * 1024);
    const record = h.fake.dispatchInteraction(memeCommand(photo.id, [], { [photo.id]: photo }));
    await expectPrivateRefusal(record, 'IMAGE_TOO_LARGE', [/\(30 MB\)/, /The limit is 20 MB\./]);
    expect(h.fake.state.cdnHits.some((hit) => hit.endsWith('/big.jpg'))).toBe(false);
  });

  it('while a good photo gets the menu', async () => {
    const photo = await h.photoAttachment('harris.jpg');
    const record = h.fake.dispatchInteraction(memeCommand(photo.id, [], { [photo.id]: photo }));
    const answer = await h.firstCallback(record, 'the template menu');
    expect(answer.json?.type).toBe(4);
    expect(componentIds(dataOf<Record<string, unknown>>(answer)).some((id) => id.startsWith('ml:pick:'))).toBe(true);
  });
});

describe('/drive with a clip over the length limit', () => {
  it('is told, privately, that the first seconds are used, and gets a result that long', async () => {
    const { bytes } = await longFaceClip(await mkdtemp(path.join(tmpdir(), 'memeloom-dc-clip-')), 7);
    const photo = await h.photoAttachment('show4.jpg');
    const clip = h.fileAttachment('dance.mp4', bytes, 'video/mp4');
    const options = [
      { name: 'photo', type: ATTACHMENT, value: photo.id },
      { name: 'clip', type: ATTACHMENT, value: clip.id },
    ];
    const record = h.fake.dispatchInteraction(
      chatInput('drive', options, { attachments: { [photo.id]: photo, [clip.id]: clip } }, { user: ALICE, attachmentSizeLimit: LIMIT_BYTES }),
    );
    const note = await h.fake.waitFor(() => h.fake.requestsFor(record).find((r) => r.method === 'POST' && !r.path.endsWith('/callback')), 30_000, 'the trim note');
    expect(Number(note.json?.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(note.json?.content).toBe(clipTrimmedText(7, CLIP_LIMIT_SEC));
    const { files } = await h.resultEdit(record);
    expect(await gifDurationSec(files[0].bytes)).toBeCloseTo(CLIP_LIMIT_SEC, 0);
  });
});

describe('default captions', () => {
  it('renders the template default unless the person typed captions or set no-caption', async () => {
    const smug = h.templates.get('smug');
    const photo = await h.photoAttachment('trump.jpg');
    const render = async (extra: Array<{ name: string; type: number; value: unknown }>) => {
      const record = h.fake.dispatchInteraction(memeCommand(photo.id, [{ name: 'template', type: STRING, value: 'smug' }, ...(extra as never[])], { [photo.id]: photo }));
      await h.resultEdit(record);
      return h.rendered.at(-1)!;
    };
    expect((await render([])).captions).toEqual(smug.defaultCaption);
    expect((await render([{ name: 'no-caption', type: BOOLEAN, value: true }])).captions).toEqual({});
    expect((await render([{ name: 'top', type: STRING, value: 'monday' }])).captions).toEqual({ top: 'monday' });
  });
});
