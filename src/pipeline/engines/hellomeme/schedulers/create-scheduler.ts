// Picks a scheduler by name for a render: DPM-Solver++ 2M SDE is HelloMeme v5's (the default); DDIM, Euler
// and LCM are alternatives. Each call returns fresh state, as v5 rebuilds its scheduler for every level.
import { MemeError } from '../../../../errors.ts';
import { DdimScheduler } from './ddim.ts';
import { DpmSolverSdeScheduler } from './dpm-solver-sde.ts';
import { EulerScheduler } from './euler.ts';
import { LcmScheduler } from './lcm.ts';
import type { Scheduler, SchedulerKind } from './scheduler.ts';

export const SCHEDULER_KINDS: readonly SchedulerKind[] = ['dpmpp-2m-sde', 'ddim', 'euler', 'lcm'];
export const DEFAULT_SCHEDULER: SchedulerKind = 'dpmpp-2m-sde';

interface SchedulerOptions {
  /** DDIM only: 0 is deterministic, > 0 adds fresh noise each step. */
  eta?: number;
}

export function createScheduler(kind: SchedulerKind | string, steps: number, options: SchedulerOptions = {}): Scheduler {
  switch (kind) {
    case 'dpmpp-2m-sde':
      return new DpmSolverSdeScheduler(steps);
    case 'ddim':
      return new DdimScheduler(steps, options.eta ?? 0);
    case 'euler':
      return new EulerScheduler(steps);
    case 'lcm':
      return new LcmScheduler(steps);
    default:
      throw new MemeError('BAD_OPTION', `unknown scheduler '${kind}' (known: ${SCHEDULER_KINDS.join(', ')})`);
  }
}
