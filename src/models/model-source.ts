// What `models pull` needs from a place that serves the model files (Hugging Face, ModelScope, a mirror):
// each file's size and digest before downloading, and the file's bytes from an offset on. Types only;
// huggingface-source.ts and modelscope-source.ts implement it, pull-settings.ts picks one.
import type { HttpResponse } from './http-request.ts';
import type { HubFile } from './model-files.ts';
import type { StallWatch } from './stall-watch.ts';

/** What the source says about a file before we download it. */
export interface RemoteFileInfo {
  /** Bytes, or null when the source does not say. */
  size: number | null;
  /** A digest without quotes: sha256 (LFS files, ModelScope) or the git blob sha1 (Hugging Face small files). */
  etag: string | null;
}

export interface ModelSource {
  readonly name: 'huggingface' | 'modelscope';
  /** Base URL, for messages. */
  readonly endpoint: string;
  /** Size and digest of one file. */
  describe(file: HubFile, watch: StallWatch): Promise<RemoteFileInfo>;
  /** GET the file from `offset` on (a Range request when offset > 0): a 200, 206 or 416 response. */
  open(file: HubFile, offset: number, watch: StallWatch): Promise<HttpResponse>;
  /** Releases proxy connections. */
  close(): Promise<void>;
}
