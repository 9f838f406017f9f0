// The one template search (Discord's autocomplete and Telegram's inline mode): every word must match, best first.
import { describe, expect, it } from 'vitest';
import { searchTemplates } from '../../../src/templates/template-search.ts';
import type { TemplateInfo } from '../../../src/templates/template-types.ts';

function template(id: string, title: string, tags: string[] = []): TemplateInfo {
  return { id, title, tags, fps: 15, trim: { startSec: 0, endSec: 2 }, clipPath: `/t/${id}.mp4`, previewPath: `/t/${id}.gif`, attribution: 'test' };
}

const templates = [
  template('toothy-grin', 'Toothy grin', ['teeth', 'happy']),
  template('smug', 'Smug grin', ['smile', 'pleased']),
  template('grin', 'Grin', ['smile']),
  // Titles out of the ids' order, as in the shipped catalog, so the tie rule shows.
  template('side-eye', 'Awkward glance', ['awkward', 'suspicious']),
  template('big-laugh', 'Big laugh', ['laugh', 'happy']),
];
const ids = (typed: string) => searchTemplates(templates, typed).map((t) => t.id);

describe('searchTemplates', () => {
  it('ranks a whole id or title, then its start, a title word, a tag start, then anything inside; ties by id', () => {
    expect(ids('grin')).toEqual(['grin', 'smug', 'toothy-grin']);
    expect(ids('s')).toEqual(['side-eye', 'smug', 'grin']);
    expect(ids('e')).toEqual(['grin', 'side-eye', 'smug', 'toothy-grin']);
    expect(ids('p')).toEqual(['smug', 'big-laugh', 'side-eye', 'toothy-grin']);
    expect(ids('ease')).toEqual(['smug']);
  });

  it('needs every word somewhere in the id, title or tags, ranks by the worst word, and ignores case', () => {
    expect(ids('HAPPY grin')).toEqual(['toothy-grin']);
    expect(ids('grin smile')).toEqual(['grin', 'smug']);
    expect(ids('grin zzz')).toEqual([]);
  });

  it('lists every template by id (the order of the catalog) for an empty query', () => {
    expect(ids('  ')).toEqual(['big-laugh', 'grin', 'side-eye', 'smug', 'toothy-grin']);
  });
});
