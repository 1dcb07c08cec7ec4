/**
 * CodeMirror 6 set up for job files: TypeScript highlighting, the TypeScript language service's
 * diagnostics and completions (typescript.worker.ts, its own worker), the Run errors as lint
 * diagnostics at their `line:col`, and Ctrl/Cmd+Enter to run.
 */
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { Prec, type Extension, type Text } from '@codemirror/state';
import { javascript } from '@codemirror/lang-javascript';
import { linter, lintGutter, forceLinting, type Diagnostic } from '@codemirror/lint';
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { wrap, type Remote } from 'comlink';
import type { JobDiagnostic } from '../../../worker/protocol';
import type { TypeScriptWorkerApi } from './typescript.worker';

let tsWorker: Remote<TypeScriptWorkerApi> | null = null;

/** The language service worker, started once (the first time the editor opens). */
export function typeScriptWorker(): Remote<TypeScriptWorkerApi> {
  tsWorker ??= wrap<TypeScriptWorkerApi>(
    new Worker(new URL('./typescript.worker.ts', import.meta.url), { type: 'module', name: 'typescript' }),
  );
  return tsWorker;
}

/** A Run diagnostic (1-based line and column) as a document range. */
export function runDiagnostic(doc: Text, d: JobDiagnostic): Diagnostic {
  const line = doc.line(Math.min(Math.max(1, d.line), doc.lines));
  const from = Math.min(line.from + Math.max(0, d.col - 1), line.to);
  // Underline the word at the position (at least one character).
  let to = from;
  while (to < line.to && /[\w$]/.test(doc.sliceString(to, to + 1))) to++;
  return {
    from,
    to: Math.max(to, Math.min(from + 1, line.to)),
    severity: 'error',
    source: d.phase,
    message: `${d.file}:${d.line}:${d.col} ${d.message}`,
  };
}

export interface EditorCallbacks {
  onChange(source: string): void;
  onRun(): void;
  /** The Run errors to show (read at every lint pass). */
  runDiagnostics(): JobDiagnostic[];
  /** The type checker answered (count of its diagnostics) or is working (null). */
  onTypes(count: number | null): void;
}

export function editorExtensions(cb: EditorCallbacks): Extension[] {
  const types = typeScriptWorker();
  return [
    basicSetup,
    javascript({ typescript: true }),
    Prec.highest(
      keymap.of([
        {
          key: 'Mod-Enter',
          run: () => {
            cb.onRun();
            return true;
          },
        },
      ]),
    ),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) cb.onChange(u.state.doc.toString());
    }),
    lintGutter(),
    linter(
      async (view) => {
        const source = view.state.doc.toString();
        cb.onTypes(null);
        let found: Diagnostic[] = [];
        try {
          const ds = await types.check(source);
          // The document moved on while the worker checked: this answer is stale.
          if (view.state.doc.toString() !== source) return [];
          found = ds.map((d) => ({
            from: Math.min(d.from, view.state.doc.length),
            to: Math.min(d.to, view.state.doc.length),
            severity: d.severity,
            source: 'TypeScript',
            message: d.message,
          }));
        } catch {
          // the language service failed: Run still reports errors
        }
        cb.onTypes(found.length);
        return [...found, ...cb.runDiagnostics().map((d) => runDiagnostic(view.state.doc, d))];
      },
      { delay: 350 },
    ),
    autocompletion({
      override: [
        async (ctx: CompletionContext): Promise<CompletionResult | null> => {
          const word = ctx.matchBefore(/[\w$]*/);
          const afterDot = ctx.matchBefore(/\.[\w$]*$/) !== null;
          if (!ctx.explicit && !afterDot && (!word || word.from === word.to)) return null;
          const result = await types.completions(ctx.state.doc.toString(), ctx.pos);
          if (!result) return null;
          return { from: result.from, options: result.options, validFor: /^[\w$]*$/ };
        },
      ],
    }),
    EditorView.theme({
      '&': { fontSize: '0.85rem', border: '1px solid var(--line)', borderRadius: '4px' },
      '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
      // Line numbers readable (WCAG AA contrast), not CodeMirror's light grey.
      '.cm-gutters': { color: 'var(--muted)', backgroundColor: 'var(--panel)' },
    }),
  ];
}

export { EditorView, forceLinting };
