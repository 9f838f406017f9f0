// Test entry: a bot process on the real composition root (startMemeloom, QUEUE_BACKEND=redis from the env) whose
// "platform" is this process's stdio: JSON-line commands on stdin, every Replier call as a JSON line on stdout.
// Its re-attach handler for platform 'cli' is the same stdout Replier, so a restarted process delivers there too.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createLogger } from '../../../src/logger.ts';
import type { Replier } from '../../../src/bots/service-types.ts';
import { loadConfig } from '../../../src/config.ts';
import { toMemeError } from '../../../src/errors.ts';
import { startMemeloom } from '../../../src/main.ts';

const say = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

const replier: Replier & { route: { platform: 'cli' } } = {
  route: { platform: 'cli' },
  queued: (u) => say({ ev: 'queued', jobId: u.jobId, position: u.position }),
  progress: (u) => say({ ev: 'progress', jobId: u.jobId, stage: u.stage, fraction: u.fraction, position: u.position }),
  deliver: async (result, job) =>
    say({ ev: 'deliver', jobId: job.jobId, bytes: result.bytes.length, sha: createHash('sha256').update(result.bytes).digest('hex'), mime: result.mime, frames: result.frameCount, head: result.bytes.subarray(0, 48).toString('latin1') }),
  fail: async (f) => say({ ev: 'fail', jobId: f.jobId, code: f.code }),
};

interface SubmitCommand {
  cmd: 'submit';
  ref: string;
  userId: string;
  photo: string;
  templateId: string;
  seed?: number;
}

const config = loadConfig();
const bot = await startMemeloom(config, {
  logger: createLogger({ level: 'info', stream: process.stderr }),
  reattach: { cli: () => replier },
});
say({ ev: 'ready', url: bot.url });

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  const command = JSON.parse(line) as SubmitCommand | { cmd: 'cancel'; jobId: string } | { cmd: 'stop' };
  if (command.cmd === 'stop') {
    void bot.stop().then(() => process.exit(0));
    return;
  }
  if (command.cmd === 'cancel') {
    say({ ev: 'cancel', jobId: command.jobId, ok: bot.service.cancel(command.jobId) });
    return;
  }
  const request = {
    platform: 'cli' as const,
    userId: command.userId,
    photo: readFileSync(command.photo),
    templateId: command.templateId,
    format: 'gif' as const,
    engine: 'warp' as const,
    seed: command.seed,
  };
  bot.service.submit(request, replier).then(
    (ref) => say({ ev: 'submitted', ref: command.ref, jobId: ref.jobId }),
    (error: unknown) => say({ ev: 'refused', ref: command.ref, code: toMemeError(error).code }),
  );
});
