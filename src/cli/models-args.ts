// Option parsing shared by `models pull` and `models list`: --name value, --name=value and boolean flags,
// with a coded error that repeats the usage for anything unknown.
import { InputError } from '../errors.ts';

type Flags = Record<string, string | true>;

export function parseModelsArgs(argv: string[], known: readonly string[], booleans: readonly string[], usage: string): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new InputError('BAD_OPTION', `unexpected argument '${arg}'\n${usage}`);
    const [, name, inline] = match;
    if (name === 'help') return { help: true };
    if (!known.includes(name) && !booleans.includes(name)) throw new InputError('BAD_OPTION', `unknown option --${name}\n${usage}`);
    if (booleans.includes(name)) {
      flags[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new InputError('BAD_OPTION', `--${name} needs a value\n${usage}`);
    flags[name] = value;
  }
  return flags;
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

/** `--style a,b` → ['a', 'b'] (names are checked by filesForPreset). */
export function styleNames(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}
