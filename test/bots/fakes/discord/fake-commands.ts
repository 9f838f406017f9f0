// The fake Discord's application commands: the bulk-overwrite body checked field by field as Discord's docs describe
// it (Application Commands → command structure, installation context, interaction contexts), the stored set per
// scope, and which commands Discord's client would offer in a given place. No HTTP here.
import { DiscordApiFailure } from './fake-rest-state.ts';

/** Application integration types: GUILD_INSTALL, USER_INSTALL. */
const INTEGRATION_TYPES = [0, 1] as const;
/** Interaction context types: GUILD, BOT_DM, PRIVATE_CHANNEL (DMs and group DMs that are not the bot's). */
const INTERACTION_CONTEXTS = [0, 1, 2] as const;
const COMMAND_TYPES = [1, 2, 3];
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

export interface StoredCommand extends Record<string, unknown> {
  id: string;
  name: string;
  type: number;
  integration_types: number[];
  contexts: number[] | null;
  default_member_permissions: string | null;
}

/** Where an invocation happens, as Discord's client sees it before any interaction exists. */
export interface Place {
  context: 0 | 1 | 2;
  /** The bot was added to this server (guild install); in the bot's DM it means "installed to some server". */
  guildInstalled: boolean;
  /** The invoking user installed the app on their account. */
  userInstalled: boolean;
  /** The member's permission bits, in a server. */
  memberPermissions?: bigint;
}

function invalid(path: string, message: string): DiscordApiFailure {
  return new DiscordApiFailure(400, 50035, `Invalid Form Body (${path}: ${message})`);
}

function enumList(value: unknown, allowed: readonly number[], path: string, nullable: boolean): number[] | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) {
    if (nullable) return null;
    throw invalid(path, 'must not be null');
  }
  if (!Array.isArray(value) || value.length === 0) throw invalid(path, 'must be a non-empty array');
  for (const item of value) {
    if (!Number.isInteger(item) || !allowed.includes(item)) throw invalid(path, `value ${JSON.stringify(item)} is not one of ${allowed.join(', ')}`);
  }
  if (new Set(value).size !== value.length) throw invalid(path, 'contains duplicates');
  return value as number[];
}

/**
 * One command of a bulk overwrite, checked and stored with Discord's defaults filled in. `appInstallTypes`: the
 * installation contexts the app enabled in the Developer Portal; a command may not claim any other.
 */
function checkCommand(body: Record<string, unknown>, index: number, scope: 'global' | 'guild', appInstallTypes: ReadonlySet<number>, id: string): StoredCommand {
  const at = (field: string) => `${index}.${field}`;
  const type = body.type === undefined ? 1 : Number(body.type);
  if (!COMMAND_TYPES.includes(type)) throw invalid(at('type'), `unknown command type ${String(body.type)}`);
  const name = body.name;
  if (typeof name !== 'string' || name.length < 1 || name.length > 32) throw invalid(at('name'), 'must be 1-32 characters');
  if (type === 1 && (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase())) throw invalid(at('name'), 'chat input names are lower case, no spaces');
  const description = body.description ?? '';
  if (type === 1 && (typeof description !== 'string' || description.length < 1 || description.length > 100)) throw invalid(at('description'), 'must be 1-100 characters');
  if (type !== 1 && description !== '') throw invalid(at('description'), 'context menu commands have an empty description');
  const permissions = body.default_member_permissions;
  if (permissions !== undefined && permissions !== null && (typeof permissions !== 'string' || !/^\d+$/.test(permissions))) {
    throw invalid(at('default_member_permissions'), 'must be a permission bit set as a string');
  }
  const integrationTypes = enumList(body.integration_types, INTEGRATION_TYPES, at('integration_types'), false);
  const contexts = enumList(body.contexts, INTERACTION_CONTEXTS, at('contexts'), true);
  if (scope === 'guild') {
    // "only for globally-scoped commands"; "Guild commands don't support the BOT_DM interaction context".
    if (integrationTypes?.some((t) => t !== 0)) throw invalid(at('integration_types'), 'guild commands are guild-install only');
    if (contexts?.some((c) => c !== 0)) throw invalid(at('contexts'), 'guild commands are used in their guild only');
  }
  for (const t of integrationTypes ?? []) {
    if (!appInstallTypes.has(t)) throw invalid(at('integration_types'), `installation context ${t} is not enabled for this application`);
  }
  return {
    ...body,
    id,
    name,
    type,
    description: typeof description === 'string' ? description : '',
    // Bulk overwrite: integration_types "defaults to GUILD_INSTALL ([0])", contexts "defaults to all contexts".
    integration_types: integrationTypes ?? [0],
    contexts: contexts === undefined ? [...INTERACTION_CONTEXTS] : contexts,
    default_member_permissions: typeof permissions === 'string' ? permissions : null,
  };
}

/**
 * Whether Discord's client offers `command` in `place`: the context must be listed, an installation the command
 * supports must reach the place (a user install reaches everywhere, a server install its server and the bot's
 * DM), and in a server installed there the member must hold `default_member_permissions` ("0": admins only).
 */
export function isOffered(command: StoredCommand, place: Place): boolean {
  const contexts = command.contexts ?? [...INTERACTION_CONTEXTS];
  if (!contexts.includes(place.context)) return false;
  const viaGuild = place.guildInstalled && place.context !== 2 && command.integration_types.includes(0);
  const viaUser = place.userInstalled && command.integration_types.includes(1);
  if (!viaGuild && !viaUser) return false;
  const needed = command.default_member_permissions;
  if (place.context === 0 && viaGuild && !viaUser && needed !== null) {
    const have = place.memberPermissions ?? 0n;
    const ADMINISTRATOR = 8n;
    if ((have & ADMINISTRATOR) === 0n && (needed === '0' || (have & BigInt(needed)) !== BigInt(needed))) return false;
  }
  return true;
}

/** What the fake stores: the app's enabled installation contexts and its commands, global and per guild. */
export class FakeCommands {
  /** The installation contexts enabled in the Developer Portal (Installation page); new apps have both. */
  readonly appInstallTypes = new Set<number>([0, 1]);
  global: StoredCommand[] = [];
  readonly byGuild = new Map<string, StoredCommand[]>();

  /** A bulk overwrite: every command checked first, then the whole set replaced (nothing stored on a refusal). */
  overwrite(bodies: unknown, scope: { guildId?: string }, newId: () => string): StoredCommand[] {
    if (!Array.isArray(bodies)) throw invalid('body', 'must be an array of commands');
    const kind = scope.guildId ? 'guild' : 'global';
    const stored = bodies.map((body, index) => checkCommand(body as Record<string, unknown>, index, kind, this.appInstallTypes, newId()));
    const names = stored.map((c) => `${c.type}:${c.name}`);
    if (new Set(names).size !== names.length) throw invalid('body', 'two commands of one type share a name');
    if (scope.guildId) this.byGuild.set(scope.guildId, stored);
    else this.global = stored;
    return stored;
  }

  /** The commands Discord's client lists in `place` (plus the guild's own commands there, when it installed the bot). */
  offered(place: Place, guildId?: string): StoredCommand[] {
    const guildOwn = place.context === 0 && place.guildInstalled && guildId ? (this.byGuild.get(guildId) ?? []) : [];
    return [...this.global.filter((c) => isOffered(c, place)), ...guildOwn];
  }

  get any(): boolean {
    return this.global.length > 0 || this.byGuild.size > 0;
  }
}
