// Ranks templates against what the user has typed so far, for the /meme template option.
// Pure: catalog entries in, Discord choice shapes ({name, value}) out; limits are Discord's.
import type { TemplateInfo } from '../../templates/template-types.ts';

export const MAX_AUTOCOMPLETE_CHOICES = 25;
const MAX_CHOICE_NAME_CHARS = 100;

export interface TemplateChoice {
  name: string;
  value: string;
}

function score(template: TemplateInfo, query: string): number {
  const title = template.title.toLowerCase();
  const id = template.id.toLowerCase();
  if (id === query || title === query) return 0;
  if (title.startsWith(query) || id.startsWith(query)) return 1;
  if (title.split(/\s+/).some((word) => word.startsWith(query))) return 2;
  if (template.tags.some((tag) => tag.toLowerCase().startsWith(query))) return 3;
  if (title.includes(query) || id.includes(query)) return 4;
  return Number.POSITIVE_INFINITY;
}

/** Best matches first, ties by title; an empty query lists the catalog alphabetically. */
export function matchTemplates(templates: TemplateInfo[], typed: string, limit = MAX_AUTOCOMPLETE_CHOICES): TemplateChoice[] {
  const query = typed.trim().toLowerCase();
  return templates
    .map((template) => ({ template, rank: query ? score(template, query) : 0 }))
    .filter((entry) => Number.isFinite(entry.rank))
    .sort((a, b) => a.rank - b.rank || a.template.title.localeCompare(b.template.title))
    .slice(0, Math.min(limit, MAX_AUTOCOMPLETE_CHOICES))
    .map(({ template }) => ({ name: template.title.slice(0, MAX_CHOICE_NAME_CHARS), value: template.id }));
}
