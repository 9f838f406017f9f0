// CLIP's byte-level BPE tokenizer and SD1.5's 77-token framing. The BPE itself is @huggingface/tokenizers;
// this file only describes CLIP to it. A diffusers `tokenizer/` folder holds the slow tokenizer's
// vocab.json + merges.txt, so unless the folder also has a tokenizer.json, the description is assembled
// here in the shape HF's CLIPTokenizerFast conversion writes (NFC, whitespace runs → one space, lowercase;
// CLIP's pre-token regex; byte-level symbols; `</w>` on the last symbol of a word; unknown → EOT).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InputError, MemeError } from '../../../errors.ts';

const SOT = '<|startoftext|>';
const EOT = '<|endoftext|>';
/** openai/CLIP simple_tokenizer.py's pre-token pattern (the text is lowercased before it runs). */
const CLIP_PRE_TOKENS = "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

/**
 * The 256 byte symbols in the order CLIP's vocabulary lists them: GPT-2's reversible byte → printable
 * character table, printable bytes first (as themselves), then the rest mapped to U+0100 onwards.
 */
export function clipByteSymbols(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const symbols = printable.map((b) => String.fromCodePoint(b));
  let extra = 0;
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) symbols.push(String.fromCodePoint(256 + extra++));
  return symbols;
}

/** SOT, the first maxLength−2 ids, EOT, then `padId` up to maxLength (CLIPTokenizer, padding='max_length'). */
function frameForSd15(ids: readonly number[], sotId: number, eotId: number, padId: number, maxLength: number): number[] {
  const framed = [sotId, ...ids.slice(0, maxLength - 2), eotId];
  while (framed.length < maxLength) framed.push(padId);
  return framed;
}

/** A tokenizer.json describing CLIP's tokenizer over the given vocabulary and merges. */
export function clipTokenizerJson(vocab: Record<string, number>, merges: string[]): object {
  const special = (content: string) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true });
  return {
    added_tokens: [special(SOT), special(EOT)],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_PRE_TOKENS }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: null,
    model: { type: 'BPE', dropout: null, unk_token: EOT, continuing_subword_prefix: '', end_of_word_suffix: '</w>', fuse_unk: false, vocab, merges },
  };
}

function readJsonFile(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new MemeError('BAD_WEIGHTS', `tokenizer file ${path} is not valid JSON (${(error as Error).message})`, { path });
  }
}

/** special_tokens_map.json's pad token, when the folder names one (SD1.5 pads with EOT). */
function padTokenOf(folder: string): string {
  const path = join(folder, 'special_tokens_map.json');
  if (!existsSync(path)) return EOT;
  const pad = readJsonFile(path).pad_token as string | { content?: string } | undefined;
  return (typeof pad === 'string' ? pad : pad?.content) ?? EOT;
}

export class ClipTokenizer {
  readonly sotId: number;
  readonly eotId: number;
  readonly padId: number;

  constructor(
    private readonly tokenizer: Tokenizer,
    readonly maxLength = 77,
    padToken = EOT,
  ) {
    const sot = tokenizer.token_to_id(SOT);
    const eot = tokenizer.token_to_id(EOT);
    if (sot === undefined || eot === undefined) throw new MemeError('BAD_WEIGHTS', `tokenizer vocab lacks ${SOT} or ${EOT}`);
    this.sotId = sot;
    this.eotId = eot;
    this.padId = tokenizer.token_to_id(padToken) ?? eot;
  }

  /** CLIP's tokenizer over a vocabulary and its merges ("a b" per merge, best rank first). */
  static fromVocab(vocab: Record<string, number>, merges: string[], maxLength = 77, padToken = EOT): ClipTokenizer {
    if (vocab[SOT] === undefined || vocab[EOT] === undefined) throw new MemeError('BAD_WEIGHTS', `tokenizer vocab lacks ${SOT} or ${EOT}`);
    return new ClipTokenizer(new Tokenizer(clipTokenizerJson(vocab, merges), { model_max_length: maxLength }), maxLength, padToken);
  }

  /** Loads a model folder's tokenizer.json, else its vocab.json + merges.txt (diffusers' `tokenizer/`). */
  static fromFolder(folder: string, maxLength = 77): ClipTokenizer {
    const padToken = padTokenOf(folder);
    const fastPath = join(folder, 'tokenizer.json');
    if (existsSync(fastPath)) return new ClipTokenizer(new Tokenizer(readJsonFile(fastPath), { model_max_length: maxLength }), maxLength, padToken);
    const vocabPath = join(folder, 'vocab.json');
    const mergesPath = join(folder, 'merges.txt');
    if (!existsSync(vocabPath) || !existsSync(mergesPath)) throw new InputError('FILE_NOT_FOUND', `tokenizer files missing in ${folder} (need tokenizer.json, or vocab.json and merges.txt)`, { path: folder });
    const merges = readFileSync(mergesPath, 'utf8')
      .split('\n')
      .filter((line, i) => line.trim() && !(i === 0 && line.startsWith('#version')));
    return ClipTokenizer.fromVocab(readJsonFile(vocabPath) as Record<string, number>, merges, maxLength, padToken);
  }

  /** BPE ids of `text`, without SOT/EOT. Unknown pieces map to EOT (CLIP's unk token). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /** SD1.5 framing: SOT, up to maxLength−2 ids, EOT, then padding to maxLength. */
  encodeForSd15(text: string): number[] {
    return frameForSd15(this.encode(text), this.sotId, this.eotId, this.padId, this.maxLength);
  }
}
