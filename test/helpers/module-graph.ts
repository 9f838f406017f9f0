// The project's module graph read with the TypeScript parser (no type checking): which file imports which names
// from which file, static, dynamic (`await import`), type-only, `import('./x.ts').T` types and worker entries
// (`new URL('./x.mjs', import.meta.url)`). The architecture test uses it for cycles, dead exports, layer rules
// and test-only code under src/.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** `*` stands for "every export" (a namespace import, `export *`, or a dynamic import used as a whole). */
export interface ModuleFile {
  path: string;
  exports: Set<string>;
  /** Names exported from another module (`export { x } from`, or an imported name exported again). */
  reexports: Set<string>;
  /** Resolved relative imports: target path → names used from it. */
  imports: Map<string, Set<string>>;
  /** Worker entry files started from here (`new URL('./x.mjs', import.meta.url)`): a new thread, not an import. */
  spawns: Set<string>;
  /** Lines (1-based) that touch `process.env` (`process.env`, `process['env']`, `const { env } = process`). */
  environmentLines: number[];
}

const SOURCE = /\.(ts|mjs)$/;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function readModule(path: string): ModuleFile {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const file: ModuleFile = { path, exports: new Set(), reexports: new Set(), imports: new Map(), spawns: new Set(), environmentLines: [] };
  const use = (specifier: string, names: Iterable<string>) => {
    if (!specifier.startsWith('.')) return;
    const target = resolve(dirname(path), specifier);
    const set = file.imports.get(target) ?? new Set<string>();
    for (const name of names) set.add(name);
    file.imports.set(target, set);
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const names: string[] = [];
      if (clause?.name) names.push('default');
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
      if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.push((e.propertyName ?? e.name).text);
      use(node.moduleSpecifier.text, names.length ? names : ['(side effect)']);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      if (named) for (const e of named) file.exports.add(e.name.text);
      if (named) for (const e of named) file.reexports.add(e.name.text);
      if (node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        use(node.moduleSpecifier.text, named ? named.map((e) => (e.propertyName ?? e.name).text) : ['*']);
        if (!named) file.exports.add(`* from ${node.moduleSpecifier.text}`);
      }
    } else if (ts.isExportAssignment(node)) {
      file.exports.add('default');
    } else if (isExported(node)) {
      if (ts.isVariableStatement(node)) {
        for (const d of node.declarationList.declarations) if (ts.isIdentifier(d.name)) file.exports.add(d.name.text);
      } else if ((node as ts.DeclarationStatement).name) {
        file.exports.add(((node as ts.DeclarationStatement).name as ts.Identifier).text);
      }
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      use(node.argument.literal.text, [node.qualifier && ts.isIdentifier(node.qualifier) ? node.qualifier.text : '*']);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) use(arg.text, dynamicNames(node));
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [arg, base] = node.arguments ?? [];
      if (arg && ts.isStringLiteralLike(arg) && base?.getText().includes('import.meta.url') && SOURCE.test(arg.text)) file.spawns.add(resolve(dirname(path), arg.text));
    }
    if (touchesEnvironment(node)) file.environmentLines.push(source.getLineAndCharacterOfPosition(node.getStart()).line + 1);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return file;
}

function touchesEnvironment(node: ts.Node): boolean {
  const isProcess = (e: ts.Expression) => ts.isIdentifier(e) && e.text === 'process';
  if (ts.isPropertyAccessExpression(node)) return isProcess(node.expression) && node.name.text === 'env';
  if (ts.isElementAccessExpression(node)) return isProcess(node.expression) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === 'env';
  if (ts.isVariableDeclaration(node) && node.initializer && isProcess(node.initializer) && ts.isObjectBindingPattern(node.name)) {
    return node.name.elements.some((e) => ((e.propertyName ?? e.name) as ts.Identifier).text === 'env');
  }
  return false;
}

/** `const { a, b } = await import('./x.ts')` uses a and b; any other dynamic import uses the whole module. */
function dynamicNames(call: ts.CallExpression): string[] {
  const awaited = ts.isAwaitExpression(call.parent) ? call.parent : undefined;
  const declaration = awaited && ts.isVariableDeclaration(awaited.parent) ? awaited.parent : undefined;
  if (declaration && ts.isObjectBindingPattern(declaration.name)) {
    return declaration.name.elements.map((e) => ((e.propertyName ?? e.name) as ts.Identifier).text);
  }
  return ['*'];
}

export interface ModuleGraph {
  root: string;
  files: Map<string, ModuleFile>;
  /** Path relative to the repository root, for messages. */
  rel(path: string): string;
}

export function readModuleGraph(root: string, dirs: readonly string[]): ModuleGraph {
  const files = new Map<string, ModuleFile>();
  for (const dir of dirs) for (const path of listFiles(join(root, dir))) files.set(path, readModule(path));
  return { root, files, rel: (path) => relative(root, path) };
}

/** Every import cycle among `paths` (each reported once, as the files in order). */
export function findCycles(graph: ModuleGraph, inScope: (path: string) => boolean): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const walk = (path: string) => {
    state.set(path, 'open');
    stack.push(path);
    for (const target of graph.files.get(path)?.imports.keys() ?? []) {
      if (!graph.files.has(target) || !inScope(target)) continue;
      if (state.get(target) === 'open') cycles.push(stack.slice(stack.indexOf(target)).map(graph.rel));
      else if (!state.has(target)) walk(target);
    }
    stack.pop();
    state.set(path, 'done');
  };
  for (const path of graph.files.keys()) if (inScope(path) && !state.has(path)) walk(path);
  return cycles;
}

/**
 * Exports of files in scope that no other file imports (by name, `*`, or re-export). An export only its own file
 * uses is reported too: exporting says "other modules use this", so it must be true. Every file of the graph counts
 * as a user, tests included (see the architecture test for why).
 */
export function findUnusedExports(graph: ModuleGraph, inScope: (path: string) => boolean): string[] {
  const used = new Map<string, Set<string>>();
  for (const file of graph.files.values()) {
    for (const [target, names] of file.imports) {
      if (target === file.path) continue;
      const set = used.get(target) ?? new Set<string>();
      for (const name of names) set.add(name);
      used.set(target, set);
    }
  }
  const unused: string[] = [];
  for (const file of graph.files.values()) {
    if (!inScope(file.path)) continue;
    const names = used.get(file.path) ?? new Set<string>();
    if (names.has('*')) continue;
    for (const name of file.exports) {
      if (name.startsWith('* from') || names.has(name)) continue;
      unused.push(`${graph.rel(file.path)}: ${name}`);
    }
  }
  return unused;
}

/** Files in scope that the entry points never reach through imports among files in scope. */
export function findUnreached(graph: ModuleGraph, entries: readonly string[], inScope: (path: string) => boolean): string[] {
  const reached = new Set<string>();
  const pending = entries.map((e) => join(graph.root, e));
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (reached.has(path) || !graph.files.has(path)) continue;
    reached.add(path);
    const file = graph.files.get(path)!;
    for (const target of [...file.imports.keys(), ...file.spawns]) if (inScope(target)) pending.push(target);
  }
  return [...graph.files.keys()].filter((p) => inScope(p) && !reached.has(p)).map(graph.rel);
}

/** Names that more than one module in scope declares (re-exports aside): each such pair means two things. */
export function findClashingNames(graph: ModuleGraph, inScope: (path: string) => boolean, sharedContracts: ReadonlySet<string>): string[] {
  const declaredIn = new Map<string, string[]>();
  for (const file of graph.files.values()) {
    if (!inScope(file.path)) continue;
    for (const name of file.exports) {
      if (name.startsWith('* from') || file.reexports.has(name) || sharedContracts.has(name)) continue;
      declaredIn.set(name, [...(declaredIn.get(name) ?? []), graph.rel(file.path)]);
    }
  }
  return [...declaredIn].filter(([, files]) => files.length > 1).map(([name, files]) => `${name}: ${files.join(', ')}`);
}
