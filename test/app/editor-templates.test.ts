/**
 * The editor's templates are correct TypeScript against the lab's API, as the editor's language
 * service checks them (typescript.worker.ts: 'stream-state-lab' is src/engine/index.ts, strict, ES2022
 * without the DOM): a learner who opens one sees no type error.
 */
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { TEMPLATES } from '../../src/app/components/editor/templates';

const ROOT = path.resolve(__dirname, '..', '..');

describe('editor templates', () => {
  it('type-check without errors', () => {
    const files = new Map(TEMPLATES.map((t) => [path.join(ROOT, '.editor-templates', t.fileName), t.source]));
    const globals = path.join(ROOT, '.editor-templates', 'globals.d.ts');
    files.set(globals, 'declare var console: { log(...data: unknown[]): void };');
    const options: ts.CompilerOptions = {
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
      paths: { 'stream-state-lab': [path.join(ROOT, 'src/engine/index.ts')] },
    };
    const host = ts.createCompilerHost(options);
    const read = host.readFile.bind(host);
    host.readFile = (f) => files.get(f) ?? read(f);
    const exists = host.fileExists.bind(host);
    host.fileExists = (f) => files.has(f) || exists(f);
    const getSource = host.getSourceFile.bind(host);
    host.getSourceFile = (f, lang, ...rest) =>
      files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang) : getSource(f, lang, ...rest);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = [...files.keys()].flatMap((f) =>
      [
        ...program.getSyntacticDiagnostics(program.getSourceFile(f)),
        ...program.getSemanticDiagnostics(program.getSourceFile(f)),
      ].map((d) => {
        const { line, character } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${path.basename(f)}:${line + 1}:${character + 1} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
    expect(problems).toEqual([]);
  });
});
