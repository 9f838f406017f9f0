// Writes a tiny HelloMeme v5 model set with random weights (official per-module layout plus tiny VAE, CLIP and
// tokenizer) for CPU smoke runs of the whole engine, and random LoRA styles under loras/ when asked.
// Run: npx tsx scripts/make-tiny-hellomeme.ts <dir> [--seed N] [--style NAME[,NAME…]]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TINY_FOLDERS, writeTinyHelloMeme } from '../test/helpers/tiny-hellomeme/tiny-hellomeme.ts';
import { writeTinyStyle } from '../test/helpers/tiny-hellomeme/tiny-lora.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string', default: '101' }, style: { type: 'string', default: '' } } });
const seed = Number(values.seed);
const dir = positionals[0];
if (!dir || !Number.isSafeInteger(seed)) {
  process.stderr.write('usage: npx tsx scripts/make-tiny-hellomeme.ts <dir> [--seed N] [--style NAME[,NAME…]]\n');
  process.exit(2);
}
const out = resolve(dir);
await writeTinyHelloMeme(out, seed);
const styles = values.style.split(',').filter(Boolean);
for (const [i, style] of styles.entries()) await writeTinyStyle(out, style, seed + 8000 + 100 * i);
process.stdout.write(`tiny HelloMeme (seed ${seed}) written to ${out}: ${TINY_FOLDERS.join('/, ')}/${styles.length ? `, loras/ (${styles.join(', ')})` : ''}\n`);
