// Test helpers for the service: a Renderer whose timing and failures the test controls (it honours the
// abort signal between steps like the real pipeline), a recording Replier, and a small config.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../../../src/config.ts';
import type { MemeError } from '../../../src/errors.ts';
import type { EngineName, MemeResult, MemeSpec, Renderer } from '../../../src/pipeline/meme-spec.ts';
import type { RunOptions, StageName } from '../../../src/pipeline/types.ts';
import { driveVideo, referenceImage } from '../../helpers/fixtures.ts';
import { createTemplateCatalog } from '../../../src/templates/catalog.ts';
import type { TemplateCatalog } from '../../../src/templates/template-types.ts';
import type { JobFailure, JobRef, ProgressUpdate, Replier } from '../../../src/bots/service-types.ts';

export const PHOTO = readFileSync(referenceImage('chillout.jpg'));
export const OTHER_PHOTO = readFileSync(referenceImage('toon.png'));
export const CLIP = readFileSync(driveVideo('nice.mp4'));

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    MEMELOOM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'memeloom-test-')),
    MEMELOOM_GPU_DEVICES: '0',
    MEMELOOM_MAX_ACTIVE_PER_USER: '1',
    // One job at a time (the default follows the machine's cores), so queue positions are the same everywhere.
    MEMELOOM_CPU_CONCURRENCY: '1',
    ...env,
  });
}

export function testTemplates(): TemplateCatalog {
  const template = (id: string) => ({
    id,
    title: id,
    tags: [],
    fps: 12,
    trim: { startSec: 0, endSec: 2 },
    clipPath: `/nonexistent/${id}.mp4`,
    previewPath: `/nonexistent/${id}.gif`,
    attribution: 'test',
  });
  return createTemplateCatalog([template('nod-along'), template('side-eye')]);
}

export interface RenderCall {
  spec: MemeSpec;
  driverBytes?: Buffer;
  sawAbort: boolean;
  steps: number;
}

/** A renderer that walks the six stages in `steps` steps, `stepMs` apart (or advancing a fake clock). */
export class FakeRenderer implements Renderer {
  engines: EngineName[] = ['warp'];
  /** Installed HelloMeme styles (with 'hellomeme' in engines). */
  styles: readonly string[] = [];
  calls: RenderCall[] = [];
  steps = 6;
  stepMs = 2;
  /** When set, each step advances this clock instead of sleeping. */
  clock?: { now: number; advanceMs: number };
  /** The next render fails with this code (once). */
  failNext?: MemeError;
  /** Renders block until released (for queue-position scenarios). */
  hold?: Promise<void>;
  /** What the results say to the user (the real pipeline notes caption characters no font has). */
  notes: string[] = [];

  async render(spec: MemeSpec, options: RunOptions = {}): Promise<MemeResult> {
    const call: RenderCall = { spec, sawAbort: false, steps: 0 };
    if (spec.driverPath && existsSync(spec.driverPath)) call.driverBytes = readFileSync(spec.driverPath);
    this.calls.push(call);
    const stages: StageName[] = ['decode', 'face', 'motion', 'engine', 'captions', 'encode'];
    if (this.hold) await this.hold;
    for (let i = 0; i < this.steps; i++) {
      if (options.signal?.aborted) {
        call.sawAbort = true;
        throw options.signal.reason;
      }
      if (this.failNext) {
        const error = this.failNext;
        this.failNext = undefined;
        throw error;
      }
      call.steps++;
      const stage = stages[Math.min(stages.length - 1, Math.floor((i / this.steps) * stages.length))];
      options.onProgress?.({ stage, fraction: 0.5, overall: (i + 1) / this.steps });
      if (this.clock) this.clock.now += this.clock.advanceMs;
      await new Promise((res) => setTimeout(res, this.clock ? 0 : this.stepMs));
    }
    const bytes = Buffer.from(`GIF89a:${spec.templateId ?? 'clip'}:${spec.seed}:${spec.format}`);
    return {
      bytes,
      format: spec.format,
      mime: spec.format === 'gif' ? 'image/gif' : 'video/mp4',
      width: 64,
      height: 64,
      fps: 12,
      frameCount: 24,
      durationSec: 2,
      engine: 'warp',
      seed: spec.seed ?? 0,
      stageMs: { decode: 1, engine: 2 },
      budget: { fps: 12, width: 64, height: 64, attempts: 1 },
      notes: this.notes,
    };
  }

  async dispose(): Promise<void> {}
}

export type ReplyEvent =
  | { kind: 'queued'; update: ProgressUpdate }
  | { kind: 'progress'; update: ProgressUpdate }
  | { kind: 'deliver'; result: MemeResult; job: JobRef }
  | { kind: 'fail'; failure: JobFailure };

/** A Replier that records every call and can be awaited until the job ends. */
export class RecordingReplier implements Replier {
  events: ReplyEvent[] = [];
  readonly ended: Promise<ReplyEvent>;
  #end!: (event: ReplyEvent) => void;

  constructor() {
    this.ended = new Promise((res) => {
      this.#end = res;
    });
  }

  queued(update: ProgressUpdate): void {
    this.events.push({ kind: 'queued', update });
  }
  progress(update: ProgressUpdate): void {
    this.events.push({ kind: 'progress', update });
  }
  async deliver(result: MemeResult, job: JobRef): Promise<void> {
    const event = { kind: 'deliver', result, job } as const;
    this.events.push(event);
    this.#end(event);
  }
  async fail(failure: JobFailure): Promise<void> {
    const event = { kind: 'fail', failure } as const;
    this.events.push(event);
    this.#end(event);
  }

  kinds(): string[] {
    return this.events.map((e) => e.kind);
  }
  positions(): (number | undefined)[] {
    return this.events.filter((e) => e.kind === 'progress' && e.update.stage === undefined).map((e) => (e as { update: ProgressUpdate }).update.position);
  }
  stageUpdates(): ProgressUpdate[] {
    return this.events.filter((e) => e.kind === 'progress' && e.update.stage !== undefined).map((e) => (e as { update: ProgressUpdate }).update);
  }
}
