// The CLIP BPE tokenizer on a tiny vocabulary written here, with every expected id worked out by hand.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClipTokenizer, bytesToUnicode, cleanText } from '../../src/graph/models/sd15/clip-tokenizer.ts';

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
    expect(cleanText('  CAT&amp;s \n  12 ')).toBe('cat&s 12');
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

  it('maps bytes reversibly to printable characters', () => {
    const table = bytesToUnicode();
    expect(new Set(table).size).toBe(256);
    expect(table[0x61]).toBe('a');
    expect(table[0x20]).toBe('Ġ');
  });

  it('fails with a coded error when the files are missing', () => {
    expect(() => ClipTokenizer.fromFolder(join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND' }));
  });
});

describe('SD1.5 framing against tokenizer_golden.json', () => {
  // The golden's real 49408-token vocabulary is not shipped, so this checks the framing of its bpe_ids:
  // SOT, at most 75 ids, EOT, EOT padding to 77.
  it('reproduces every sd15_input_ids from its bpe_ids', async () => {
    const { readFileSync } = await import('node:fs');
    const { golden } = await import('./golden-helpers.ts');
    const { frameForSd15 } = await import('../../src/graph/models/sd15/clip-tokenizer.ts');
    const data = JSON.parse(readFileSync(golden('clip_text_tiny', 'tokenizer_golden.json'), 'utf8')) as { cases: { bpe_ids: number[]; sd15_input_ids: number[] }[] };
    expect(data.cases.length).toBe(6);
    for (const c of data.cases) expect(frameForSd15(c.bpe_ids, 49406, 49407, 49407, 77)).toEqual(c.sd15_input_ids);
  });
});
