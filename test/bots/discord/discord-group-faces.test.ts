// A group photo on Discord, end to end (discord.js against the fake Discord, the real service and renderer):
// /meme without a template answers with the picture of the numbered faces attached, a face select ("All faces",
// "Face 1".."Face 3") and the template select; picking Face 2 updates the menu and the template pick renders
// that face only. Under the result a face select renders the meme again with another choice.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT } from '../../../src/bots/discord/discord-texts.ts';
import { threeFacePhoto } from '../../helpers/group-photos.ts';
import { componentIds, selectPick } from '../fakes/discord/interaction-payloads.ts';
import { ALICE, dataOf, EPHEMERAL, type Harness, memeCommand, startHarness } from './discord-harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface SelectOption {
  label: string;
  value: string;
  default?: boolean;
}

/** The options of the select whose custom_id starts with `prefix` in a message or callback's components. */
function selectOptions(components: unknown, prefix: string): SelectOption[] {
  const rows = (components ?? []) as Array<{ components?: Array<{ custom_id?: string; options?: SelectOption[] }> }>;
  const select = rows.flatMap((row) => row.components ?? []).find((c) => c.custom_id?.startsWith(prefix));
  if (!select) throw new Error(`no ${prefix} select in ${JSON.stringify(components)}`);
  return select.options ?? [];
}

describe('Discord face select', () => {
  it('offers the numbered faces beside the template menu; Face 2 renders that face, and the select under the result renders all faces again', async () => {
    const photo = h.fileAttachment('group.png', await threeFacePhoto(), 'image/png');
    const menu = h.fake.dispatchInteraction(memeCommand(photo.id, [], { [photo.id]: photo }));
    const prompt = await h.firstCallback(menu, 'the face and template menu');
    expect(dataOf<{ flags: number }>(prompt).flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(dataOf<{ content: string }>(prompt).content).toBe(`${TEXT.pickFacePrompt(3)}\n${TEXT.pickTemplatePrompt}`);
    expect(prompt.files.map((f) => f.name)).toEqual(['faces.jpg']);
    expect((await sharp(prompt.files[0].bytes).metadata()).format).toBe('jpeg');
    const options = selectOptions(dataOf<{ components: unknown }>(prompt).components, 'ml:face:');
    expect(options.map((o) => [o.label, o.value, o.default ?? false])).toEqual([
      ['All faces', 'all', true],
      ['Face 1', '1', false],
      ['Face 2', '2', false],
      ['Face 3', '3', false],
    ]);

    const faceId = componentIds(menu.original).find((id) => id.startsWith('ml:face:'))!;
    const chosen = h.fake.dispatchInteraction(selectPick(faceId, ['2'], menu.original!, { user: ALICE }));
    const update = await h.firstCallback(chosen, 'the menu update');
    expect(update.json?.type).toBe(7);
    expect(selectOptions(dataOf<{ components: unknown }>(update).components, 'ml:face:').find((o) => o.default)?.value).toBe('2');

    const pickId = componentIds(menu.original).find((id) => id.startsWith('ml:pick:'))!;
    const before = h.rendered.length;
    const pick = h.fake.dispatchInteraction(selectPick(pickId, ['nice'], menu.original!, { user: ALICE }));
    const result = await h.resultEdit(pick);
    expect(result.files[0].name).toBe('meme.gif');
    expect(h.rendered[before].face).toBe(2);
    const under = selectOptions(pick.original?.components, 'ml:reface:');
    expect(under.find((o) => o.default)?.value).toBe('2');

    const refaceId = componentIds(pick.original).find((id) => id.startsWith('ml:reface:'))!;
    const again = h.fake.dispatchInteraction(selectPick(refaceId, ['all'], pick.original!, { user: ALICE }));
    await h.resultEdit(again);
    expect(h.rendered[h.rendered.length - 1].face).toBe('all');
    expect(selectOptions(again.original?.components, 'ml:reface:').find((o) => o.default)?.value).toBe('all');
  });
});
