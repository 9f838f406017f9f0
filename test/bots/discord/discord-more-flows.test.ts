// More Discord flows end to end, on the same stack as discord-e2e.test.ts (discord.js against the fake Discord,
// the real service, renderer and ffmpeg): /drive with the person's own clip, MP4 output, and Other template.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT } from '../../../src/bots/discord/discord-texts.ts';
import { errorText } from '../../../src/bots/messages.ts';
import { InputError } from '../../../src/errors.ts';
import { driveVideo } from '../../helpers/fixtures.ts';
import type { InteractionRecord, RecordedFile } from '../fakes/discord/fake-rest-state.ts';
import { buttonPress, chatInput, componentIds, type FakeAttachment, selectPick } from '../fakes/discord/interaction-payloads.ts';
import { type MediaProbe, probeMedia } from '../fakes/telegram/media-probe.ts';
import {
  ALICE,
  ATTACHMENT,
  BOB,
  dataOf,
  EPHEMERAL,
  gifDurationSec,
  type Harness,
  isGif,
  LIMIT_BYTES,
  memeCommand,
  STRING,
  startHarness,
} from './discord-harness.ts';

// 4.5 s of a real meme clip: longer than any template plays (checked below), so a result this long can only
// have taken its motion from the clip.
const DRIVE_CLIP = 'nhs.mp4';
/** GIF frame delays are whole centiseconds and clips are resampled to the render's fps: lengths match to this. */
const DURATION_TOLERANCE_SEC = 0.25;

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

function driveCommand(photo: FakeAttachment, clip: FakeAttachment): Record<string, unknown> {
  const options = [
    { name: 'photo', type: ATTACHMENT, value: photo.id },
    { name: 'clip', type: ATTACHMENT, value: clip.id },
  ];
  return chatInput('drive', options, { attachments: { [photo.id]: photo, [clip.id]: clip } }, { user: ALICE, attachmentSizeLimit: LIMIT_BYTES });
}

/** Alice's `/meme photo template [format]` with a fixture photo; resolves once Discord has its record. */
async function memeWith(photoFile: string, templateId: string, format?: 'gif' | 'mp4'): Promise<{ record: InteractionRecord; photo: FakeAttachment }> {
  const photo = await h.photoAttachment(photoFile);
  const options = [{ name: 'template', type: STRING, value: templateId }, ...(format ? [{ name: 'format', type: STRING, value: format }] : [])];
  return { record: h.fake.dispatchInteraction(memeCommand(photo.id, options, { [photo.id]: photo })), photo };
}

/** The button of one action (again, other, mp4) under a reply. */
function buttonId(message: Record<string, unknown> | undefined, action: string): string {
  const id = componentIds(message).find((candidate) => candidate.split(':')[1] === action);
  if (!id) throw new Error(`no ${action} button in ${JSON.stringify(message?.components)}`);
  return id;
}

function actionsUnder(message: Record<string, unknown> | undefined): string[] {
  return componentIds(message).map((id) => id.split(':')[1]);
}

/** How often the fake CDN served this attachment (the adapter downloads inputs per render). */
function cdnFetches(file: FakeAttachment): number {
  const cdnPath = new URL(file.url).pathname.slice('/cdn'.length);
  return h.fake.state.cdnHits.filter((hit) => hit === cdnPath).length;
}

function templateSeconds(templateId: string): number {
  const { trim } = h.templates.get(templateId);
  return trim.endSec - trim.startSec;
}

/** Probes the upload with ffmpeg: an MP4 container with H.264 video (what Discord plays inline). */
async function expectH264Mp4(file: RecordedFile): Promise<MediaProbe> {
  expect(file.name).toBe('meme.mp4');
  const probe = await probeMedia(file.bytes);
  expect(probe.container).toContain('mp4');
  expect(probe.videoCodec).toBe('h264');
  expect(probe.hasAudio).toBe(false);
  return probe;
}

function adapterFailures(): string[] {
  return h.logs.filter((line) => /failed|could not/.test(line));
}

describe('/drive with the person\'s own clip', () => {
  it('defers, then edits in a GIF under the upload limit that lasts as long as the clip, not as a template', async () => {
    const clipSec = (await probeMedia(await readFile(driveVideo(DRIVE_CLIP)))).durationSec!;
    const longestTemplateSec = Math.max(...h.templates.list().map((t) => templateSeconds(t.id)));
    expect(clipSec - longestTemplateSec).toBeGreaterThan(2 * DURATION_TOLERANCE_SEC);

    const photo = await h.photoAttachment('show4.jpg');
    const clip = await h.clipAttachment(DRIVE_CLIP);
    const record = h.fake.dispatchInteraction(driveCommand(photo, clip));
    const { file } = await h.deferredGif(record);
    expect(Math.abs((await gifDurationSec(file.bytes)) - clipSec)).toBeLessThan(DURATION_TOLERANCE_SEC);
    expect(cdnFetches(clip)).toBe(1);
    expect(actionsUnder(record.original)).toEqual(['again', 'other', 'mp4']);
  });

  it('a text file named .mp4 is refused once downloaded: an ephemeral NOT_A_VIDEO note, nothing public', async () => {
    const photo = await h.photoAttachment('show1.jpg');
    // Discord types uploads by their extension, so this arrives as video/mp4 and passes the check before download.
    const clip = h.fileAttachment('dance.mp4', Buffer.from('milk, eggs, bread\n'), 'video/mp4');
    const record = h.fake.dispatchInteraction(driveCommand(photo, clip));
    const note = await h.firstCallback(record, 'the refusal');
    expect(note.json?.type).toBe(4);
    expect(dataOf<{ flags: number }>(note).flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(dataOf<{ content: string }>(note).content).toBe(errorText(new InputError('NOT_A_VIDEO')).text);
    expect(h.fake.requestsFor(record).filter((r) => r.method === 'PATCH' || r.files.length > 0)).toHaveLength(0);
    expect(cdnFetches(clip)).toBe(1);
    // An input problem, told to the person: nothing for the adapter to log as a failure.
    expect(adapterFailures()).toEqual([]);
  });

  it('/meme style:ghibli on a bot without HelloMeme: an ephemeral note saying why, nothing rendered', async () => {
    const photo = await h.photoAttachment('show1.jpg');
    const before = h.rendered.length;
    const options = [
      { name: 'template', type: STRING, value: 'nod-along' },
      { name: 'style', type: STRING, value: 'ghibli' },
    ];
    const record = h.fake.dispatchInteraction(memeCommand(photo.id, options, { [photo.id]: photo }));
    const note = await h.privateFollowUp(record);
    expect(Number(note.json?.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(note.json?.content).toContain('styles need the HelloMeme engine');
    expect(h.rendered.length).toBe(before);
  });

  it('a clip over the size cap is refused ephemerally before anything is deferred or downloaded', async () => {
    const maxBytes = h.config.limits.maxDriverBytes;
    const photo = await h.photoAttachment('show1.jpg');
    const clip = await h.clipAttachment(DRIVE_CLIP, maxBytes + 1);
    const record = h.fake.dispatchInteraction(driveCommand(photo, clip));
    const answer = await h.firstCallback(record, 'the refusal');
    expect(answer.json?.type).toBe(4);
    const data = dataOf<{ flags: number; content: string }>(answer);
    expect(data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(data.content).toBe(errorText(new InputError('VIDEO_TOO_LARGE', 'big', { bytes: maxBytes + 1, maxBytes })).text);
    expect(data.content).toContain('The limit is 50 MB.');
    expect(cdnFetches(photo) + cdnFetches(clip)).toBe(0);
    expect(adapterFailures()).toEqual([]);
  });
});

describe('MP4 output', () => {
  it('/meme format:mp4 uploads an H.264 MP4, with no MP4 button under it', async () => {
    const { record } = await memeWith('harris.jpg', 'stern-stare', 'mp4');
    expect((await h.firstCallback(record, 'the deferral')).json?.type).toBe(5);
    const result = await h.resultEdit(record);
    const probe = await expectH264Mp4(result.files[0]);
    expect(Math.abs(probe.durationSec! - templateSeconds('stern-stare'))).toBeLessThan(DURATION_TOLERANCE_SEC);
    expect(actionsUnder(record.original)).toEqual(['again', 'other']);
  });

  it('the MP4 button under a GIF answers with the same meme as an H.264 MP4 in a new reply', async () => {
    const { record: gifRecord } = await memeWith('show6.jpg', 'toothy-grin');
    const gif = await h.resultEdit(gifRecord);
    const gifSec = await gifDurationSec(gif.files[0].bytes);

    const press = h.fake.dispatchInteraction(buttonPress(buttonId(gifRecord.original, 'mp4'), gifRecord.original!, { user: ALICE }));
    expect((await h.firstCallback(press, 'the MP4 deferral')).json?.type).toBe(5);
    const result = await h.resultEdit(press);
    const probe = await expectH264Mp4(result.files[0]);
    expect(Math.abs(probe.durationSec! - gifSec)).toBeLessThan(DURATION_TOLERANCE_SEC);
    expect(String(result.json?.content)).toContain(h.templates.get('toothy-grin').title);
    // The GIF's own message is left as it was.
    expect(h.fake.requestsFor(gifRecord).filter((r) => r.method === 'PATCH' && r.atMs >= press.dispatchedAtMs)).toHaveLength(0);
  });

  it('MP4 under "Another take" renders that take: the retake\'s seed, not the first one\'s', async () => {
    const { record: first } = await memeWith('trump.jpg', 'nod-along');
    await h.resultEdit(first);
    const retake = h.fake.dispatchInteraction(buttonPress(buttonId(first.original, 'again'), first.original!, { user: ALICE }));
    await h.resultEdit(retake);
    const asMp4 = h.fake.dispatchInteraction(buttonPress(buttonId(retake.original, 'mp4'), retake.original!, { user: ALICE }));
    await expectH264Mp4((await h.resultEdit(asMp4)).files[0]);
    const [gif, retaken, mp4] = h.rendered.slice(-3);
    expect([gif.format, retaken.format, mp4.format]).toEqual(['gif', 'gif', 'mp4']);
    expect(retaken.seed).not.toBe(gif.seed);
    expect(mp4.seed).toBe(retaken.seed);
  });
});

describe('Other template', () => {
  it('gives someone else the "not yours" note; the requester picks a template and gets the same photo with it', async () => {
    const { record: first, photo } = await memeWith('trump.jpg', 'toothy-grin');
    const firstGif = await h.resultEdit(first);
    const otherId = buttonId(first.original, 'other');

    const intruder = h.fake.dispatchInteraction(buttonPress(otherId, first.original!, { user: BOB }));
    const note = await h.firstCallback(intruder, 'the note to someone else');
    expect(note.json?.type).toBe(4);
    expect(dataOf<{ flags: number }>(note).flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(dataOf<{ content: string }>(note).content).toBe(TEXT.notYours);
    expect(componentIds(intruder.original)).toEqual([]);

    const press = h.fake.dispatchInteraction(buttonPress(otherId, first.original!, { user: ALICE }));
    const picker = await h.firstCallback(press, 'the template picker');
    expect(picker.json?.type).toBe(4);
    expect(dataOf<{ flags: number }>(picker).flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(dataOf<{ content: string }>(picker).content).toBe(TEXT.pickTemplatePrompt);
    const pickId = componentIds(press.original).find((id) => id.startsWith('ml:pick:'))!;
    expect(pickId).toBeDefined();

    const fetchesBefore = cdnFetches(photo);
    const pick = h.fake.dispatchInteraction(selectPick(pickId, ['smug'], press.original!, { user: ALICE }));
    expect((await h.firstCallback(pick, 'the pick deferral')).json?.type).toBe(5);
    const second = await h.resultEdit(pick);
    expect(isGif(second.files[0].bytes)).toBe(true);
    expect(String(second.json?.content)).toContain(h.templates.get('smug').title);
    // Smug plays 4 s and Toothy grin 2.6 s: each result follows its own template.
    expect(Math.abs((await gifDurationSec(firstGif.files[0].bytes)) - templateSeconds('toothy-grin'))).toBeLessThan(DURATION_TOLERANCE_SEC);
    expect(Math.abs((await gifDurationSec(second.files[0].bytes)) - templateSeconds('smug'))).toBeLessThan(DURATION_TOLERANCE_SEC);
    // The new render started from the same photo: its attachment was fetched again.
    expect(cdnFetches(photo)).toBe(fetchesBefore + 1);
    expect(actionsUnder(pick.original)).toEqual(['again', 'other', 'mp4']);
  });
});
