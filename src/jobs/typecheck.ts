/**
 * The type check of a job file with the TypeScript compiler (Node only: the command line; the editor
 * has its own language service). 'stream-state-lab' resolves to the engine's real public API
 * (src/engine/index.ts), so a job is checked against the types the lab runs.
 */
import ts from 'typescript';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { JobDiagnostic } from './JobDiagnostic';
import { LAB_PACKAGE } from './buildJob';

const ENGINE_INDEX = fileURLToPath(new URL('../engine/index.ts', import.meta.url));

/** What a job file is checked with: strict, as the lab's own code, in a worker's world (no Node, no DOM). */
export const JOB_COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ['lib.es2022.d.ts', 'lib.webworker.d.ts'],
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  paths: { [LAB_PACKAGE]: [ENGINE_INDEX] },
};

const parsedFiles = new Map<string, ts.SourceFile>();

/** Syntax and type errors of the job file itself (1-based lines and columns), in file order. */
export function typecheckJob(fileName: string, source: string): JobDiagnostic[] {
  // Syntax first, on the file alone (fast): a file that does not parse has no useful type errors.
  const parsed = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: { ...JOB_COMPILER_OPTIONS, paths: undefined },
  });
  const syntax = (parsed.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntax.length > 0) {
    const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
    return syntax.map((d) => toJobDiagnostic(fileName, sf, d, 'syntax'));
  }
  const path = resolve(fileName);
  const host = ts.createCompilerHost(JOB_COMPILER_OPTIONS, true);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  // The job's text as given (it may not be on disk as such), everything else from disk, parsed once
  // per process (a second check reuses the engine's and the libraries' syntax trees).
  host.readFile = (f) => (resolve(f) === path ? source : readFile(f));
  host.getSourceFile = (f, language, onError, create) => {
    if (resolve(f) === path) return ts.createSourceFile(f, source, language, true);
    let sf = parsedFiles.get(f);
    if (!sf) {
      sf = getSourceFile(f, language, onError, create);
      if (sf) parsedFiles.set(f, sf);
    }
    return sf;
  };
  const program = ts.createProgram([path], JOB_COMPILER_OPTIONS, host);
  const file = program.getSourceFile(path);
  if (!file) return [{ file: fileName, line: 1, col: 1, message: 'cannot read the file', phase: 'syntax' }];
  const syntactic = program.getSyntacticDiagnostics(file);
  const diagnostics: Array<[ts.Diagnostic, JobDiagnostic['phase']]> =
    syntactic.length > 0
      ? syntactic.map((d) => [d, 'syntax'])
      : program.getSemanticDiagnostics(file).map((d) => [d, 'type']);
  return diagnostics.map(([d, phase]) => toJobDiagnostic(fileName, file, d, phase));
}

function toJobDiagnostic(
  fileName: string,
  file: ts.SourceFile,
  d: ts.Diagnostic,
  phase: JobDiagnostic['phase'],
): JobDiagnostic {
  const { line, character } = file.getLineAndCharacterOfPosition(d.start ?? 0);
  return {
    file: fileName,
    line: line + 1,
    col: character + 1,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n  ') + ` (TS${d.code})`,
    phase,
  };
}
