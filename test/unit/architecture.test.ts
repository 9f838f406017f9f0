// The layer rules of docs/architecture.md, checked on the source itself: no import cycles, no exports nobody uses,
// every src/ module reached from the program's entry point (nothing under src/ only tests use), no name declared
// by two modules, remote/ and pipeline/ independent of bots/, no platform words in pipeline/, and one follow-up
// type for the chat adapters.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findClashingNames, findCycles, findUnreached, findUnusedExports, readModuleGraph } from '../helpers/module-graph.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const graph = readModuleGraph(ROOT, ['src', 'test', 'bench', 'scripts']);
const under = (folder: string) => (path: string) => graph.rel(path).startsWith(folder);
const inSrc = under('src/');

function importsFrom(folder: string, into: string): string[] {
  const found: string[] = [];
  for (const file of graph.files.values()) {
    if (!under(folder)(file.path)) continue;
    for (const target of file.imports.keys()) if (under(into)(target)) found.push(`${graph.rel(file.path)} → ${graph.rel(target)}`);
  }
  return found;
}

describe('architecture', () => {
  it('has no import cycles under src/ (type-only imports count)', () => {
    expect(findCycles(graph, inSrc)).toEqual([]);
  });

  // An export is used when another file imports it. A test (or a bench, or a script) importing it counts: a rule is
  // pinned where it is decided (wrap.ts's tokenize, a scheduler's timesteps, pace-rule's decision), so a module's
  // API is what other modules and its tests call. An export only its own file uses is not API: it is reported.
  it('exports nothing that no other module or test imports', () => {
    expect(findUnusedExports(graph, inSrc)).toEqual([]);
  });

  it('keeps under src/ only what the program reaches from its entry points (test-only code lives in test/, bench/, scripts/)', () => {
    expect(findUnreached(graph, ['src/cli.ts'], inSrc)).toEqual([]);
  });

  it('gives distinct things distinct names (the subcommand modules\' shared `run` contract aside)', () => {
    expect(findClashingNames(graph, inSrc, new Set(['run']))).toEqual([]);
  });

  it('remote/, pipeline/, queue/ and jobs/ import nothing from bots/', () => {
    for (const folder of ['src/remote/', 'src/pipeline/', 'src/queue/', 'src/jobs/']) expect(importsFrom(folder, 'src/bots/')).toEqual([]);
  });

  // Config owns the environment: every variable is named, defaulted and checked in src/config.ts, so a reader finds
  // them all in one file and a test hands settings in as values. No exception is needed: the entry points and the
  // logger read nothing of the environment themselves (the CLI asks config's `processSettings`, and the worker's
  // one write, CUDA_VISIBLE_DEVICES, is config's `pinCudaDevice`).
  it('reads process.env only in src/config.ts', () => {
    const reads = [...graph.files.values()]
      .filter((file) => inSrc(file.path) && graph.rel(file.path) !== 'src/config.ts')
      .flatMap((file) => file.environmentLines.map((line) => `${graph.rel(file.path)}:${line}`));
    expect(reads).toEqual([]);
  });

  it('the logger, config and errors are leaves', () => {
    for (const leaf of ['src/logger.ts', 'src/config.ts', 'src/errors.ts']) {
      expect([...(graph.files.get(`${ROOT}${leaf}`)?.imports.keys() ?? [])].map(graph.rel)).toEqual([]);
    }
  });

  // One follow-up session type (src/bots/follow-up.ts): what a later button press, reroll, keep or upgrade refers to
  // is a FollowUp on every chat adapter, kept in a FollowUps store, never an adapter's own record in a map of its own.
  it('the chat adapters keep what their buttons refer to as the one FollowUp type, in FollowUps stores', () => {
    const followUpNames = (file: string) => [...(graph.files.get(`${ROOT}${file}`)?.imports.get(`${ROOT}src/bots/follow-up.ts`) ?? [])].sort();
    expect(followUpNames('src/bots/telegram/job-source.ts')).toContain('FollowUp');
    expect(followUpNames('src/bots/telegram/meme-jobs.ts')).toContain('FollowUps');
    expect(followUpNames('src/bots/discord/meme-sessions.ts')).toEqual(expect.arrayContaining(['FollowUp', 'FollowUps']));
    const ownStores = [...graph.files.keys()]
      .filter(under('src/bots/'))
      .flatMap((path) => readFileSync(path, 'utf8').split('\n').map((line, i) => ({ path, line, i })))
      .filter(({ line }) => /(boundedCache|Map)<[^>]*\b(JobSource|MemeSession)\b/.test(line))
      .map(({ path, i, line }) => `${graph.rel(path)}:${i + 1}: ${line.trim()}`);
    expect(ownStores).toEqual([]);
  });

  it('pipeline/ says no platform words (telegram, discord, sticker): platform rules come in as data', () => {
    const words = /telegram|discord|sticker/i;
    const hits = [...graph.files.keys()]
      .filter(under('src/pipeline/'))
      .flatMap((path) => readFileSync(path, 'utf8').split('\n').map((line, i) => ({ path, line, i })))
      .filter(({ line }) => words.test(line))
      .map(({ path, i, line }) => `${graph.rel(path)}:${i + 1}: ${line.trim()}`);
    expect(hits).toEqual([]);
  });
});
