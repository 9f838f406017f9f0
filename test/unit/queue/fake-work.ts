// Test helper: job functions whose duration and failure the test controls, built to honour the abort signal
// the way the real renderer does (checked between steps).
import type { JobContext } from '../../../src/queue/queue-types.ts';

export interface Gate {
  run(context: JobContext): Promise<string>;
  /** Resolves when the work has begun. */
  started: Promise<JobContext>;
  /** Lets the work finish with this value (or fail with the error). */
  open(value?: string): void;
  fail(error: Error): void;
  /** Steps done before the work stopped, and whether it saw the abort. */
  stats: { steps: number; sawAbort: boolean; stopped: boolean };
}

/** Work that steps every `stepMs` until opened or aborted; it stops itself when the signal fires. */
export function gate(label: string, stepMs = 5): Gate {
  let open!: (value: string) => void;
  let fail!: (error: Error) => void;
  let onStart!: (context: JobContext) => void;
  const finished = new Promise<string>((res, rej) => {
    open = res;
    fail = rej;
  });
  finished.catch(() => undefined);
  const started = new Promise<JobContext>((res) => {
    onStart = res;
  });
  const stats = { steps: 0, sawAbort: false, stopped: false };
  let outcome: { value?: string; error?: Error } | undefined;
  finished.then(
    (value) => {
      outcome = { value };
    },
    (error: Error) => {
      outcome = { error };
    },
  );
  return {
    started,
    stats,
    open: (value = label) => open(value),
    fail: (error) => fail(error),
    async run(context) {
      onStart(context);
      try {
        for (;;) {
          if (context.signal.aborted) {
            stats.sawAbort = true;
            throw context.signal.reason;
          }
          if (outcome) {
            if (outcome.error) throw outcome.error;
            return outcome.value!;
          }
          stats.steps++;
          context.report({ stage: 'engine', fraction: Math.min(0.99, stats.steps / 100) });
          await new Promise((res) => setTimeout(res, stepMs));
        }
      } finally {
        stats.stopped = true;
      }
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}
