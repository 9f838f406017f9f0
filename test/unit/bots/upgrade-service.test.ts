// The service's two stages of a previewed request (bots/upgrade/) over the embedded queue: the warp preview first,
// then the HelloMeme result in place of it; a failed or cancelled HD stage and "Keep this one" leave the preview
// with a note; the preview never waits behind the HD render; the operator's switch and the adapter's opt-out.
import { afterEach, describe, expect, it } from 'vitest';
import { type CoreMemeService, createMemeService } from '../../../src/bots/service.ts';
import type { JobFailure, JobRef, MemeRequest, PreviewKept, ProgressUpdate, Replier, UpgradingReplier } from '../../../src/bots/service-types.ts';
import { MemeError } from '../../../src/errors.ts';
import type { EngineName, MemeResult, MemeSpec, Renderer } from '../../../src/pipeline/meme-spec.ts';
import type { RunOptions } from '../../../src/pipeline/types.ts';
import { PHOTO, testConfig, testTemplates } from './service-fixtures.ts';

/** Warp answers at once; HelloMeme waits for `release()` (or fails with `failHd`) so the test decides the order. */
class TwoEngineRenderer implements Renderer {
  readonly engines: EngineName[] = ['warp', 'hellomeme'];
  readonly autoChoice = { engine: 'hellomeme' as const, reason: 'test: a GPU provider runs' };
  readonly specs: MemeSpec[] = [];
  failHd?: MemeError;
  failWarp?: MemeError;
  /** When set, warp waits for it too (a slow preview). */
  warpGate?: Promise<void>;
  #release!: () => void;
  #held = new Promise<void>((resolve) => {
    this.#release = resolve;
  });

  release(): void {
    this.#release();
  }

  async render(spec: MemeSpec, options: RunOptions = {}): Promise<MemeResult> {
    this.specs.push(spec);
    const engine = spec.engine as EngineName;
    if (engine === 'hellomeme') {
      options.onProgress?.({ stage: 'engine', fraction: 0.5, overall: 0.5 });
      await Promise.race([this.#held, new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason)))]);
      if (this.failHd) throw this.failHd;
    } else {
      if (this.warpGate) await Promise.race([this.warpGate, new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason)))]);
      if (this.failWarp) throw this.failWarp;
    }
    const bytes = Buffer.from(`${engine}:${spec.templateId}:${spec.seed}`);
    return { bytes, format: spec.format, mime: 'video/mp4', width: 64, height: 64, fps: 12, frameCount: 2, durationSec: 1, engine, seed: spec.seed ?? 0, stageMs: {}, budget: { fps: 12, width: 64, height: 64, attempts: 1 } };
  }

  async dispose(): Promise<void> {}
}

type Heard =
  | { kind: 'queued' | 'progress' | 'hdProgress'; update: ProgressUpdate }
  | { kind: 'preview' | 'upgrade' | 'deliver'; result: MemeResult; job: JobRef }
  | { kind: 'kept'; outcome: PreviewKept }
  | { kind: 'fail'; failure: JobFailure };

type ResultHeard = { result: MemeResult; job: JobRef };

class RecordingUpgrader implements UpgradingReplier {
  readonly heard: Heard[] = [];
  #waiters: { kind: Heard['kind']; resolve: (h: Heard) => void }[] = [];

  queued(update: ProgressUpdate) {
    this.#hear({ kind: 'queued', update });
  }
  progress(update: ProgressUpdate) {
    this.#hear({ kind: 'progress', update });
  }
  hdProgress(update: ProgressUpdate) {
    this.#hear({ kind: 'hdProgress', update });
  }
  async deliver(result: MemeResult, job: JobRef) {
    this.#hear({ kind: 'deliver', result, job });
  }
  async deliverPreview(result: MemeResult, job: JobRef) {
    this.#hear({ kind: 'preview', result, job });
  }
  async upgrade(result: MemeResult, job: JobRef) {
    this.#hear({ kind: 'upgrade', result, job });
  }
  async keepPreview(outcome: PreviewKept) {
    this.#hear({ kind: 'kept', outcome });
  }
  async fail(failure: JobFailure) {
    this.#hear({ kind: 'fail', failure });
  }

  next(kind: Heard['kind']): Promise<Heard> {
    const seen = this.heard.find((h) => h.kind === kind);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ kind, resolve }));
  }

  kinds(): string[] {
    return [...new Set(this.heard.map((h) => h.kind))];
  }

  #hear(h: Heard) {
    this.heard.push(h);
    for (const w of this.#waiters.filter((x) => x.kind === h.kind)) w.resolve(h);
    this.#waiters = this.#waiters.filter((x) => x.kind !== h.kind);
  }
}

const request = (extra: Partial<MemeRequest> = {}): MemeRequest => ({ platform: 'web', userId: 'web:ann', photo: PHOTO, templateId: 'nod-along', format: 'mp4', ...extra });
let service: CoreMemeService | undefined;
let seed = 100;

function start(env: Record<string, string> = {}): { renderer: TwoEngineRenderer; service: CoreMemeService } {
  const renderer = new TwoEngineRenderer();
  service = createMemeService({ config: testConfig({ MEMELOOM_GPU_DEVICES: '1', MEMELOOM_MAX_ACTIVE_PER_USER: '3', ...env }), renderer, templates: testTemplates() });
  return { renderer, service };
}

afterEach(async () => {
  await service?.shutdown(100);
  service = undefined;
});

describe('a preview that upgrades itself', () => {
  it('delivers the warp preview while the HD render still runs, then the HelloMeme result under the same request id', async () => {
    const { renderer, service } = start();
    const replier = new RecordingUpgrader();
    const { jobId } = await service.submit(request(), replier);
    const preview = (await replier.next('preview')) as ResultHeard;
    expect(preview.result.engine).toBe('warp');
    expect(preview.job.jobId).toBe(jobId);
    // The HD job is queued behind nothing of the preview's and reports on the preview.
    const hd = (await replier.next('hdProgress')) as { update: ProgressUpdate };
    expect(hd.update.jobId).toBe(jobId);
    expect(replier.kinds()).not.toContain('upgrade');
    renderer.release();
    const upgrade = (await replier.next('upgrade')) as ResultHeard;
    expect(upgrade.result.engine).toBe('hellomeme');
    expect(upgrade.job.jobId).toBe(jobId);
    expect(upgrade.result.bytes.equals(preview.result.bytes)).toBe(false);
    // One request, two jobs queued together: the HD job first (it was already rendering when the preview came).
    expect(renderer.specs.map((s) => s.engine)).toEqual(['hellomeme', 'warp']);
    expect(replier.kinds()).not.toContain('deliver');
    expect(replier.kinds()).not.toContain('kept');
  });

  it('tells each preview its HD job\'s place in line', async () => {
    const { renderer, service } = start();
    const first = new RecordingUpgrader();
    const second = new RecordingUpgrader();
    await service.submit(request(), first);
    await first.next('hdProgress');
    await service.submit(request({ userId: 'web:bob', seed: 5 }), second);
    const waiting = (await second.next('hdProgress')) as { update: ProgressUpdate };
    // The GPU lane runs the first HD job; the second waits as number 1, and its preview was not held back.
    expect(waiting.update.position).toBe(1);
    expect(second.kinds()).toContain('preview');
    renderer.release();
    await second.next('upgrade');
  });

  it('keeps the preview with the reason when the HD render fails', async () => {
    const { renderer, service } = start();
    renderer.failHd = new MemeError('TIMEOUT', 'too slow');
    const replier = new RecordingUpgrader();
    await service.submit(request(), replier);
    await replier.next('preview');
    renderer.release();
    const kept = (await replier.next('kept')) as { outcome: PreviewKept };
    expect(kept.outcome).toMatchObject({ reason: 'failed', code: 'TIMEOUT' });
    expect(replier.kinds()).not.toContain('upgrade');
    expect(replier.kinds()).not.toContain('fail');
  });

  it('"Keep this one" (and a cancel of the request) stops the HD stage and keeps the preview', async () => {
    const { service } = start();
    for (const stop of [(s: CoreMemeService, id: string) => s.keepPreview(id), (s: CoreMemeService, id: string) => s.cancel(id)]) {
      const replier = new RecordingUpgrader();
      const { jobId } = await service.submit(request({ seed: ++seed }), replier);
      await replier.next('hdProgress');
      expect(stop(service, jobId)).toBe(true);
      const kept = (await replier.next('kept')) as { outcome: PreviewKept };
      expect(kept.outcome).toEqual({ jobId, reason: 'kept' });
      expect(service.keepPreview(jobId)).toBe(false);
    }
  });

  it('is off with MEMELOOM_PREVIEW_UPGRADE=off, for a request that opts out, and for a Replier that cannot replace messages', async () => {
    const off = start({ MEMELOOM_PREVIEW_UPGRADE: 'off' });
    off.renderer.release();
    const replier = new RecordingUpgrader();
    await off.service.submit(request(), replier);
    expect(((await replier.next('deliver')) as ResultHeard).result.engine).toBe('hellomeme');
    expect(replier.kinds()).not.toContain('preview');
    await off.service.shutdown(100);

    const on = start();
    on.renderer.release();
    const optOut = new RecordingUpgrader();
    await on.service.submit(request({ upgrade: false }), optOut);
    expect(((await optOut.next('deliver')) as ResultHeard).result.engine).toBe('hellomeme');
    const plain = new RecordingUpgrader();
    const withoutUpgrade: Replier = {
      queued: (u) => plain.queued(u),
      progress: (u) => plain.progress(u),
      deliver: (r, j) => plain.deliver(r, j),
      fail: (f) => plain.fail(f),
    };
    await on.service.submit(request({ seed: 7 }), withoutUpgrade);
    expect(((await plain.next('deliver')) as ResultHeard).result.engine).toBe('hellomeme');
    expect(on.renderer.specs.map((s) => s.engine)).toEqual(['hellomeme', 'hellomeme']);
  });

  it('"Another take" previews again; a variant of what is on screen keeps its engine', async () => {
    const { renderer, service } = start();
    renderer.release();
    const first = new RecordingUpgrader();
    const { jobId } = await service.submit(request(), first);
    await first.next('upgrade');
    const again = new RecordingUpgrader();
    await service.reroll(jobId, again);
    await again.next('upgrade');
    const variant = new RecordingUpgrader();
    await service.rerender(jobId, { format: 'gif', engine: 'hellomeme', upgrade: false }, variant);
    expect(((await variant.next('deliver')) as ResultHeard).result.engine).toBe('hellomeme');
    expect(renderer.specs.map((s) => s.engine)).toEqual(['hellomeme', 'warp', 'hellomeme', 'warp', 'hellomeme']);
  });

  it('is one request: its two jobs are queued together and take one of the user\'s slots', async () => {
    const { renderer, service } = start({ MEMELOOM_MAX_ACTIVE_PER_USER: '1' });
    const replier = new RecordingUpgrader();
    const { jobId } = await service.submit(request(), replier);
    await replier.next('preview');
    // The HD job holds the slot until it is over: a second request meanwhile is refused, naming the cap.
    await expect(service.submit(request({ seed: 9 }), new RecordingUpgrader())).rejects.toMatchObject({ code: 'BUSY' });
    renderer.release();
    expect(((await replier.next('upgrade')) as ResultHeard).job.jobId).toBe(jobId);
  });

  it('an HD result that comes before the preview waits for it, then replaces it', async () => {
    const { renderer, service } = start();
    let openWarp!: () => void;
    renderer.warpGate = new Promise((resolve) => {
      openWarp = resolve;
    });
    const replier = new RecordingUpgrader();
    await service.submit(request(), replier);
    renderer.release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(replier.kinds()).not.toContain('upgrade');
    openWarp();
    await replier.next('upgrade');
    const order = replier.heard.map((h) => h.kind).filter((k) => k === 'preview' || k === 'upgrade');
    expect(order).toEqual(['preview', 'upgrade']);
  });

  it('a cancel before the preview is shown stops both jobs and says so once', async () => {
    const { renderer, service } = start();
    renderer.warpGate = new Promise(() => undefined);
    const replier = new RecordingUpgrader();
    const { jobId } = await service.submit(request(), replier);
    await replier.next('queued');
    expect(service.cancel(jobId)).toBe(true);
    const failed = (await replier.next('fail')) as { failure: JobFailure };
    expect(failed.failure).toMatchObject({ jobId, code: 'CANCELLED' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(replier.heard.filter((h) => h.kind === 'fail')).toHaveLength(1);
    expect(replier.kinds()).not.toContain('kept');
    expect(replier.kinds()).not.toContain('upgrade');
    expect(service.keepPreview(jobId)).toBe(false);
  });

  it('a preview that fails (not on the input) leaves the answer to the HD job, already queued', async () => {
    const { renderer, service } = start();
    renderer.failWarp = new MemeError('TIMEOUT', 'warp too slow');
    const replier = new RecordingUpgrader();
    const { jobId } = await service.submit(request(), replier);
    renderer.release();
    const upgrade = (await replier.next('upgrade')) as ResultHeard;
    expect(upgrade.result.engine).toBe('hellomeme');
    expect(upgrade.job.jobId).toBe(jobId);
    expect(replier.kinds()).not.toContain('fail');
    expect(replier.kinds()).not.toContain('preview');
  });
});
