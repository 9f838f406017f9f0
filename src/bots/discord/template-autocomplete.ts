// The /meme template option's suggestions for what the user has typed so far: the one template search
// (templates/template-search.ts) shaped as Discord choices ({name, value}) within Discord's limits.
import { searchTemplates } from '../../templates/template-search.ts';
import type { TemplateInfo } from '../../templates/template-types.ts';

const MAX_AUTOCOMPLETE_CHOICES = 25;
const MAX_CHOICE_NAME_CHARS = 100;

interface TemplateChoice {
  name: string;
  value: string;
}

/** The template search's answer (`templates/template-search.ts`), cut to Discord's 25 choices or `limit`. */
export function matchTemplates(templates: TemplateInfo[], typed: string, limit = MAX_AUTOCOMPLETE_CHOICES): TemplateChoice[] {
  return searchTemplates(templates, typed)
    .slice(0, Math.min(limit, MAX_AUTOCOMPLETE_CHOICES))
    .map((template) => ({ name: template.title.slice(0, MAX_CHOICE_NAME_CHARS), value: template.id }));
}
