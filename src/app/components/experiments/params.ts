/**
 * The parameter form's model: what the learner typed (text per parameter) checked against the
 * experiment's parameter specs (plain data from the worker): numbers within [min, max], integers
 * where required, lists of 1 to `maxLength` numbers. The same rules as the engine's
 * `resolveParameters`, checked here so the form can say what is wrong before anything is sent;
 * the worker checks again.
 */
import type { ParameterSpec, ParameterValue } from '../../../engine/experiments/types';

/** Text per parameter id, as typed. */
export type Draft = Record<string, string>;

export type ParamError =
  | { kind: 'empty' }
  | { kind: 'not-a-number'; text: string }
  | { kind: 'range'; value: number; min: number; max: number }
  | { kind: 'integer'; value: number }
  | { kind: 'count'; got: number; max: number };

export interface ParsedDraft {
  /** Every parameter that parsed, by id (lists ascending, without duplicates, as the engine sorts them). */
  values: Record<string, ParameterValue>;
  /** What is wrong, by parameter id. */
  errors: Record<string, ParamError>;
  ok: boolean;
}

/** Separators of a list: commas (also the full-width ones a Chinese keyboard types), semicolons, spaces. */
const LIST_SEPARATOR = /[\s,;，、；]+/;

export function formatValue(value: ParameterValue): string {
  return typeof value === 'number' ? String(value) : value.map(String).join(', ');
}

/** The form's text for a preset: the engine's defaults or its small "test" sizes. */
export function draftFor(specs: readonly ParameterSpec[], preset: 'default' | 'test'): Draft {
  return Object.fromEntries(specs.map((s) => [s.id, formatValue(preset === 'test' ? s.test : s.default)]));
}

function parseNumber(text: string, spec: ParameterSpec): number | ParamError {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { kind: 'not-a-number', text: trimmed };
  if (value < spec.min || value > spec.max) return { kind: 'range', value, min: spec.min, max: spec.max };
  if (spec.integer && !Number.isInteger(value)) return { kind: 'integer', value };
  return value;
}

export function parseParameter(spec: ParameterSpec, text: string): ParameterValue | ParamError {
  if (spec.kind === 'number') return parseNumber(text, spec);
  const parts = text.split(LIST_SEPARATOR).filter((p) => p !== '');
  if (parts.length === 0) return { kind: 'empty' };
  const values: number[] = [];
  for (const part of parts) {
    const v = parseNumber(part, spec);
    if (typeof v !== 'number') return v;
    values.push(v);
  }
  const unique = [...new Set(values)].sort((a, b) => a - b);
  if (unique.length > spec.maxLength) return { kind: 'count', got: unique.length, max: spec.maxLength };
  return unique;
}

export function isParamError(v: ParameterValue | ParamError): v is ParamError {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseDraft(specs: readonly ParameterSpec[], draft: Draft): ParsedDraft {
  const values: Record<string, ParameterValue> = {};
  const errors: Record<string, ParamError> = {};
  for (const spec of specs) {
    const parsed = parseParameter(spec, draft[spec.id] ?? '');
    if (isParamError(parsed)) errors[spec.id] = parsed;
    else values[spec.id] = parsed;
  }
  return { values, errors, ok: Object.keys(errors).length === 0 };
}
