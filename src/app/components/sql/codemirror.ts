/**
 * CodeMirror 6 set up for Flink SQL: @codemirror/lang-sql with a Flink dialect (Flink's reserved
 * words, types and built-in functions, backtick-quoted identifiers), completion of the built-in tables
 * and their columns (from the worker: `sqlTables`), the last Run's or Explain's error as a lint
 * diagnostic at its `line:col`, and Ctrl/Cmd+Enter to run.
 */
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { Compartment, Prec, StateEffect, type Extension, type Text } from '@codemirror/state';
import { sql, SQLDialect, type SQLNamespace } from '@codemirror/lang-sql';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import type { CompletionSource } from '@codemirror/autocomplete';
import type { SqlDiagnostic, SqlTableInfo } from '../../../worker/protocol';

/**
 * Flink SQL's words (Flink's docs, "Reserved Keywords", the ones a lab query meets) and the window
 * table-valued functions, option keys' statements and the built-in functions the lab runs.
 */
export const FlinkSQL = SQLDialect.define({
  keywords:
    'select from where group by having order limit as and or not in is null true false case when then else end ' +
    'distinct all join inner left right full outer cross on using union intersect except with values insert into ' +
    'overwrite table tables create drop alter view function temporary if exists primary key enforced watermark ' +
    'for system_time of set reset show describe desc explain plan partition over rows range between preceding ' +
    'following current row unbounded lateral descriptor interval second minute hour day month year escape like ' +
    'similar cast try_cast asc nulls first last tumble hop cumulate session window_start window_end window_time ' +
    'proctime rowtime statement execute begin',
  types:
    'string varchar char boolean bool tinyint smallint int integer bigint float double decimal dec numeric date ' +
    'time timestamp timestamp_ltz bytes varbinary binary array map multiset row raw',
  builtin:
    'count sum min max avg coalesce nullif if abs mod power sqrt floor ceil round upper lower trim substring ' +
    'concat concat_ws char_length length position replace regexp_extract date_format to_timestamp ' +
    'current_timestamp localtimestamp unix_timestamp from_unixtime extract row_number rank dense_rank ' +
    'source_watermark',
  backslashEscapes: false,
  identifierQuotes: '`',
  caseInsensitiveIdentifiers: true,
});

/** The built-in tables and their columns, for completion (`FROM w…`, `words.w…`, `w…` in a query on words). */
export function schemaOf(tables: readonly SqlTableInfo[]): SQLNamespace {
  const ns: Record<string, SQLNamespace> = {};
  for (const t of tables)
    ns[t.name] = {
      self: { label: t.name, type: 'type', detail: 'table', info: t.ddl },
      children: t.columns.map((c) => ({ label: c.name, type: 'property', detail: c.type })),
    };
  return ns;
}

/**
 * Unqualified columns (`SELECT pa|` in a statement over clicks): the columns of the built-in tables the
 * statement around the cursor names. lang-sql completes `clicks.pa|` and table names itself.
 */
export function columnsInScope(tables: readonly SqlTableInfo[]): CompletionSource {
  return (ctx) => {
    const word = ctx.matchBefore(/\w+/);
    if (ctx.matchBefore(/\.\w*$/) || (!word && !ctx.explicit)) return null;
    const doc = ctx.state.doc.toString();
    const start = doc.lastIndexOf(';', ctx.pos - 1) + 1;
    const stop = doc.indexOf(';', ctx.pos);
    const statement = doc.slice(start, stop < 0 ? doc.length : stop).toLowerCase();
    const options = tables
      .filter((t) => new RegExp(`\\b${t.name}\\b`).test(statement))
      .flatMap((t) =>
        t.columns.map((c) => ({
          label: c.name,
          type: 'property',
          detail: `${c.type} (${t.name})`,
          boost: 1,
        })),
      );
    if (options.length === 0) return null;
    return { from: word ? word.from : ctx.pos, options, validFor: /^\w*$/ };
  };
}

const errorChanged = StateEffect.define<null>();

export function showSqlError(view: EditorView): void {
  view.dispatch({ effects: errorChanged.of(null) });
}

/** An error (1-based line and column) as a document range: the word at the position. */
export function sqlDiagnostic(doc: Text, d: SqlDiagnostic): Diagnostic {
  const line = doc.line(Math.min(Math.max(1, d.line), doc.lines));
  const from = Math.min(line.from + Math.max(0, d.col - 1), line.to);
  let to = from;
  while (to < line.to && /[\w$`']/.test(doc.sliceString(to, to + 1))) to++;
  return {
    from,
    to: Math.max(to, Math.min(from + 1, line.to)),
    severity: 'error',
    source: d.kind,
    message: `${d.line}:${d.col} ${d.message}`,
  };
}

/** Colours that read on the lab's white background (WCAG AA; as the job editor's). */
const accessibleHighlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.operatorKeyword], color: '#cf222e' },
  { tag: [tags.string, tags.special(tags.string)], color: '#0a3069' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: '#57606a', fontStyle: 'italic' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: '#0550ae' },
  { tag: [tags.typeName, tags.standard(tags.name)], color: '#953800' },
  { tag: [tags.name, tags.special(tags.name), tags.operator, tags.punctuation], color: '#1f2328' },
  { tag: tags.invalid, color: '#82071e' },
]);

export interface SqlEditorCallbacks {
  onChange(source: string): void;
  onRun(): void;
  /** The error to show (read at every lint pass). */
  error(): SqlDiagnostic | null;
}

export class SqlEditorSetup {
  private readonly language = new Compartment();

  extensions(cb: SqlEditorCallbacks, tables: readonly SqlTableInfo[]): Extension[] {
    return [
      basicSetup,
      this.language.of(this.languageFor(tables)),
      syntaxHighlighting(accessibleHighlight),
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
        (view) => {
          const e = cb.error();
          return e ? [sqlDiagnostic(view.state.doc, e)] : [];
        },
        {
          delay: 100,
          needsRefresh: (u) => u.transactions.some((tr) => tr.effects.some((e) => e.is(errorChanged))),
        },
      ),
      EditorView.theme({
        '&': { fontSize: '0.85rem', border: '1px solid var(--line)', borderRadius: '4px' },
        '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
        '.cm-gutters': { color: 'var(--muted)', backgroundColor: 'var(--panel)' },
      }),
    ];
  }

  /** The tables arrived from the worker: completion offers them from now on. */
  setTables(view: EditorView, tables: readonly SqlTableInfo[]): void {
    view.dispatch({ effects: this.language.reconfigure(this.languageFor(tables)) });
  }

  private languageFor(tables: readonly SqlTableInfo[]): Extension {
    return [
      sql({ dialect: FlinkSQL, schema: schemaOf(tables), upperCaseKeywords: true }),
      FlinkSQL.language.data.of({ autocomplete: columnsInScope(tables) }),
    ];
  }
}

export { EditorView };
