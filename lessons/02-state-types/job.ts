/**
 * Lesson 2's job: twelve orders (customer, item, price), keyed by customer, and ONE keyed function that
 * keeps the five kinds of keyed state side by side (the seed's §2.1), so that the State tab shows
 * what each one holds for the same key:
 *
 *   lastItem  ValueState<string>                         the latest item (overwritten)
 *   items     ListState<string>                          every item, in order (appended)
 *   perItem   MapState<string, number>                   orders per item (one entry per item)
 *   total     ReducingState<number>                      the sum of the prices (ReduceFunction)
 *   average   AggregatingState<number, AvgAcc, number>   the average price (AggregateFunction: the
 *                                                         state keeps the accumulator {sum, count})
 *
 * The function is slow on purpose (250 ms an order) so that every update can be watched.
 */
import {
  AggregatingStateDescriptor,
  FsStateBackend,
  ListStateDescriptor,
  MapStateDescriptor,
  NonTransactionalSink,
  ReducingStateDescriptor,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  Types,
  type AggregateFunction,
  type AggregatingState,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type ListState,
  type MapState,
  type ReducingState,
  type RuntimeContext,
  type Scenario,
  type ScenarioOptions,
  type ValueState,
} from '../../src/engine/index';
import { applyScenarioOptions } from '../../src/engine/scenarios/Scenario';

export interface Order {
  customer: string;
  item: string;
  price: number;
}

export interface Profile {
  customer: string;
  lastItem: string | null;
  items: number;
  total: number | null;
  average: number | null;
}

/** alice finishes first (order 9), then bob (order 11), carol last (order 12). */
export const ORDERS: Order[] = [
  { customer: 'alice', item: 'book', price: 12 },
  { customer: 'bob', item: 'coffee', price: 4 },
  { customer: 'alice', item: 'coffee', price: 3 },
  { customer: 'carol', item: 'pen', price: 2 },
  { customer: 'bob', item: 'coffee', price: 5 },
  { customer: 'alice', item: 'book', price: 15 },
  { customer: 'carol', item: 'book', price: 20 },
  { customer: 'bob', item: 'pen', price: 3 },
  { customer: 'alice', item: 'coffee', price: 4 },
  { customer: 'bob', item: 'coffee', price: 4 },
  { customer: 'bob', item: 'book', price: 9 },
  { customer: 'carol', item: 'coffee', price: 5 },
];

/** The accumulator of the average: what the AggregatingState stores. */
export interface AvgAcc {
  sum: number;
  count: number;
}

export const averagePrice: AggregateFunction<number, AvgAcc, number> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (price, acc) => ({ sum: acc.sum + price, count: acc.count + 1 }),
  getResult: (acc) => acc.sum / acc.count,
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

export class CustomerProfile implements KeyedProcessFunction<string, Order, Profile> {
  private lastItem!: ValueState<string>;
  private items!: ListState<string>;
  private perItem!: MapState<string, number>;
  private total!: ReducingState<number>;
  private average!: AggregatingState<number, number>;

  open(ctx: RuntimeContext): void {
    this.lastItem = ctx.getState(new ValueStateDescriptor('lastItem', Types.STRING));
    this.items = ctx.getListState(new ListStateDescriptor('items', Types.STRING));
    this.perItem = ctx.getMapState(new MapStateDescriptor('perItem', Types.STRING, Types.INT));
    this.total = ctx.getReducingState(
      new ReducingStateDescriptor('total', (a: number, b: number) => a + b, Types.INT),
    );
    this.average = ctx.getAggregatingState(
      new AggregatingStateDescriptor(
        'average',
        averagePrice,
        Types.POJO<AvgAcc>('AvgAcc', { sum: Types.INT, count: Types.INT }),
      ),
    );
  }

  processElement(order: Order, _ctx: KeyedProcessContext<string>, out: Collector<Profile>): void {
    this.lastItem.update(order.item);
    this.items.add(order.item);
    this.perItem.put(order.item, (this.perItem.get(order.item) ?? 0) + 1);
    this.total.add(order.price);
    this.average.add(order.price);
    out.collect({
      customer: order.customer,
      lastItem: this.lastItem.value(),
      items: [...this.items.get()].length,
      total: this.total.get(),
      average: this.average.get(),
    });
  }
}

export function buildStateTypes(options: ScenarioOptions = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1);
  env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
  env.enableCheckpointing(1000);
  env
    .fromElements(...ORDERS)
    .uid('source')
    .name('Source: orders')
    .keyBy((o: Order) => o.customer)
    .process(new CustomerProfile())
    .uid('profile')
    .name('Process: five kinds of keyed state')
    .setProcessingTime(250)
    .addSink(new NonTransactionalSink<Profile>())
    .uid('print')
    .name('Sink: print');
  applyScenarioOptions(env, options);
  return env.getJobGraph('Customer profiles');
}

export const scenario: Scenario = {
  name: 'lesson-state-types',
  description: 'Twelve orders, one keyed function with Value, List, Map, Reducing and Aggregating state.',
  build: buildStateTypes,
};
