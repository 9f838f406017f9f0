// The one rule for "another take" (a reroll): the service renders the job again with a new seed; only when the
// service no longer knows the job (UNKNOWN_JOB: this process restarted, or the job left its memory of recent
// requests) does the adapter render anew from what it kept (file ids, attachment URLs). Any other refusal (the
// queue is full, the person is over their limit, shutting down) is the answer, told to the person as it is.
import { isMemeError } from '../errors.ts';
import type { JobRef, MemeService, Replier } from './service-types.ts';

export async function rerollOrRenderAnew<T>(service: MemeService, jobId: string, replier: Replier, renderAnew: () => Promise<T>): Promise<JobRef | T> {
  try {
    return await service.reroll(jobId, replier);
  } catch (error) {
    if (isMemeError(error) && error.code === 'UNKNOWN_JOB') return renderAnew();
    throw error;
  }
}
