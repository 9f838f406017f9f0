// Who made each playground request: a browser session is a random id in an HttpOnly cookie, issued with the page
// (or the first upload), and every job a session submits is recorded as its own. Only that session may keep or
// cancel the job; anyone holding the job id may still watch and download it. Bounded in memory.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { boundedCache } from '../../bounded-cache.ts';
import { MemeError } from '../../errors.ts';

const COOKIE = 'memeloom_session';
const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

export class WebSessions {
  readonly #owners = boundedCache<string, string>({ maxEntries: 2000, ttlMs: 24 * 3600_000 });

  /** The request's session, issuing a new cookie on the response when it has none. */
  of(req: IncomingMessage, res: ServerResponse): string {
    const found = sessionCookie(req);
    if (found) return found;
    const issued = randomBytes(16).toString('base64url');
    res.setHeader('set-cookie', `${COOKIE}=${issued}; Path=/; HttpOnly; SameSite=Strict`);
    return issued;
  }

  own(jobId: string, session: string): void {
    this.#owners.set(jobId, session);
  }

  /** Throws NOT_YOURS unless the request comes from the session that submitted the job. */
  check(jobId: string, req: IncomingMessage): void {
    const owner = this.#owners.get(jobId);
    if (owner === undefined || owner !== sessionCookie(req)) throw new MemeError('NOT_YOURS', `job ${jobId} belongs to another session`, { jobId });
  }
}

function sessionCookie(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === COOKIE && value && SESSION_ID.test(value)) return value;
  }
  return undefined;
}
