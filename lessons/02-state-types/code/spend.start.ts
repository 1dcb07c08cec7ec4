/**
 * Lesson 2: what each customer spent per item. This version keeps ONE number per customer in a
 * ValueState: the total of all their orders, whatever the item. Make `spent` a MapState (item ->
 * money spent on that item, Types.STRING -> Types.INT), and emit [customer, item, spent on the item].
 * Then press Run (Ctrl+Enter).
 */
import {
  FsStateBackend,
  KeyedProcessFunction,
  NonTransactionalSink,
  StreamExecutionEnvironment,
  Types,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type RuntimeContext,
  type ValueState,
} from 'stream-state-lab';

interface Order {
  customer: string;
  item: string;
  price: number;
}

/** Per customer (the key): money spent so far — but on everything, not per item. */
class SpendPerItem extends KeyedProcessFunction<string, Order, [string, string, number]> {
  // TODO: a MapState<string, number> (item -> spent on it) instead of one number per customer.
  private spent!: ValueState<number>;

  override open(ctx: RuntimeContext): void {
    this.spent = ctx.getState(new ValueStateDescriptor('spent', Types.INT));
  }

  processElement(
    order: Order,
    _ctx: KeyedProcessContext<string>,
    out: Collector<[string, string, number]>,
  ): void {
    const total = (this.spent.value() ?? 0) + order.price;
    this.spent.update(total);
    out.collect([order.customer, order.item, total]);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.setStateBackend(new FsStateBackend('file:///tmp/checkpoints'));
env.enableCheckpointing(1000);

env
  .fromData<Order>(
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
  )
  .uid('source')
  .name('Source: orders')
  .keyBy((order: Order) => order.customer)
  .process(new SpendPerItem())
  .uid('spend')
  .name('Process: spend per item')
  .setProcessingTime(250) // slow on purpose: watch each entry change
  .sinkTo(new NonTransactionalSink<[string, string, number]>())
  .uid('print')
  .name('Sink: print');

await env.execute('Spend per item (yours)');
