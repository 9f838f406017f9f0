// Loads the Config for a long-running command; a ConfigError (every problem at once) becomes a message
// on stderr and exit code 2 instead of a stack trace.
import { type Config, ConfigError, loadConfig } from '../config.ts';

/** The config, or null after printing why it is invalid (the caller returns 2). */
export function loadCliConfig(command: string): Config | null {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`memeloom ${command}: ${error.message}\n`);
    return null;
  }
}
