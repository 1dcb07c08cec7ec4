/**
 * What is wrong with a job file, and where: the command line prints `file:line:col: message`, the
 * editor underlines it. Lines and columns are 1-based and point into the file as the user wrote it.
 */
export interface JobDiagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
  /**
   * syntax: the file does not parse; type: the type check (the command line, the editor's language
   * service); build: running the program failed (a throw, no `execute`, two `execute`s, the
   * watchdog); runtime: a user function failed while the job ran.
   */
  phase: 'syntax' | 'type' | 'build' | 'runtime';
}

/** `file:line:col: message`, as compilers print it. */
export function formatDiagnostic(d: JobDiagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}
