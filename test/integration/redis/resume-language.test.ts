// The requester's language survives a bot restart, over a real redis-server: the service submits a request with
// the requester's language, the bot process goes away, and the restarted process's backend resumes the job with
// that language, so what the restarted bot writes for the job (its failure, say) is in it (service.resume).
import { describe, expect, it } from 'vitest';
import { createMemeService } from '../../../src/bots/service.ts';
import { silentLogger } from '../../../src/logger.ts';
import { createRedisBackend } from '../../../src/remote/redis-backend.ts';
import { PHOTO, RecordingReplier, testConfig, testTemplates } from '../../unit/bots/service-fixtures.ts';
import { useRedisScenario } from './redis-scenario.ts';

const { redis } = useRedisScenario();

describe('QUEUE_BACKEND=redis: a resumed job keeps its language', () => {
  it('the language a job was submitted with comes back with it after a restart (none where none was given)', async () => {
    const config = testConfig({ QUEUE_BACKEND: 'redis', REDIS_URL: redis.url, REDIS_PREFIX: 'lang', MEMELOOM_INSTANCE_ID: 'bot-lang', MEMELOOM_MAX_ACTIVE_PER_USER: '2' });
    const first = await createRedisBackend(config, silentLogger);
    const service = createMemeService({ config, templates: testTemplates(), backend: first });
    const replier = Object.assign(new RecordingReplier(), { route: { platform: 'telegram', data: { chatId: 7 } } });
    const request = { platform: 'telegram', userId: 'telegram:7', photo: PHOTO, templateId: 'nod-along', format: 'mp4' } as const;
    const german = await service.submit({ ...request, language: 'de-DE' }, replier);
    const unsaid = await service.submit({ ...request, seed: 5 }, replier);
    // No worker took them; the bot process goes away with both pending.
    await first.shutdown(0);

    const second = await createRedisBackend(config, silentLogger);
    try {
      const resumed = await second.resume!();
      const languages = Object.fromEntries(resumed.map((job) => [job.jobId, job.language ?? 'none']));
      expect(languages).toEqual({ [german.jobId]: 'de-DE', [unsaid.jobId]: 'none' });
    } finally {
      await second.shutdown(0);
    }
  });
});
