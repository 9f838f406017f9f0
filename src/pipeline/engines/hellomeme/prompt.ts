// HelloMeme's video prompt (spec §4.2, generator.py video_generate): a user's words come first and HelloMeme's own
// prompt is appended, `prompt + ", " + default`; without words, the default alone.

export const DEFAULT_PROMPT = '(best quality), highly detailed, ultra-detailed, headshot, person, well-placed five sense organs, looking at the viewer, centered composition, sharp focus, realistic skin texture';

/** The text the denoiser is conditioned on for `words` (trimmed; empty or absent gives the default prompt). */
export function videoPrompt(words = ''): string {
  const trimmed = words.trim();
  return trimmed === '' ? DEFAULT_PROMPT : `${trimmed}, ${DEFAULT_PROMPT}`;
}
