// WOFF 1.0 → plain OpenType (sfnt) bytes, for HarfBuzz, which reads only sfnt. fontsource ships every subset
// as .woff and .woff2; WOFF 1.0 is the sfnt tables each zlib-compressed, so Node's zlib undoes it with no
// extra package (WOFF2's brotli + glyf transform would need a decoder of its own). Spec: W3C WOFF 1.0 §3-§5.
import { inflateSync } from 'node:zlib';

const WOFF_SIGNATURE = 0x774f4646; // 'wOFF'
const WOFF_HEADER_BYTES = 44;
const WOFF_ENTRY_BYTES = 20;
const SFNT_HEADER_BYTES = 12;
const SFNT_RECORD_BYTES = 16;

interface TableEntry {
  tag: number;
  offset: number;
  compLength: number;
  origLength: number;
  checksum: number;
}

const align4 = (n: number) => (n + 3) & ~3;

/** The sfnt bytes inside a WOFF 1.0 file; bytes that are already sfnt (TTF/OTF) come back unchanged. */
export function sfntFromWoff(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4 || view.getUint32(0) !== WOFF_SIGNATURE) return bytes;
  const flavor = view.getUint32(4);
  const numTables = view.getUint16(12);
  const entries: TableEntry[] = [];
  for (let i = 0; i < numTables; i++) {
    const at = WOFF_HEADER_BYTES + i * WOFF_ENTRY_BYTES;
    entries.push({ tag: view.getUint32(at), offset: view.getUint32(at + 4), compLength: view.getUint32(at + 8), origLength: view.getUint32(at + 12), checksum: view.getUint32(at + 16) });
  }
  const tableStart = SFNT_HEADER_BYTES + numTables * SFNT_RECORD_BYTES;
  const size = entries.reduce((sum, e) => sum + align4(e.origLength), tableStart);
  const out = new Uint8Array(size);
  const outView = new DataView(out.buffer);
  // searchRange etc. (OpenType "Table Directory"): largest power of two ≤ numTables, times 16.
  const entrySelector = Math.floor(Math.log2(numTables));
  outView.setUint32(0, flavor);
  outView.setUint16(4, numTables);
  outView.setUint16(6, 16 * 2 ** entrySelector);
  outView.setUint16(8, entrySelector);
  outView.setUint16(10, numTables * 16 - 16 * 2 ** entrySelector);
  let offset = tableStart;
  for (const [i, entry] of entries.entries()) {
    const stored = bytes.subarray(entry.offset, entry.offset + entry.compLength);
    const table = entry.compLength < entry.origLength ? inflateSync(stored) : stored;
    if (table.byteLength !== entry.origLength) throw new Error(`WOFF table ${i} inflates to ${table.byteLength} bytes, header says ${entry.origLength}`);
    const record = SFNT_HEADER_BYTES + i * SFNT_RECORD_BYTES;
    outView.setUint32(record, entry.tag);
    outView.setUint32(record + 4, entry.checksum);
    outView.setUint32(record + 8, offset);
    outView.setUint32(record + 12, entry.origLength);
    out.set(table, offset);
    offset += align4(entry.origLength);
  }
  return out;
}
