/**
 * The Experiments view's pure parts: the hash routes, the parameter form's checks (the engine's
 * ranges, integers, list lengths) and the plot math (log-axis ticks, scales, paths with gaps).
 */
import { describe, expect, it } from 'vitest';
import { listExperiments, resolveParameters } from '../../src/engine/experiments/index';
import type { NumberListParameter, NumberParameter } from '../../src/engine/experiments/types';
import { draftFor, parseDraft, parseParameter } from '../../src/app/components/experiments/params';
import { axisTicks, makeScale, seriesPath, seriesStyle } from '../../src/app/components/experiments/plot';
import { experimentsHash, parseExperimentsRoute } from '../../src/app/components/experiments/route';

const num: NumberParameter = {
  kind: 'number',
  id: 'checkpoints',
  label: 'Checkpoints',
  description: '',
  unit: '',
  default: 5,
  test: 3,
  min: 1,
  max: 100,
  integer: true,
};
const list: NumberListParameter = {
  kind: 'number-list',
  id: 'slowMs',
  label: 'Slow',
  description: '',
  unit: 'ms',
  default: [0.05, 5],
  test: [0.5],
  min: 0.005,
  max: 50,
  integer: false,
  maxLength: 3,
};

describe('experiments routes', () => {
  it('parses #/experiments and #/experiments/<id>, and nothing else', () => {
    expect(parseExperimentsRoute('#/experiments')).toEqual({ id: null });
    expect(parseExperimentsRoute('#/experiments/')).toEqual({ id: null });
    expect(parseExperimentsRoute('#/experiments/backpressure')).toEqual({ id: 'backpressure' });
    expect(parseExperimentsRoute('')).toBeNull();
    expect(parseExperimentsRoute('#/lessons')).toBeNull();
    expect(parseExperimentsRoute('#/experiments/a/b')).toBeNull();
    expect(parseExperimentsRoute('#%E0%A4%A')).toBeNull();
    expect(experimentsHash('state-size')).toBe('#/experiments/state-size');
    expect(experimentsHash(null)).toBe('#/experiments');
  });
});

describe('experiment parameter form', () => {
  it('checks numbers against the spec: empty, not a number, range, integer', () => {
    expect(parseParameter(num, ' 7 ')).toBe(7);
    expect(parseParameter(num, '')).toEqual({ kind: 'empty' });
    expect(parseParameter(num, 'abc')).toEqual({ kind: 'not-a-number', text: 'abc' });
    expect(parseParameter(num, '0')).toEqual({ kind: 'range', value: 0, min: 1, max: 100 });
    expect(parseParameter(num, '2.5')).toEqual({ kind: 'integer', value: 2.5 });
  });

  it('reads lists with commas (also full-width), sorts and de-duplicates them, and limits their length', () => {
    expect(parseParameter(list, '2, 0.5；0.5，1e-2')).toEqual([0.01, 0.5, 2]);
    expect(parseParameter(list, '1 2 3 4')).toEqual({ kind: 'count', got: 4, max: 3 });
    expect(parseParameter(list, '0.5, 999')).toEqual({ kind: 'range', value: 999, min: 0.005, max: 50 });
    expect(parseParameter(list, ' , ')).toEqual({ kind: 'empty' });
  });

  it('the presets of every experiment pass the form and the engine alike', () => {
    for (const info of listExperiments())
      for (const preset of ['default', 'test'] as const) {
        const parsed = parseDraft(info.parameters, draftFor(info.parameters, preset));
        expect(parsed.errors).toEqual({});
        expect(parsed.values).toEqual(resolveParameters(info.parameters, {}, preset));
      }
  });
});

describe('experiment plots', () => {
  const log = { label: 'x', unit: 'ms', scale: 'log' as const };
  const linear = { label: 'y', unit: 'bytes', scale: 'linear' as const };

  it('log axes: 1-2-5 ticks over a few decades, powers of ten over many; no wasted decades', () => {
    const y = makeScale(log, [15.5, 489], [200, 0], true);
    expect(axisTicks(y, log, 6).map((t) => t.label)).toEqual(['20', '50', '100', '200', '500']);
    const wide = makeScale(log, [1, 1e6], [0, 400], false);
    expect(axisTicks(wide, log, 4).map((t) => t.value)).toEqual([1, 100, 1e4, 1e6]);
    expect(y.domain()[0]).toBeGreaterThan(10);
  });

  it('linear y axes start at zero; paths break where a value is missing or not drawable', () => {
    const y = makeScale(linear, [120, 18_000], [100, 0], true);
    expect(y.domain()[0]).toBe(0);
    expect(axisTicks(y, linear, 4).map((t) => t.label)).toContain('10k');
    const x = makeScale(log, [1, 10, 100], [0, 100], false);
    const d = seriesPath(
      [
        { x: 1, y: 5 },
        { x: 10, y: null },
        { x: 100, y: 7 },
      ],
      x,
      y,
      log,
      linear,
    );
    expect(d.match(/M/g)).toHaveLength(2); // two separate pieces
    const ly = makeScale(log, [0, 5, 50], [100, 0], true);
    // 0 cannot sit on a log axis: the line starts at the next point.
    const fromTen = seriesPath(
      [
        { x: 1, y: 0 },
        { x: 10, y: 5 },
        { x: 100, y: 50 },
      ],
      x,
      ly,
      log,
      log,
    );
    expect(fromTen).toMatch(/^M50,[\d.]+L100,[\d.]+$/);
  });

  it('series differ in colour, dash and marker', () => {
    const styles = [0, 1, 2, 3, 4].map((i) => seriesStyle(i));
    expect(new Set(styles.map((s) => s.colour)).size).toBe(5);
    expect(new Set(styles.map((s) => s.dash)).size).toBe(5);
    expect(new Set(styles.map((s) => s.marker)).size).toBe(5);
    expect(styles.every((s) => s.colour.startsWith('var(--c-'))).toBe(true);
  });
});
