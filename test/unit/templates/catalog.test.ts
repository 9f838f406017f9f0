import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplateCatalog } from '../../../src/templates/catalog.ts';

describe('template catalog', () => {
  it('ships at least 10 templates, each with a clip, a preview, a trim range and the HelloMeme attribution', async () => {
    const catalog = await loadTemplateCatalog();
    const templates = catalog.list();
    expect(templates.length).toBeGreaterThanOrEqual(10);
    for (const t of templates) {
      expect(existsSync(t.clipPath), t.id).toBe(true);
      expect(existsSync(t.previewPath), t.id).toBe(true);
      expect(t.trim.endSec).toBeGreaterThan(t.trim.startSec);
      expect(t.attribution).toMatch(/HelloVision/);
      expect(t.tags.length).toBeGreaterThan(0);
    }
    expect(new Set(templates.map((t) => t.id)).size).toBe(templates.length);
  });

  it('answers UNKNOWN_TEMPLATE for an id it does not have', async () => {
    const catalog = await loadTemplateCatalog();
    expect(catalog.has('nice')).toBe(true);
    expect(() => catalog.get('definitely-not-a-template')).toThrow(expect.objectContaining({ code: 'UNKNOWN_TEMPLATE' }));
  });

  it('rejects a template.json that is malformed or whose id does not match its folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'templates-'));
    try {
      await mkdir(path.join(dir, 'good-name'));
      const file = { id: 'other-name', title: 'x', tags: [], fps: 12, trim: { startSec: 0, endSec: 1 }, clip: 'c.mp4', preview: 'p.gif', source: 's', license: 'l' };
      await writeFile(path.join(dir, 'good-name', 'template.json'), JSON.stringify(file));
      await expect(loadTemplateCatalog(dir)).rejects.toThrow(/does not match its folder/);
      await writeFile(path.join(dir, 'good-name', 'template.json'), JSON.stringify({ ...file, id: 'good-name', fps: -1 }));
      await expect(loadTemplateCatalog(dir)).rejects.toThrow(/invalid/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
