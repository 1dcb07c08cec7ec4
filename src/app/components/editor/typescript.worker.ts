/// <reference lib="webworker" />
/**
 * The editor's TypeScript language service, in its own worker (loaded only on `#/editor`): the job file
 * type-checked against the lab's API, with completions. The API is the engine's own sources (the module
 * 'stream-state-lab' maps to src/engine/index.ts): what the learner sees typed is exactly what runs.
 * Nothing is fetched: the standard library's .d.ts files and the sources are bundled into this worker.
 */
import ts from 'typescript';
import { createSystem, createVirtualTypeScriptEnvironment } from '@typescript/vfs';
import { expose } from 'comlink';

export const JOB_FILE = '/job.ts';
const LAB_ROOT = '/lab/engine/';

export interface TsDiagnostic {
  from: number;
  to: number;
  message: string;
  severity: 'error' | 'warning' | 'info';
}

export interface TsCompletion {
  label: string;
  type: string;
  detail?: string;
}

export interface TypeScriptWorkerApi {
  /** Replaces the job file's text; answers its diagnostics (syntax and types). */
  check(source: string): TsDiagnostic[];
  /** Completions at a position of the last checked text (after `check`). */
  completions(source: string, pos: number): { from: number; options: TsCompletion[] } | null;
  /** The type at a position, as the hover shows it. */
  quickInfo(source: string, pos: number): string | null;
}

const libs = import.meta.glob<string>(
  '/node_modules/typescript/lib/lib.{es5,es2015*,es2016*,es2017*,es2018*,es2019*,es2020*,es2021*,es2022*,decorators*}.d.ts',
  {
    query: '?raw',
    import: 'default',
    eager: true,
  },
);
const engine = import.meta.glob<string>('../../../engine/**/*.ts', {
  query: '?raw',
  import: 'default',
  eager: true,
});

const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  strict: true,
  noImplicitOverride: true,
  isolatedModules: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  types: [],
  baseUrl: '/',
  paths: { 'stream-state-lab': [`${LAB_ROOT}index.ts`] },
};

/** What a job may use besides the API: the console (`print()` is the sink; console.log helps debugging). */
const GLOBALS = `declare var console: { log(...data: unknown[]): void; error(...data: unknown[]): void; warn(...data: unknown[]): void };\n`;

function createEnvironment() {
  const files = new Map<string, string>();
  for (const [path, text] of Object.entries(libs)) files.set(`/${path.split('/').pop()}`, text);
  for (const [path, text] of Object.entries(engine)) {
    if (path.endsWith('.test.ts')) continue;
    files.set(LAB_ROOT + path.replace(/^(\.\.\/)+engine\//, ''), text);
  }
  files.set('/globals.d.ts', GLOBALS);
  // Not '': the virtual file system takes an empty file for a missing one.
  files.set(JOB_FILE, ' ');
  const system = createSystem(files);
  return createVirtualTypeScriptEnvironment(system, [JOB_FILE, '/globals.d.ts'], ts, compilerOptions);
}

let env: ReturnType<typeof createEnvironment> | null = null;
let current = ' ';

function sync(source: string) {
  env ??= createEnvironment();
  if (source !== current) {
    // An empty text would be a missing file to the vfs: a single space instead.
    env.updateFile(JOB_FILE, source === '' ? ' ' : source);
    current = source;
  }
  return env;
}

const flatten = (m: string | ts.DiagnosticMessageChain) => ts.flattenDiagnosticMessageText(m, '\n');

const api: TypeScriptWorkerApi = {
  check(source) {
    const e = sync(source);
    const ls = e.languageService;
    const all = [...ls.getSyntacticDiagnostics(JOB_FILE), ...ls.getSemanticDiagnostics(JOB_FILE)];
    return all.map((d) => ({
      from: d.start ?? 0,
      to: (d.start ?? 0) + Math.max(1, d.length ?? 1),
      message: flatten(d.messageText),
      severity:
        d.category === ts.DiagnosticCategory.Error
          ? 'error'
          : d.category === ts.DiagnosticCategory.Warning
            ? 'warning'
            : 'info',
    }));
  },
  completions(source, pos) {
    const e = sync(source);
    const info = e.languageService.getCompletionsAtPosition(JOB_FILE, pos, {});
    if (!info) return null;
    let from = pos;
    while (from > 0 && /[\w$]/.test(source[from - 1])) from--;
    return {
      from,
      options: info.entries.slice(0, 300).map((entry) => ({
        label: entry.name,
        type: completionType(entry.kind),
      })),
    };
  },
  quickInfo(source, pos) {
    const e = sync(source);
    const info = e.languageService.getQuickInfoAtPosition(JOB_FILE, pos);
    return info ? ts.displayPartsToString(info.displayParts) : null;
  },
};

/** TypeScript's element kinds as CodeMirror's completion types (its icons). */
function completionType(kind: ts.ScriptElementKind): string {
  switch (kind) {
    case ts.ScriptElementKind.classElement:
      return 'class';
    case ts.ScriptElementKind.interfaceElement:
    case ts.ScriptElementKind.typeElement:
      return 'type';
    case ts.ScriptElementKind.memberFunctionElement:
      return 'method';
    case ts.ScriptElementKind.functionElement:
      return 'function';
    case ts.ScriptElementKind.memberVariableElement:
    case ts.ScriptElementKind.memberGetAccessorElement:
      return 'property';
    case ts.ScriptElementKind.keyword:
      return 'keyword';
    case ts.ScriptElementKind.constElement:
      return 'constant';
    default:
      return 'variable';
  }
}

expose(api);
