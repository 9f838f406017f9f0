// What the fake Discord checks before it delivers an INTERACTION_CREATE: that `context` and
// `authorizing_integration_owners` agree with each other and with where the interaction comes from (Receiving and
// Responding → Authorizing Integration Owners Object), and that a command is one Discord's client would offer there.
import type { FakeCommands, Place } from './fake-commands.ts';

export interface InteractionPlace {
  /** Only USER_INSTALL authorized it: the app is not in this server/DM, the 5-follow-up limit applies. */
  userInstallOnly: boolean;
  /** The bot user can see the channel: a server that installed it, or its own DM. */
  botInChannel: boolean;
}

function fail(message: string): never {
  throw new Error(`fake discord: ${message}`);
}

/** Checks a payload built by a test the way Discord would have built it; throws naming what does not fit. */
export function checkInteraction(payload: Record<string, unknown>, commands: FakeCommands): InteractionPlace {
  const context = payload.context;
  const owners = payload.authorizing_integration_owners as Record<string, string> | undefined;
  if (context !== 0 && context !== 1 && context !== 2) fail(`context must be 0, 1 or 2, got ${String(context)}`);
  if (!owners || typeof owners !== 'object') fail('authorizing_integration_owners is required');
  const keys = Object.keys(owners);
  if (keys.length === 0 || keys.some((k) => k !== '0' && k !== '1')) fail(`authorizing_integration_owners keys must be "0"/"1", got ${keys.join(',')}`);
  const guildId = payload.guild_id as string | undefined;
  const user = (payload.member as { user?: { id: string } } | undefined)?.user ?? (payload.user as { id: string } | undefined);
  if (!user) fail('an interaction carries member.user in a server, user elsewhere');
  if (context === 0 && (!guildId || !payload.member)) fail('a GUILD interaction has guild_id and member');
  if (context !== 0 && (guildId || payload.member || !payload.user)) fail('a DM interaction has user and no guild_id/member');
  // GUILD_INSTALL's value: the guild id in a server, "0" in the bot's DM; it never reaches other DMs.
  if ('0' in owners && owners['0'] !== (context === 0 ? guildId : '0')) fail(`authorizing_integration_owners["0"] is wrong for context ${context}`);
  if (context === 2 && '0' in owners) fail('PRIVATE_CHANNEL interactions come through a user install only');
  const place: Place = {
    context,
    guildInstalled: '0' in owners,
    userInstalled: '1' in owners,
    memberPermissions: BigInt((payload.member as { permissions?: string } | undefined)?.permissions ?? '0'),
  };
  const isCommand = payload.type === 2 || payload.type === 4;
  // A command runs through the invoker's own install; a button may be pressed by someone else (the key stays).
  if (isCommand && '1' in owners && owners['1'] !== user.id) fail('authorizing_integration_owners["1"] of a command is the invoking user');
  const data = payload.data as { name?: string; type?: number } | undefined;
  if (isCommand && commands.any) {
    const offered = commands.offered(place, guildId);
    if (!offered.some((c) => c.name === data?.name && c.type === (data?.type ?? 1))) fail(`command "${data?.name}" is not offered in context ${context} with installs ${keys.join(',')}`);
  }
  return { userInstallOnly: !('0' in owners), botInChannel: context === 1 || '0' in owners };
}
