// The CLIP BPE tokenizer: on a tiny vocabulary written here, with every expected id worked out by hand, and
// on OpenAI's real vocabulary against the golden's prompts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer, clipByteSymbols, clipTokenizerJson } from '../../src/graph/models/sd15/clip-tokenizer.ts';
import { writeOpenaiClipTokenizer } from '../helpers/openai-clip-vocab.ts';
import { golden, readJson } from './golden-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'tok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const vocab = {
  a: 0,
  b: 1,
  c: 2,
  t: 3,
  'a</w>': 4,
  't</w>': 5,
  ca: 6,
  'cat</w>': 7,
  '!</w>': 8,
  '<|startoftext|>': 9,
  '<|endoftext|>': 10,
  'at</w>': 11,
  's</w>': 12,
  "'s</w>": 13,
  '1</w>': 14,
  '2</w>': 15,
  "'": 16,
};
// ranks: "a t</w>" 0, "c at</w>" 1, "c a" 2, "' s</w>" 3
writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
writeFileSync(join(dir, 'merges.txt'), "#version: 0.2\na t</w>\nc at</w>\nc a\n' s</w>\n");
const tok = ClipTokenizer.fromFolder(dir, 8);

describe('ClipTokenizer', () => {
  it('merges by rank: "a cat!" → a</w>, cat</w>, !</w>', () => {
    // cat: [c, a, t</w>] → "a t</w>" (rank 0) → [c, at</w>] → "c at</w>" (rank 1) → [cat</w>]
    expect(tok.encode('a cat!')).toEqual([4, 7, 8]);
  });

  it('cleans whitespace and case, splits contractions and single digits', () => {
    expect(tok.encode("  CAT's  12")).toEqual([7, 13, 14, 15]);
  });

  it('stops when no pair has a rank and maps unknown symbols to EOT', () => {
    // cab: [c, a, b</w>] → "c a" (rank 2) → [ca, b</w>]; b</w> is not in the vocab
    expect(tok.encode('cab')).toEqual([6, 10]);
  });

  it('frames prompts as SD1.5 does: SOT, ids, EOT, padded with EOT, truncated to fit', () => {
    expect(tok.encodeForSd15('')).toEqual([9, 10, 10, 10, 10, 10, 10, 10]);
    expect(tok.encodeForSd15('a cat!')).toEqual([9, 4, 7, 8, 10, 10, 10, 10]);
    expect(tok.encodeForSd15('a a a a a a a a')).toEqual([9, 4, 4, 4, 4, 4, 4, 10]);
  });

  it('lists the 256 byte symbols in CLIP vocabulary order: printable bytes first, the rest from U+0100', () => {
    const symbols = clipByteSymbols();
    expect(new Set(symbols).size).toBe(256);
    expect(symbols[0]).toBe('!');
    expect(symbols[0x61 - 33]).toBe('a');
    expect(symbols[188]).toBe('Ā'); // byte 0, the first one GPT-2's table moves
    expect(symbols[188 + 32]).toBe('Ġ'); // the space
  });

  it('prefers a tokenizer.json and takes the pad token from special_tokens_map.json', () => {
    const fast = join(dir, 'fast');
    mkdirSync(fast);
    // The same tokenizer with the ids of "a</w>" and "cat</w>" swapped, so the test sees which file was read.
    const swapped = { ...vocab, 'a</w>': 7, 'cat</w>': 4 };
    writeFileSync(join(fast, 'tokenizer.json'), JSON.stringify(clipTokenizerJson(swapped, ['a t</w>', 'c at</w>', 'c a', "' s</w>"])));
    writeFileSync(join(fast, 'vocab.json'), JSON.stringify(vocab));
    writeFileSync(join(fast, 'merges.txt'), '#version: 0.2\n');
    writeFileSync(join(fast, 'special_tokens_map.json'), JSON.stringify({ pad_token: { content: '!</w>' } }));
    const fromJson = ClipTokenizer.fromFolder(fast, 6);
    expect(fromJson.encode('a cat')).toEqual([7, 4]);
    expect(fromJson.encodeForSd15('a')).toEqual([9, 7, 10, 8, 8, 8]);
  });

  it('fails with a coded error when the vocabulary lacks the start/end tokens or a file is not JSON', () => {
    const { '<|startoftext|>': _, ...noSot } = vocab;
    expect(() => ClipTokenizer.fromVocab(noSot, [])).toThrow(expect.objectContaining({ code: 'BAD_WEIGHTS' }));
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'tokenizer.json'), '{"model": ');
    expect(() => ClipTokenizer.fromFolder(broken)).toThrow(expect.objectContaining({ code: 'BAD_WEIGHTS' }));
  });

  it('fails with a coded error when the files are missing', () => {
    expect(() => ClipTokenizer.fromFolder(join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND' }));
  });
});

describe('tokenizer_golden.json with the real 49408-token CLIP vocabulary', () => {
  type GoldenCase = { text: string; bpe_ids: number[]; sd15_input_ids: number[] };
  const cases = (readJson(golden('clip_text_tiny', 'tokenizer_golden.json')) as { cases: GoldenCase[] }).cases;
  let real: ClipTokenizer;
  beforeAll(async () => {
    const folder = join(dir, 'openai-clip');
    mkdirSync(folder);
    await writeOpenaiClipTokenizer(folder);
    real = ClipTokenizer.fromFolder(folder);
  });

  it('has the golden six prompts', () => expect(cases.length).toBe(6));

  it.each(cases.map((c) => [JSON.stringify(c.text).slice(0, 60), c] as const))('tokenizes %s', (_label, c) => {
    expect(real.sotId).toBe(49406);
    expect(real.eotId).toBe(49407);
    expect(real.encode(c.text)).toEqual(c.bpe_ids);
    expect(real.encodeForSd15(c.text)).toEqual(c.sd15_input_ids);
  });
});
