// CLIP's byte-level BPE tokenizer (openai SimpleTokenizer rules, = HF CLIPTokenizer on ASCII text) from a
// model folder's vocab.json + merges.txt, and SD1.5's 77-token framing. Pure string/array work, no graph.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../errors.ts';

const SOT = '<|startoftext|>';
const EOT = '<|endoftext|>';
const TOKEN_PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+/giu;

/** GPT-2's reversible byte → printable character table. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (printable.includes(b)) table[b] = String.fromCodePoint(b);
    else table[b] = String.fromCodePoint(256 + extra++);
  }
  return table;
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, body: string) => {
    if (body[0] === '#') return String.fromCodePoint(body[1].toLowerCase() === 'x' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1)));
    return named[body.toLowerCase()] ?? m;
  });
}

/** SimpleTokenizer's cleanup: html unescape (twice), collapse whitespace, trim, lowercase. */
export function cleanText(text: string): string {
  return decodeEntities(decodeEntities(text)).replace(/\s+/g, ' ').trim().toLowerCase();
}

/** SOT, the first maxLength−2 ids, EOT, then `padId` up to maxLength (CLIPTokenizer, padding='max_length'). */
export function frameForSd15(ids: readonly number[], sotId: number, eotId: number, padId: number, maxLength: number): number[] {
  const framed = [sotId, ...ids.slice(0, maxLength - 2), eotId];
  while (framed.length < maxLength) framed.push(padId);
  return framed;
}

export class ClipTokenizer {
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();
  private readonly byteTable = bytesToUnicode();
  readonly sotId: number;
  readonly eotId: number;
  readonly padId: number;

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    merges: readonly string[],
    readonly maxLength = 77,
    padToken = EOT,
  ) {
    merges.forEach((m, i) => {
      this.ranks.set(m, i);
    });
    const sot = vocab.get(SOT);
    const eot = vocab.get(EOT);
    if (sot === undefined || eot === undefined) throw new InputError('BAD_WEIGHTS', `tokenizer vocab lacks ${SOT} or ${EOT}`);
    this.sotId = sot;
    this.eotId = eot;
    this.padId = vocab.get(padToken) ?? eot;
  }

  /** Loads vocab.json + merges.txt (and the pad token from special_tokens_map.json when present). */
  static fromFolder(folder: string, maxLength = 77): ClipTokenizer {
    const vocabPath = join(folder, 'vocab.json');
    const mergesPath = join(folder, 'merges.txt');
    if (!existsSync(vocabPath) || !existsSync(mergesPath)) throw new InputError('FILE_NOT_FOUND', `tokenizer files missing in ${folder} (need vocab.json and merges.txt)`, { path: folder });
    const vocab = new Map(Object.entries(JSON.parse(readFileSync(vocabPath, 'utf8')) as Record<string, number>));
    const lines = readFileSync(mergesPath, 'utf8').split('\n');
    const merges = lines.filter((l, i) => l.trim() && !(i === 0 && l.startsWith('#version')));
    let pad = EOT;
    const special = join(folder, 'special_tokens_map.json');
    if (existsSync(special)) {
      const p = (JSON.parse(readFileSync(special, 'utf8')) as { pad_token?: string | { content: string } }).pad_token;
      if (typeof p === 'string') pad = p;
      else if (p?.content) pad = p.content;
    }
    return new ClipTokenizer(vocab, merges, maxLength, pad);
  }

  /** BPE of one pre-token (already byte-mapped); the last symbol carries the `</w>` end-of-word mark. */
  private bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const chars = [...token];
    let word = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
    while (word.length > 1) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      const [a, b] = [word[best], word[best + 1]];
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
          merged.push(a + b);
          i += 1;
        } else merged.push(word[i]);
      }
      word = merged;
    }
    this.cache.set(token, word);
    return word;
  }

  /** BPE ids of `text`, without SOT/EOT. Unknown pieces map to EOT (CLIP's unk token). */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const match of cleanText(text).matchAll(TOKEN_PATTERN)) {
      const piece = match[0];
      if (piece === SOT || piece === EOT) {
        ids.push(piece === SOT ? this.sotId : this.eotId);
        continue;
      }
      const mapped = [...new TextEncoder().encode(piece)].map((b) => this.byteTable[b]).join('');
      for (const sym of this.bpe(mapped)) ids.push(this.vocab.get(sym) ?? this.eotId);
    }
    return ids;
  }

  /** SD1.5 framing: SOT, up to maxLength−2 ids, EOT, then padding to maxLength. */
  encodeForSd15(text: string): number[] {
    return frameForSd15(this.encode(text), this.sotId, this.eotId, this.padId, this.maxLength);
  }
}
