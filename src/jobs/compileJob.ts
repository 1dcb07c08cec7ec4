/**
 * Compiles a job file (TypeScript, as a learner writes it) into code `buildJob` can run: types are
 * stripped with sucrase (which keeps every line where it was), imports become `require` calls (the
 * runner resolves 'stream-state-lab' to the engine's public API), and a watchdog guard goes into every
 * loop and function body (`instrument.ts`). The result is plain data (it can be posted to a worker);
 * `originalPosition` maps a position in the compiled code back to the user's file.
 */
import { transform } from 'sucrase';
import { TraceMap, originalPositionFor, type EncodedSourceMap } from '@jridgewell/trace-mapping';
import type { JobDiagnostic } from './JobDiagnostic';
import { instrument, type Insertion } from './instrument';

/** The compiled program: `(async function (require, __wd) { … })`, evaluated by `buildJob`. */
export interface CompiledJob {
  ok: true;
  fileName: string;
  code: string;
  /** sucrase's source map: compiled (before the guards) → the user's file. */
  map: EncodedSourceMap;
  /** The text the guards inserted, per line of sucrase's output (1-based): to undo their column shifts. */
  insertions: Record<number, Insertion[]>;
}

export type CompileResult = CompiledJob | { ok: false; diagnostics: JobDiagnostic[] };

/** The parameter names the compiled program gets: the module loader and the watchdog. */
export const PROGRAM_PREFIX = '(async function (require, __wd) {';

export function compileJob(source: string, fileName: string): CompileResult {
  let code: string;
  let map: EncodedSourceMap;
  try {
    const out = transform(source, {
      transforms: ['typescript', 'imports'],
      filePath: fileName,
      // Class fields and the rest of modern JavaScript run as written (the worker's and Node's engines have them).
      disableESTransforms: true,
      sourceMapOptions: { compiledFilename: fileName.replace(/\.tsx?$/, '') + '.js' },
    });
    code = out.code;
    map = out.sourceMap as EncodedSourceMap;
  } catch (e) {
    return { ok: false, diagnostics: [syntaxDiagnostic(e, source, fileName)] };
  }
  const tracer = new TraceMap(map);
  const toOriginal = (line: number, col0: number) => {
    const p = originalPositionFor(tracer, { line, column: col0 });
    return p.line === null ? { line, col: col0 + 1 } : { line: p.line, col: p.column + 1 };
  };
  const instrumented = instrument(code, toOriginal);
  if (!instrumented.ok) {
    const at = toOriginal(instrumented.line, instrumented.col0);
    return {
      ok: false,
      diagnostics: [{ file: fileName, ...at, message: instrumented.message, phase: 'syntax' }],
    };
  }
  const insertions = instrumented.insertions;
  // The wrapper's head shifts line 1; the source URL names the file in stack traces.
  (insertions[1] ??= []).unshift({ col0: 0, length: PROGRAM_PREFIX.length });
  return {
    ok: true,
    fileName,
    code: `${PROGRAM_PREFIX}${instrumented.code}\n})\n//# sourceURL=${sourceUrl(fileName)}\n`,
    map,
    insertions,
  };
}

/** The name stack traces give the compiled program (no spaces or parentheses, so frames parse). */
export function sourceUrl(fileName: string): string {
  return 'job:' + fileName.replace(/[\s()]/g, '_');
}

/**
 * A position in the compiled code (1-based line, 1-based column, as stack traces give them) → the
 * user's file. Null when it is code the compiler added.
 */
export function originalPosition(
  compiled: CompiledJob,
  line: number,
  col: number,
): { line: number; col: number } | null {
  let col0 = col - 1;
  // Undo the guards' insertions on this line (those before the position, in compiled coordinates).
  let shift = 0;
  for (const ins of compiled.insertions[line] ?? []) {
    if (ins.col0 + shift > col0) break;
    if (col0 < ins.col0 + shift + ins.length) {
      col0 = ins.col0; // inside inserted text: the position it was inserted at
      shift = 0;
      break;
    }
    shift += ins.length;
  }
  col0 -= shift;
  const p = originalPositionFor(new TraceMap(compiled.map), { line, column: col0 });
  if (p.line === null) return null;
  return { line: p.line, col: p.column + 1 };
}

function syntaxDiagnostic(e: unknown, source: string, fileName: string): JobDiagnostic {
  const err = e as { message?: string; pos?: number };
  // sucrase: "Error transforming job.ts: Unexpected token (1:19)"
  const message = String(err.message ?? e)
    .replace(/^Error transforming [^:]*: /, '')
    .replace(/ \(\d+:\d+\)$/, '');
  const pos = typeof err.pos === 'number' ? err.pos : 0;
  const before = source.slice(0, pos).split('\n');
  return {
    file: fileName,
    line: before.length,
    col: before[before.length - 1].length + 1,
    message,
    phase: 'syntax',
  };
}
