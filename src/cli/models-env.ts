// The variables the models commands read: the environment over the values of the MEMELOOM_CONFIG file, the
// same precedence config.ts gives the service's settings, so MEMELOOM_MODELS_* and HF_* work in either place.
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { parseConfigFile } from '../config.ts';

export function modelsEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (!env.MEMELOOM_CONFIG) return env;
  let fileValues: Record<string, string>;
  try {
    fileValues = parseConfigFile(readFileSync(env.MEMELOOM_CONFIG, 'utf8'));
  } catch (error) {
    throw new InputError('BAD_OPTION', `MEMELOOM_CONFIG: cannot read ${env.MEMELOOM_CONFIG} (${(error as Error).message})`);
  }
  const merged: Record<string, string | undefined> = { ...fileValues };
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') merged[key] = value;
  return merged;
}
