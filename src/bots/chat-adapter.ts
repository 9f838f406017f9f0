// The one shape of a chat front end as the composition root (main.ts) sees it: whether it is on, the secrets it
// owns (masked in every log line of the process), and `start(config, service, logger) → stop`, loaded only when
// the adapter is on so a checkout without a token never imports its client library.
import type { Config } from '../config.ts';
import type { Logger, MaskRules } from '../logger.ts';
import type { MemeService, Platform, ReplierFactory } from './service-types.ts';

/** A started adapter; `reattach` re-creates Repliers for jobs pending from before a restart. */
export interface StartedAdapter {
  stop(): Promise<void>;
  reattach?: ReplierFactory;
}

export type StartAdapter = (config: Config, service: MemeService, logger: Logger) => Promise<StartedAdapter>;

export interface ChatAdapter {
  name: Platform;
  enabled(config: Config): boolean;
  masks(config: Config): MaskRules;
  load(): Promise<StartAdapter>;
}
