/**
 * Colours of the graph. Keys get the Okabe–Ito categorical palette (colour-blind safe; the CSS
 * variables are defined in App.svelte, the hex values here are only the fallback for the canvas when
 * a variable cannot be read). Statuses get a colour AND an icon and a word, never colour alone.
 */
export const KEY_COLOUR_VARS = [
  '--c-orange',
  '--c-sky',
  '--c-green',
  '--c-yellow',
  '--c-blue',
  '--c-vermillion',
  '--c-purple',
] as const;

export const FALLBACK_HEX: Record<string, string> = {
  '--c-orange': '#e69f00',
  '--c-sky': '#56b4e9',
  '--c-green': '#009e73',
  '--c-yellow': '#f0e442',
  '--c-blue': '#0072b2',
  '--c-vermillion': '#d55e00',
  '--c-purple': '#cc79a7',
  '--c-grey': '#6b7280',
  '--fg': '#1f2328',
  '--bg': '#ffffff',
};

/**
 * The palette slot of a key, from its Java hashCode (the `tag` of a record in flight). The hash is
 * mixed first: Java string hashes of similar words differ mostly in their low bits. NaN (a record
 * without a key) gets -1: drawn grey.
 */
export function keySlot(hashCode: number): number {
  if (!Number.isFinite(hashCode)) return -1;
  let h = Math.imul(hashCode | 0, 0x9e3779b1);
  h ^= h >>> 16;
  return (h >>> 0) % KEY_COLOUR_VARS.length;
}

export type DisplayStatus =
  | 'running'
  | 'aligning'
  | 'snapshotting'
  | 'failed'
  | 'restarting'
  | 'scheduled'
  | 'restoring'
  | 'finished'
  | 'canceled';

/**
 * The statuses a badge shows (the legend lists them). 'restoring' is not among them: the engine
 * restores a subtask within one event, so no badge ever says it (the restore summary does).
 */
export const DISPLAY_STATUSES: readonly DisplayStatus[] = [
  'running',
  'aligning',
  'snapshotting',
  'failed',
  'scheduled',
  'restarting',
  'finished',
  'canceled',
];

/** Per status: the CSS colour variable of its stripe and its icon (shown next to the word). */
export const STATUS_STYLE: Record<DisplayStatus, { colour: string; icon: string }> = {
  running: { colour: 'var(--c-green)', icon: '▶' },
  aligning: { colour: 'var(--c-yellow)', icon: '‖' },
  snapshotting: { colour: 'var(--c-sky)', icon: '◉' },
  failed: { colour: 'var(--c-vermillion)', icon: '✖' },
  restarting: { colour: 'var(--c-orange)', icon: '↻' },
  // Flink's Web UI shows SCHEDULED tasks in purple too: waiting for a slot.
  scheduled: { colour: 'var(--c-purple)', icon: '⋯' },
  restoring: { colour: 'var(--c-purple)', icon: '↧' },
  finished: { colour: 'var(--c-grey)', icon: '✔' },
  canceled: { colour: 'var(--c-grey)', icon: '⊘' },
};

/** Resolved colours for the canvas (which cannot use CSS variables). */
export interface CanvasColours {
  keys: string[];
  noKey: string;
  fg: string;
  bg: string;
  barrier: string;
  priority: string;
  /** CancelCheckpointMarker. */
  cancel: string;
  watermark: string;
  recording: string;
}

export function resolveColours(read: (name: string) => string): CanvasColours {
  const v = (name: string) => read(name).trim() || FALLBACK_HEX[name] || '#000000';
  return {
    keys: KEY_COLOUR_VARS.map(v),
    noKey: v('--c-grey'),
    fg: v('--fg'),
    bg: v('--bg'),
    barrier: v('--fg'),
    priority: v('--c-purple'),
    cancel: v('--c-vermillion'),
    watermark: v('--c-blue'),
    recording: v('--c-purple'),
  };
}

/** The outline colour of TaskManager n (1-based) in the job graph and on its kill button. */
export function tmColour(index: number): string {
  const colours = ['var(--c-blue)', 'var(--c-orange)', 'var(--c-purple)', 'var(--c-sky)', 'var(--c-yellow)'];
  return colours[(index - 1) % colours.length];
}
