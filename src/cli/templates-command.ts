// `memeloom templates`: the built-in templates as a table (or JSON with --json).
import { parseArgs } from 'node:util';
import { loadTemplateCatalog } from '../templates/catalog.ts';

const USAGE = 'usage: memeloom templates [--json]\n  --json  every template with its clip, trim, captions and attribution, as JSON';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const templates = (await loadTemplateCatalog()).list();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(templates, null, 2)}\n`);
    return 0;
  }
  const rows = templates.map((t) => [t.id, t.title, `${(t.trim.endSec - t.trim.startSec).toFixed(1)}s`, t.tags.join(', ')]);
  const header = ['id', 'title', 'length', 'tags'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  return 0;
}
