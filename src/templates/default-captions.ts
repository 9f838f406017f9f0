// The one rule for which captions a meme gets, used by the CLI and the service (so Telegram, Discord and the
// playground) alike: the captions the person typed, exactly as typed; when they typed none, the template's
// default caption (template.json defaultCaption); none at all when they opted out (`--no-caption`,
// `/meme smug -`, Discord's no-caption option, the playground's "No caption" box). Own clips have no default.
import type { TemplateInfo } from './template-types.ts';

/** Top and bottom text (the pipeline's Captions shape; templates stay a leaf). */
type Captions = NonNullable<TemplateInfo['defaultCaption']>;

interface CaptionChoice {
  /** What the person typed; a caption left empty stays empty (typing only a top caption drops the default bottom). */
  captions?: Captions;
  /** The person asked for no caption at all. */
  noCaption?: boolean;
}

function typed(captions: Captions | undefined): Captions | undefined {
  const top = captions?.top?.trim() || undefined;
  const bottom = captions?.bottom?.trim() || undefined;
  return top || bottom ? { ...(top ? { top } : {}), ...(bottom ? { bottom } : {}) } : undefined;
}

/** The captions to draw for `choice` on `template` (undefined for a clip of the person's own). */
export function captionsFor(template: TemplateInfo | undefined, choice: CaptionChoice): Captions {
  if (choice.noCaption) return {};
  return typed(choice.captions) ?? { ...(template?.defaultCaption ?? {}) };
}
