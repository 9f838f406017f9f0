// Encodes what a button or select menu means into Discord's custom_id (≤ 100 chars) and back.
// The owner's user id travels inside so a press can be checked without any lookup.

/** `face`: the face select beside the template menu (remembers the choice); `reface`: under a result (renders again). */
const COMPONENT_ACTIONS = ['again', 'other', 'cancel', 'mp4', 'pick', 'gallery', 'resume', 'keep', 'face', 'reface'] as const;
type ComponentAction = (typeof COMPONENT_ACTIONS)[number];

export interface ComponentId {
  action: ComponentAction;
  /** A session key, or a page number for the gallery. */
  arg: string;
  /** Discord user id of the requester. */
  ownerId: string;
}

const PREFIX = 'ml';
const MAX_CUSTOM_ID_CHARS = 100;

export function encodeComponentId(id: ComponentId): string {
  const encoded = [PREFIX, id.action, id.arg, id.ownerId].join(':');
  if (encoded.length > MAX_CUSTOM_ID_CHARS) throw new RangeError(`custom_id over ${MAX_CUSTOM_ID_CHARS} chars: ${encoded}`);
  if (id.arg.includes(':')) throw new RangeError('custom_id arg must not contain ":"');
  return encoded;
}

/** Undefined for ids this adapter did not make (another bot version, a stale message). */
export function decodeComponentId(customId: string): ComponentId | undefined {
  const parts = customId.split(':');
  if (parts.length !== 4 || parts[0] !== PREFIX) return undefined;
  const [, action, arg, ownerId] = parts;
  if (!(COMPONENT_ACTIONS as readonly string[]).includes(action) || !/^\d+$/.test(ownerId)) return undefined;
  return { action: action as ComponentAction, arg, ownerId };
}
