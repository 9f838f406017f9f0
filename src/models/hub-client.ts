// HTTP to a Hugging Face hub (or a mirror via HF_ENDPOINT): resolve URLs, HEAD metadata from the linked
// headers of LFS redirects, and GETs that follow redirects by hand so the token never leaves the hub's origin.
import { MemeError } from '../errors.ts';
import { DEFAULT_REVISION, type HubFile } from './model-files.ts';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
const MAX_REDIRECTS = 5;

export interface HubConnection {
  /** Hub base URL without a trailing slash (HF_ENDPOINT). */
  endpoint: string;
  /** HF_TOKEN: sent as a Bearer token to the hub's own origin only, never logged. */
  token?: string;
  revision?: string;
  /** Per-request limit for HEAD and for the response headers of a GET. */
  requestTimeoutMs?: number;
}

/** What the hub says about a file before we download it. */
export interface RemoteFile {
  /** Bytes, from X-Linked-Size (LFS) or Content-Length. */
  size: number | null;
  /** Entity tag without quotes: the sha256 of an LFS file, the git blob sha1 of a small one. */
  etag: string | null;
}

export function resolveUrl(connection: HubConnection, file: HubFile): string {
  const base = connection.endpoint.replace(/\/+$/, '');
  const revision = encodeURIComponent(connection.revision ?? DEFAULT_REVISION);
  const filePath = file.path.split('/').map(encodeURIComponent).join('/');
  return `${base}/${file.repo}/resolve/${revision}/${filePath}`;
}

/** `W/"abc"` → `abc`. */
export function normalizeEtag(value: string | null): string | null {
  if (!value) return null;
  return value.replace(/^W\//, '').replace(/^"|"$/g, '') || null;
}

function headersFor(connection: HubConnection, url: string, extra: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': 'memeloom-models-pull', ...extra };
  if (connection.token && new URL(url).origin === new URL(connection.endpoint).origin) headers.authorization = `Bearer ${connection.token}`;
  return headers;
}

function hubError(status: number, file: HubFile, url: string): MemeError {
  const where = `${file.repo}/${file.path}`;
  const hint =
    status === 401 || status === 403
      ? 'access denied (a gated or private repo needs HF_TOKEN)'
      : status === 404
        ? 'not found on the hub (check the repo id and HF_ENDPOINT)'
        : `the hub answered HTTP ${status}`;
  return new MemeError('ENGINE_UNAVAILABLE', `cannot fetch ${where}: ${hint}`, { status, url });
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Sends a request and follows up to 5 redirects by hand (relative ones on the same host included). The
 * Authorization header goes only to the endpoint's origin, as a CDN redirect target must not see it.
 * `stopAt` lets HEAD stop at the first response carrying the LFS linked headers.
 */
export async function hubRequest(
  connection: HubConnection,
  file: HubFile,
  init: { method: 'GET' | 'HEAD'; headers?: Record<string, string>; signal?: AbortSignal; stopAt?: (response: Response) => boolean },
): Promise<Response> {
  let url = resolveUrl(connection, file);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    // The timeout covers the wait for headers only; a long body is watched by the caller's idle timer.
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(new MemeError('TIMEOUT', `no answer from ${new URL(url).host}`)), connection.requestTimeoutMs ?? 30_000);
    const signal = init.signal ? AbortSignal.any([init.signal, headersTimeout.signal]) : headersTimeout.signal;
    let response: Response;
    try {
      response = await fetch(url, { method: init.method, headers: headersFor(connection, url, init.headers ?? {}), redirect: 'manual', signal });
    } finally {
      clearTimeout(timer);
    }
    if (init.stopAt?.(response)) return response;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      url = new URL(location, url).toString();
      continue;
    }
    if (!response.ok && response.status !== 206 && response.status !== 416) {
      await response.body?.cancel();
      if (isRetryableStatus(response.status)) throw new MemeError('ENGINE_UNAVAILABLE', `HTTP ${response.status} from the hub`, { status: response.status, retryable: true });
      throw hubError(response.status, file, url);
    }
    return response;
  }
  throw new MemeError('ENGINE_UNAVAILABLE', `too many redirects for ${file.repo}/${file.path}`);
}

/** Size and entity tag of a file; for LFS files from the X-Linked-* headers of the hub's redirect. */
export async function headHubFile(connection: HubConnection, file: HubFile, signal?: AbortSignal): Promise<RemoteFile> {
  const response = await hubRequest(connection, file, { method: 'HEAD', signal, stopAt: (r) => r.headers.has('x-linked-etag') || r.headers.has('x-linked-size') });
  const linkedSize = response.headers.get('x-linked-size');
  const length = linkedSize ?? response.headers.get('content-length');
  const size = length !== null && /^\d+$/.test(length) ? Number(length) : null;
  const etag = normalizeEtag(response.headers.get('x-linked-etag') ?? response.headers.get('etag'));
  return { size, etag };
}
