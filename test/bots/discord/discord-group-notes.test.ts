// A group photo's notes on Discord, end to end (discord.js against the fake Discord, the real service and
// renderer): the result edit's content is the done text and, under it, what was left still and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { message } from '../../../src/bots/messages.ts';
import { MAX_ANIMATED_FACES, MIN_ANIMATED_FACE_PX } from '../../../src/pipeline/face/face-choice.ts';
import { eightFacePhoto, tinyFacePhoto } from '../../helpers/group-photos.ts';
import { type Harness, memeCommand, STRING, startHarness } from './discord-harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function resultContent(photoBytes: Buffer): Promise<string> {
  const photo = h.fileAttachment('group.png', photoBytes, 'image/png');
  const record = h.fake.dispatchInteraction(memeCommand(photo.id, [{ name: 'template', type: STRING, value: 'nice' }], { [photo.id]: photo }));
  const result = await h.resultEdit(record);
  expect(result.files[0].name).toBe('meme.gif');
  return String(result.json?.content);
}

describe('Discord group photo notes', () => {
  it('says under "done" that a face smaller than the minimum stays still, naming the minimum', async () => {
    const [head, ...notes] = (await resultContent(await tinyFacePhoto())).split('\n');
    expect(head.startsWith(message('done'))).toBe(true);
    expect(notes).toEqual([`Note: one face is smaller than ${MIN_ANIMATED_FACE_PX} pixels and stays still.`]);
  });

  it('says under "done" that only the six largest of eight faces move', async () => {
    const content = await resultContent(await eightFacePhoto());
    expect(content).toContain(`\nNote: 8 faces found: the ${MAX_ANIMATED_FACES} largest are animated, the others stay still.`);
    expect(content.length).toBeLessThanOrEqual(2000);
  });
});
