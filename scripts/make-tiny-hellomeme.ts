// Writes a tiny HelloMeme v5 model set with random weights (official per-module layout plus tiny VAE, CLIP and
// tokenizer) for CPU smoke runs of the whole engine. Run: npx tsx scripts/make-tiny-hellomeme.ts <dir> [--seed N]
import { resolve } from 'node:path';
import { TINY_FOLDERS, writeTinyHelloMeme } from '../src/pipeline/engines/hellomeme/tiny/tiny-hellomeme.ts';

const args = process.argv.slice(2);
const seedAt = args.indexOf('--seed');
const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 101;
const dir = args.find((a, i) => !a.startsWith('--') && (seedAt < 0 || i !== seedAt + 1));
if (!dir || !Number.isSafeInteger(seed)) {
  process.stderr.write('usage: npx tsx scripts/make-tiny-hellomeme.ts <dir> [--seed N]\n');
  process.exit(2);
}
const out = resolve(dir);
await writeTinyHelloMeme(out, seed);
process.stdout.write(`tiny HelloMeme (seed ${seed}) written to ${out}: ${TINY_FOLDERS.join('/, ')}/\n`);
