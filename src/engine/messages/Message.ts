/**
 * Every text the engine produces for a person — why a task failed, why a checkpoint failed, how a job
 * came back, what is wrong in a snapshot file, why a lesson check has not passed yet — is a `Message`:
 * a code and its parameters, never a sentence. The page renders it in the learner's language
 * (src/app/i18n/engineMessages.ts); the command line and the tests render English with `renderEnglish`
 * (the catalogue in en.ts). A parameter may itself be a message (a failure reason inside a checkpoint
 * failure), so translations nest.
 *
 * Text that did not come from the engine (a user function's exception, a browser's DOMException) is
 * wrapped with `text()`: shown as it is, in every language, like a Java exception in Flink's Web UI.
 */
import { EN, type MessageCode } from './en';

export type { MessageCode } from './en';

export type MessageParam = string | number | boolean | null | Message;

export interface Message {
  readonly code: MessageCode;
  readonly params: Readonly<Record<string, MessageParam>>;
}

/** A message with this code and these parameters (the catalogue says which `{name}`s a code uses). */
export function msg(code: MessageCode, params: Record<string, MessageParam> = {}): Message {
  return { code, params };
}

/** Text from outside the engine (an exception's message), shown verbatim in every language. */
export function text(value: string): Message {
  return { code: 'text', params: { text: value } };
}

/** The message an exception carries: its own if it is an EngineError, otherwise its text. */
export function messageOf(e: unknown): Message {
  if (e instanceof EngineError) return e.detail;
  return text(e instanceof Error ? e.message : String(e));
}

export function isMessage(v: unknown): v is Message {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Message).code === 'string' &&
    typeof (v as Message).params === 'object'
  );
}

/**
 * A catalogue: per code a template with `{name}` placeholders, or a function of the parameters
 * (already rendered in the same language) for a sentence whose shape depends on them.
 */
export type Template = string | ((p: Readonly<Record<string, string>>, raw: Message['params']) => string);
export type Catalogue = Readonly<Record<MessageCode, Template>>;

/** Renders a message with a catalogue; nested messages use the same catalogue. */
export function renderMessage(m: Message, catalogue: Catalogue): string {
  const rendered: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.params))
    rendered[k] = isMessage(v) ? renderMessage(v, catalogue) : String(v);
  const template = catalogue[m.code] ?? EN[m.code] ?? m.code;
  if (typeof template === 'function') return template(rendered, m.params);
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => rendered[name] ?? whole);
}

/** English, as the command line prints it (and as tests read it). */
export function renderEnglish(m: Message): string {
  return renderMessage(m, EN);
}

/** An exception whose message is a `Message` (its `message` is the English rendering, for logs). */
export class EngineError extends Error {
  constructor(readonly detail: Message) {
    super(renderEnglish(detail));
    this.name = 'EngineError';
  }
}
