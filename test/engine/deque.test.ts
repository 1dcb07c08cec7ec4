/**
 * The network's ring-buffer queues (runtime/Deque.ts) behave as a plain array used as a FIFO, through
 * growth and wrap-around: the channel queues, output buffers and credit returns depend on it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deque, NumberDeque } from '../../src/engine/runtime/Deque';

/** fast-check's seed: fixed, so that CI is reproducible; FC_SEED=<n> explores others. */
const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

type Op =
  | { op: 'push'; value: number }
  | { op: 'shift' }
  | { op: 'pop' }
  | { op: 'unshiftAll'; values: number[] }
  | { op: 'clear' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant('push' as const), value: fc.double({ noNaN: true }) }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('shift' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pop' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('unshiftAll' as const),
      values: fc.array(fc.integer(), { maxLength: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
);

describe('Deque', () => {
  it('is a FIFO queue (peek, shift, pop, at, toArray) through growth and wrap-around', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const d = new Deque<{ v: number }>();
        const model: { v: number }[] = [];
        for (const o of ops) {
          if (o.op === 'push') {
            const item = { v: o.value };
            d.push(item);
            model.push(item);
          } else if (o.op === 'shift') expect(d.shift()).toBe(model.shift());
          else if (o.op === 'pop') expect(d.pop()).toBe(model.pop());
          else if (o.op === 'unshiftAll') {
            const items = o.values.map((v) => ({ v }));
            d.unshiftAll(items);
            model.unshift(...items);
          } else {
            d.clear();
            model.length = 0;
          }
          expect(d.length).toBe(model.length);
          expect(d.peek()).toBe(model[0]);
          if (model.length > 0) expect(d.at(model.length - 1)).toBe(model[model.length - 1]);
        }
        expect(d.toArray()).toEqual(model);
      }),
      { seed: FC_SEED },
    );
  });

  it('keeps 10,000 elements in order while the head wraps around many times', () => {
    const d = new Deque<number>();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 150; i++) d.push(next++);
      for (let i = 0; i < 100; i++) expect(d.shift()).toBe(expected++);
    }
    expect(d.length).toBe(next - expected);
    expect(d.toArray()).toEqual(Array.from({ length: next - expected }, (_, i) => expected + i));
  });
});

describe('NumberDeque', () => {
  it('is a FIFO queue of numbers, fractional and negative ones exactly', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double({ noNaN: true }).map((value) => ({ push: value })),
            fc.constant(null),
          ),
          { maxLength: 300 },
        ),
        (ops) => {
          const d = new NumberDeque();
          const model: number[] = [];
          for (const o of ops) {
            if (o === null) expect(d.shift()).toBe(model.shift());
            else {
              d.push(o.push);
              model.push(o.push);
            }
            expect(d.length).toBe(model.length);
            expect(d.peek()).toBe(model[0]);
          }
          expect(d.toArray()).toEqual(model);
          d.clear();
          expect(d.length).toBe(0);
          expect(d.peek()).toBeUndefined();
        },
      ),
      { seed: FC_SEED },
    );
  });
});

describe('NumberDeque.removeUpTo', () => {
  it('removes exactly the leading numbers <= the limit and counts them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { maxLength: 100 }),
        fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
        (values, limit) => {
          const d = new NumberDeque();
          for (const v of values) d.push(v);
          let n = 0;
          while (n < values.length && values[n] <= limit) n++;
          expect(d.removeUpTo(limit)).toBe(n);
          expect(d.toArray()).toEqual(values.slice(n));
        },
      ),
      { seed: FC_SEED },
    );
  });
});
