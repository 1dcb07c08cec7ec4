/**
 * CodeMirror 6 set up for job files: TypeScript highlighting, the TypeScript language service's
 * diagnostics and completions (typescript.worker.ts, its own worker), the Run errors as lint
 * diagnostics at their `line:col`, and Ctrl/Cmd+Enter to run.
 */
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { Prec, StateEffect, type Extension, type Text } from '@codemirror/state';
import { javascript } from '@codemirror/lang-javascript';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { wrap, type Remote } from 'comlink';
import type { JobDiagnostic } from '../../../worker/protocol';
import type { TypeScriptWorkerApi } from './typescript.worker';

let tsWorker: Remote<TypeScriptWorkerApi> | null = null;

/** Dispatched when the Run errors changed: the linter runs again (the document did not change). */
const runErrorsChanged = StateEffect.define<null>();

export function showRunErrors(view: EditorView): void {
  view.dispatch({ effects: runErrorsChanged.of(null) });
}

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

/**
 * Code colours that read on the lab's white background (WCAG AA, ≥ 4.5:1; GitHub's light palette):
 * CodeMirror's default ones are lighter than that.
 */
const accessibleHighlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.modifier, tags.controlKeyword, tags.operatorKeyword], color: '#cf222e' },
  { tag: [tags.string, tags.special(tags.string), tags.regexp], color: '#0a3069' },
  {
    tag: [tags.comment, tags.lineComment, tags.blockComment, tags.docComment],
    color: '#57606a',
    fontStyle: 'italic',
  },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: '#0550ae' },
  { tag: [tags.typeName, tags.className, tags.namespace], color: '#953800' },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], color: '#6639ba' },
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: '#0550ae' },
  {
    tag: [tags.variableName, tags.definition(tags.variableName), tags.operator, tags.punctuation],
    color: '#1f2328',
  },
  { tag: tags.invalid, color: '#82071e' },
]);

export interface EditorCallbacks {
  onChange(source: string): void;
  onRun(): void;
  /** The Run errors to show (read at every lint pass). */
  runDiagnostics(): JobDiagnostic[];
  /** The type checker answered (count of its diagnostics), is working (null) or failed (-1). */
  onTypes(count: number | null): void;
}

export function editorExtensions(cb: EditorCallbacks): Extension[] {
  const types = typeScriptWorker();
  return [
    basicSetup,
    javascript({ typescript: true }),
    syntaxHighlighting(accessibleHighlight),
    // Long lines wrap: no sideways scrolling, on a phone either.
    EditorView.lineWrapping,
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
        let failed = false;
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
        } catch (e) {
          // The language service failed: say so; Run still reports errors.
          console.warn('TypeScript language service:', e);
          failed = true;
        }
        cb.onTypes(failed ? -1 : found.length);
        return [...found, ...cb.runDiagnostics().map((d) => runDiagnostic(view.state.doc, d))];
      },
      {
        delay: 350,
        needsRefresh: (u) => u.transactions.some((tr) => tr.effects.some((e) => e.is(runErrorsChanged))),
      },
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

export { EditorView };
