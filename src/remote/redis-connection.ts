// Connections to Redis for the remote backend and workers: a start-up probe that fails with a clear error, and
// the connection settings BullMQ needs. Loaded only when QUEUE_BACKEND=redis; nothing else imports ioredis.
import { Redis } from 'ioredis';
import { MemeError } from '../errors.ts';

const PROBE_TIMEOUT_MS = 3000;

/** The URL without a password, for logs and error texts. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** Connects once and PINGs; throws BACKEND_UNAVAILABLE naming the URL and the cause when Redis cannot be reached. */
export async function probeRedis(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined); // the awaited connect() reports it
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new MemeError(
      'BACKEND_UNAVAILABLE',
      `cannot reach Redis at ${redactUrl(url)} (${(error as Error).message}); start redis-server or fix REDIS_URL`,
      { url: redactUrl(url) },
    );
  } finally {
    client.disconnect();
  }
}

/**
 * Our own commands (admission, routes): fail fast while Redis is down, so a request gets BACKEND_UNAVAILABLE at
 * once instead of hanging; ioredis keeps reconnecting in the background, so recovery needs no manual step.
 */
export function commandClient(url: string, onError: (error: Error) => void): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: PROBE_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2000),
  });
  client.on('error', onError);
  return client;
}

/** Options for BullMQ's Queue (producer: fail fast) and Worker/QueueEvents (blocking: retry forever). */
interface BullConnectionOptions {
  url: string;
  connectTimeout: number;
  retryStrategy: (attempt: number) => number;
  enableOfflineQueue?: boolean;
  maxRetriesPerRequest: number | null;
}

export function bullConnection(url: string, role: 'producer' | 'blocking'): BullConnectionOptions {
  const common = { url, connectTimeout: PROBE_TIMEOUT_MS, retryStrategy: (attempt: number) => Math.min(200 * attempt, 2000) };
  return role === 'producer' ? { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { ...common, maxRetriesPerRequest: null };
}

/** Anything that means "Redis is not there right now" becomes BACKEND_UNAVAILABLE; coded errors pass through. */
export function asBackendError(error: unknown): MemeError {
  if (error instanceof MemeError) return error;
  return new MemeError('BACKEND_UNAVAILABLE', `redis: ${(error as Error)?.message ?? String(error)}`);
}
