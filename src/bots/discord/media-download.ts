// Downloads an attachment or avatar from Discord's CDN with a byte cap and a timeout, so an oversize or
// slow file fails with a coded error instead of filling memory. Knows nothing of interactions.
import { InputError } from '../../errors.ts';

const DOWNLOAD_TIMEOUT_MS = 20_000;

export async function downloadBytes(url: string, maxBytes: number, kind: 'photo' | 'clip', timeoutMs = DOWNLOAD_TIMEOUT_MS): Promise<Buffer> {
  const tooLarge = kind === 'photo' ? 'IMAGE_TOO_LARGE' : 'VIDEO_TOO_LARGE';
  const unreadable = kind === 'photo' ? 'NOT_AN_IMAGE' : 'VIDEO_UNREADABLE';
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new InputError(unreadable, `could not download ${kind}: ${(error as Error).message}`, { url });
  }
  if (!response.ok || !response.body) throw new InputError(unreadable, `download of ${kind} failed with HTTP ${response.status}`, { url });
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new InputError(tooLarge, `${kind} is ${declared} bytes, over ${maxBytes}`, { bytes: declared, maxBytes });
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw new InputError(tooLarge, `${kind} is over ${maxBytes} bytes`, { maxBytes });
    }
    chunks.push(Buffer.from(value));
  }
}
