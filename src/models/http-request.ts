// One HTTP request for a model source: follows up to 5 redirects by hand (so credentials go only where the
// source says), goes through the proxy the environment names, feeds the stall watch, and turns statuses and
// connection failures into coded errors. Knows nothing about hubs' URL layouts.
import { fetch, type Response } from 'undici';
import { MemeError } from '../errors.ts';
import { toTransferError } from './network-errors.ts';
import { type ProxyRouter, redactedProxy } from './proxy-dispatcher.ts';
import type { StallWatch } from './stall-watch.ts';

const MAX_REDIRECTS = 5;
const USER_AGENT = 'memeloom-models-pull';

export type HttpResponse = Response;

interface SendOptions {
  method: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  watch: StallWatch;
  proxy: ProxyRouter;
  /** Headers only some URLs may see (a token for the source's own origin, never for its CDN). */
  authFor?: (url: URL) => Record<string, string>;
  /** Stop at the first response this accepts, redirect or not (a hub HEAD's X-Linked-* headers). */
  stopAt?: (response: Response) => boolean;
  /** The coded error for a status that retrying will not fix (401, 404, ...). */
  statusError: (status: number, url: URL) => MemeError;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

async function fetchOnce(url: URL, options: SendOptions): Promise<Response> {
  try {
    return await fetch(url, {
      method: options.method,
      headers: { 'user-agent': USER_AGENT, ...options.headers, ...options.authFor?.(url) },
      redirect: 'manual',
      signal: options.watch.signal,
      dispatcher: options.proxy.dispatcherFor(url),
    });
  } catch (error) {
    if (options.watch.stalled) throw options.watch.error;
    const proxy = options.proxy.proxyFor(url);
    throw toTransferError(error, proxy ? `${url.host} through the proxy ${redactedProxy(proxy)}` : url.host);
  }
}

/** Sends the request; 2xx, 206 and 416 come back to the caller, everything else is thrown coded. */
export async function send(start: string, options: SendOptions): Promise<Response> {
  let url = new URL(start);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const response = await fetchOnce(url, options);
    options.watch.touch();
    if (options.stopAt?.(response)) return response;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, url);
      continue;
    }
    if (!response.ok && response.status !== 206 && response.status !== 416) {
      await response.body?.cancel();
      if (isRetryableStatus(response.status)) {
        throw new MemeError('ENGINE_UNAVAILABLE', `HTTP ${response.status} from ${url.host}`, { status: response.status, retryable: true });
      }
      throw options.statusError(response.status, url);
    }
    return response;
  }
  throw new MemeError('ENGINE_UNAVAILABLE', `too many redirects from ${start}`);
}
