// Loads the built-in template catalog from assets/templates/<id>/template.json and validates it.
// Reading only: previews and motion caches are made elsewhere (scripts/, pipeline/motion).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import type { TemplateCatalog, TemplateInfo } from './template-types.ts';

const TEMPLATES_DIR = fileURLToPath(new URL('../../assets/templates/', import.meta.url));
/** The template's analysed motion, shipped beside its clip. */
const TEMPLATE_MOTION_FILE = 'motion.track';

const templateFileSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  tags: z.array(z.string()),
  defaultCaption: z.object({ top: z.string().optional(), bottom: z.string().optional() }).default({}),
  fps: z.number().positive().max(30),
  trim: z.object({ startSec: z.number().min(0), endSec: z.number().positive() }).refine((t) => t.endSec > t.startSec),
  clip: z.string(),
  preview: z.string(),
  source: z.string(),
  license: z.string(),
});

async function readTemplate(dir: string): Promise<TemplateInfo> {
  const file = path.join(dir, 'template.json');
  const parsed = templateFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`invalid ${file}: ${parsed.error.message}`);
  const t = parsed.data;
  if (t.id !== path.basename(dir)) throw new Error(`${file}: id '${t.id}' does not match its folder`);
  return {
    id: t.id,
    title: t.title,
    tags: t.tags,
    defaultCaption: t.defaultCaption,
    fps: t.fps,
    trim: t.trim,
    clipPath: path.join(dir, t.clip),
    previewPath: path.join(dir, t.preview),
    motionPath: path.join(dir, TEMPLATE_MOTION_FILE),
    attribution: `${t.source}, ${t.license}`,
  };
}

export function createTemplateCatalog(templates: TemplateInfo[]): TemplateCatalog {
  const byId = new Map(templates.map((t) => [t.id, t]));
  return {
    list: () => [...byId.values()],
    has: (id) => byId.has(id),
    get(id) {
      const template = byId.get(id);
      if (!template) throw new InputError('UNKNOWN_TEMPLATE', `unknown template '${id}'`, { templateId: id });
      return template;
    },
  };
}

/** Reads every template folder under `dir` (default: the bundled assets/templates). */
export async function loadTemplateCatalog(dir: string = TEMPLATES_DIR): Promise<TemplateCatalog> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  const templates = await Promise.all(folders.map(readTemplate));
  templates.sort((a, b) => a.id.localeCompare(b.id));
  return createTemplateCatalog(templates);
}
