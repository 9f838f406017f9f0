// Input fix 5 against generator.py's own prompt expression (test/golden/hellomeme_inputs): a user's words come first
// and HelloMeme's video prompt is appended; no words, the default alone.
import { describe, expect, it } from 'vitest';
import { videoPrompt } from '../../../../../../src/pipeline/engines/hellomeme/prompt.ts';
import { INPUTS } from './inputs-golden.ts';

describe('the video prompt', () => {
  it.each(INPUTS.prompts.map((c) => [JSON.stringify(c.prompt), c] as const))('is what HelloMeme makes of %s', (_label, c) => {
    expect(videoPrompt(c.prompt)).toBe(c.text);
  });

  it('takes surrounding spaces off the words and treats blank words as none', () => {
    const [none, words] = INPUTS.prompts;
    expect(videoPrompt(`  ${words.prompt} `)).toBe(words.text);
    expect(videoPrompt('   ')).toBe(none.text);
    expect(videoPrompt()).toBe(none.text);
  });
});
