// Test entry: blocks every import of bullmq and ioredis (a module resolve hook), then starts Memeloom with the
// config from the environment and renders one job. The default (local) path must work with them blocked.
import { register } from 'node:module';
import { createLogger } from '../../../src/logger.ts';
import { loadConfig } from '../../../src/config.ts';
import { toMemeError } from '../../../src/errors.ts';
import { FakeRenderer, PHOTO, RecordingReplier, testTemplates } from '../../unit/bots/service-fixtures.ts';

const HOOK = `export async function resolve(specifier, context, next) {
  if (/^(bullmq|ioredis)(\\/|$)/.test(specifier)) throw new Error('BLOCKED import of ' + specifier);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(HOOK)}`);

try {
  const { startMemeloom } = await import('../../../src/main.ts');
  const bot = await startMemeloom(loadConfig(), { renderer: new FakeRenderer(), templates: testTemplates(), logger: createLogger({ level: 'error', stream: process.stderr }) });
  const replier = new RecordingReplier();
  await bot.service.submit({ platform: 'web', userId: 'web:x', photo: PHOTO, templateId: 'nod-along', format: 'gif' }, replier);
  const end = await replier.ended;
  await bot.stop();
  process.stdout.write(`${JSON.stringify({ ev: 'result', kind: end.kind, backend: bot.service.backendKind })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ev: 'error', code: toMemeError(error).code, message: (error as Error).message })}\n`);
}
process.exit(0);
