// Which templates match what a person typed, best first: the one search behind Discord's /meme autocomplete and
// Telegram's inline mode (each front end only cuts the list to its platform's limit and shapes the answer).
//
// The rule: the query is split into words (case ignored). A template matches when every word is found in its id,
// title or tags. Each word scores by where it is found: 0 the whole id or title, 1 the start of the id or title,
// 2 the start of a title word, 3 the start of a tag, 4 anywhere else; a template ranks by its worst word, ties by
// id (the catalog's order). An empty query lists every template in that order.
import type { TemplateInfo } from './template-types.ts';

function wordRank(template: TemplateInfo, word: string): number {
  const title = template.title.toLowerCase();
  const id = template.id.toLowerCase();
  const tags = template.tags.map((tag) => tag.toLowerCase());
  if (id === word || title === word) return 0;
  if (title.startsWith(word) || id.startsWith(word)) return 1;
  if (title.split(/\s+/).some((titleWord) => titleWord.startsWith(word))) return 2;
  if (tags.some((tag) => tag.startsWith(word))) return 3;
  if (title.includes(word) || id.includes(word) || tags.some((tag) => tag.includes(word))) return 4;
  return Number.POSITIVE_INFINITY;
}

export function searchTemplates(templates: readonly TemplateInfo[], typed: string): TemplateInfo[] {
  const words = typed.toLowerCase().split(/\s+/).filter(Boolean);
  return templates
    .map((template) => ({ template, rank: Math.max(0, ...words.map((word) => wordRank(template, word))) }))
    .filter((entry) => Number.isFinite(entry.rank))
    .sort((a, b) => a.rank - b.rank || a.template.id.localeCompare(b.template.id))
    .map(({ template }) => template);
}
