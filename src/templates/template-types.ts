// The shape of a built-in meme template (assets/templates/<id>/template.json) as the rest of the code sees it.

export interface TemplateInfo {
  id: string;
  title: string;
  tags: string[];
  defaultCaption?: { top?: string; bottom?: string };
  /** Frame rate the template renders at. */
  fps: number;
  /** Trim range of the source clip in seconds. */
  trim: { startSec: number; endSec: number };
  /** Absolute path of the driving clip. */
  clipPath: string;
  /** Absolute path of the small preview GIF. */
  previewPath: string;
  /** Absolute path of the template's analysed motion, when it ships one (scripts/make-template-motion.ts). */
  motionPath?: string;
  attribution: string;
}

export interface TemplateCatalog {
  list(): TemplateInfo[];
  /** Throws InputError('UNKNOWN_TEMPLATE') for an id that is not in the catalog. */
  get(id: string): TemplateInfo;
  has(id: string): boolean;
}
