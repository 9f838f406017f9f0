// Turns what fetch throws into coded errors: could not connect at all (DNS, refused, no route, proxy, TLS)
// → NETWORK_UNREACHABLE; a connection that broke mid-transfer → a retryable ENGINE_UNAVAILABLE. Coded errors
// and local file-system errors pass through unchanged.
import { MemeError } from '../errors.ts';

/** Why a connection could not be made, by the system / undici error code. */
const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed (no network?)',
  EAI_FAIL: 'DNS lookup failed',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network is down',
  EHOSTUNREACH: 'host unreachable',
  EHOSTDOWN: 'host is down',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted (self-signed; a proxy that inspects HTTPS?)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted (self-signed)',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
};

/** Certificate problems do not go away by retrying. */
const NOT_RETRYABLE = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED']);

const LOCAL_FS_CODES = new Set(['ENOSPC', 'EACCES', 'EROFS', 'EPERM', 'EISDIR', 'EMFILE', 'EDQUOT']);

/** The innermost system error code of an error chain (fetch wraps it as `cause`, sometimes twice). */
function systemCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && (e.code in CONNECT_FAILURES || LOCAL_FS_CODES.has(e.code))) return e.code;
    // Happy Eyeballs (autoSelectFamily) reports one error per address as an AggregateError.
    const first = Array.isArray(e.errors) ? (e.errors[0] as typeof e) : undefined;
    e = (e.cause as typeof e) ?? first;
  }
  return undefined;
}

/** A proxy that refused the CONNECT tunnel (undici: "Proxy response (407) !== 200 when HTTP Tunneling"). */
function proxyRefusal(error: unknown): string | undefined {
  for (let e = error as { message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    const match = typeof e.message === 'string' ? /Proxy response \((\d+)\)/.exec(e.message) : null;
    if (match) return `the proxy answered HTTP ${match[1]}${match[1] === '407' ? ' (proxy authentication required)' : ''}`;
  }
  return undefined;
}

/**
 * `host` is where the request went (the proxy's address is named by the caller's hint). Returns the error
 * to retry or report.
 */
export function toTransferError(error: unknown, host: string): unknown {
  if (error instanceof MemeError) return error;
  const code = systemCode(error);
  if (code && LOCAL_FS_CODES.has(code)) return error;
  const refusal = proxyRefusal(error);
  if (refusal) return new MemeError('NETWORK_UNREACHABLE', `cannot reach ${host}: ${refusal}`, { retryable: false, host });
  if (code) {
    return new MemeError('NETWORK_UNREACHABLE', `cannot reach ${host}: ${CONNECT_FAILURES[code]} (${code})`, { retryable: !NOT_RETRYABLE.has(code), host, systemCode: code });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new MemeError('ENGINE_UNAVAILABLE', `connection to ${host} lost (${message})`, { retryable: true, host });
}
