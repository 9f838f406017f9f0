// Encodes and decodes inline-button callback_data (Telegram caps it at 64 bytes).
// Pure: the ids inside refer to entries the adapter keeps in memory (pending photos, sent results).

export type CallbackAction =
  | { kind: 'pick'; pickId: string; templateId: string }
  | { kind: 'page'; pickId: string; page: number }
  | { kind: 'random'; pickId: string }
  | { kind: 'face'; pickId: string; face: 'all' | number }
  | { kind: 'reroll'; resultId: string }
  | { kind: 'other'; resultId: string }
  | { kind: 'sticker'; resultId: string }
  | { kind: 'gif'; resultId: string }
  | { kind: 'pack'; resultId: string }
  /** "Keep this one" under a preview: names the request, whose HD stage it stops. */
  | { kind: 'keep'; requestId: string };

export const MAX_CALLBACK_DATA_BYTES = 64;

const RESULT_KINDS = { reroll: 'ra', other: 'ot', sticker: 'st', gif: 'gf', pack: 'pk' } as const;
type ResultKind = keyof typeof RESULT_KINDS;
const RESULT_KIND_BY_TAG = Object.fromEntries(Object.entries(RESULT_KINDS).map(([k, v]) => [v, k])) as Record<string, ResultKind>;

export function encodeCallback(action: CallbackAction): string {
  let data: string;
  switch (action.kind) {
    case 'pick':
      data = `t|${action.pickId}|${action.templateId}`;
      break;
    case 'page':
      data = `p|${action.pickId}|${action.page}`;
      break;
    case 'random':
      data = `r|${action.pickId}`;
      break;
    case 'keep':
      data = `kp|${action.requestId}`;
      break;
    case 'face':
      data = `f|${action.pickId}|${action.face}`;
      break;
    default:
      data = `${RESULT_KINDS[action.kind]}|${action.resultId}`;
  }
  if (Buffer.byteLength(data) > MAX_CALLBACK_DATA_BYTES) throw new Error(`callback_data over 64 bytes: ${data}`);
  return data;
}

/** Returns undefined for data this bot did not make (old versions, other clients). */
export function decodeCallback(data: string | undefined): CallbackAction | undefined {
  if (!data) return undefined;
  const [tag, id, extra] = data.split('|');
  if (!tag || !id) return undefined;
  if (tag === 't' && extra) return { kind: 'pick', pickId: id, templateId: extra };
  if (tag === 'p' && extra !== undefined && /^\d+$/.test(extra)) return { kind: 'page', pickId: id, page: Number(extra) };
  if (tag === 'r' && extra === undefined) return { kind: 'random', pickId: id };
  if (tag === 'kp' && extra === undefined) return { kind: 'keep', requestId: id };
  if (tag === 'f' && extra !== undefined && (extra === 'all' || /^[1-9]\d?$/.test(extra))) return { kind: 'face', pickId: id, face: extra === 'all' ? 'all' : Number(extra) };
  const resultKind = RESULT_KIND_BY_TAG[tag];
  if (resultKind && extra === undefined) return { kind: resultKind, resultId: id };
  return undefined;
}
