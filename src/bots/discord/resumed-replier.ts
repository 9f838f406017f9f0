// After a bot restart (QUEUE_BACKEND=redis): re-creates the Replier of a job submitted before it, from the job's
// stored route: a fresh session (so the result's buttons work) over the interaction webhook, with the usual
// channel / DM fallback once the token is too old. It never throws; an unreadable route drops the result.
import type { ReplierFactory } from '../service-types.ts';
import type { Replier } from '../service-types.ts';
import type { AdapterContext } from './adapter-context.ts';
import { parseDiscordRoute } from './discord-route.ts';
import { InteractionReplier } from './interaction-replier.ts';
import { webhookOriginalReply } from './original-reply.ts';

const DROPPING_REPLIER: Replier = {
  queued: () => undefined,
  progress: () => undefined,
  deliver: async () => undefined,
  fail: async () => undefined,
};

export function resumedReplierFactory(ctx: AdapterContext): ReplierFactory {
  return (route, jobId) => {
    const parsed = parseDiscordRoute(route);
    if (!parsed) {
      ctx.log(`discord: pending job ${jobId} has an unreadable route; its result is dropped`);
      return DROPPING_REPLIER;
    }
    // An HD stage answers to its request id (Keep this one, Another take), not to the HD job's.
    // Under its old key when the route kept it, so the buttons already in the chat ("Keep this one") still work.
    const fields = { ...parsed.session, result: { jobId: route.upgradeOf ?? jobId } };
    const session = parsed.sessionKey ? ctx.sessions.restore(parsed.sessionKey, fields) : ctx.sessions.create(fields);
    const reply = webhookOriginalReply(ctx.rest, parsed.applicationId, parsed.token);
    // The HD stage of a preview shown before the restart replaces that preview (bots/upgrade/).
    const preview = route.upgradeOf !== undefined ? parsed.preview : undefined;
    const replier = new InteractionReplier(reply, session, parsed.receivedAtMs, ctx, preview);
    session.stopUpdates = () => replier.stop();
    session.takeOver = (reply, at) => replier.takeOver(reply, at);
    return replier;
  };
}
