// Parses multipart/form-data request bodies for the fake Bot API (the shape telegraf uploads files in).
// Test-only and buffer-based: the fake never sees bodies big enough to need streaming.

export interface FormFile {
  filename: string;
  contentType?: string;
  bytes: Buffer;
}

export interface ParsedForm {
  fields: Record<string, string>;
  files: Record<string, FormFile>;
}

export function boundaryOf(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2])?.trim() : undefined;
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export function parseMultipart(body: Buffer, boundary: string): ParsedForm {
  const form: ParsedForm = { fields: {}, files: {} };
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    // `--boundary--` closes the body.
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // Each part is CRLF headers CRLF CRLF body CRLF.
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = parseHeaders(part.subarray(0, headerEnd).toString('utf8'));
      const content = part.subarray(headerEnd + 4);
      const disposition = headers['content-disposition'] ?? '';
      const name = /name="([^"]*)"/.exec(disposition)?.[1];
      const filename = /filename="([^"]*)"/.exec(disposition)?.[1];
      if (name !== undefined && filename !== undefined) {
        form.files[name] = { filename, contentType: headers['content-type'], bytes: Buffer.from(content) };
      } else if (name !== undefined) {
        form.fields[name] = content.toString('utf8');
      }
    }
    start = next;
  }
  return form;
}
