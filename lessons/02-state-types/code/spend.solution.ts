/**
 * Lesson 2: what each customer spent per item, in a MapState (item -> money spent on it): one entry
 * per item, read and written on its own. Run it in the editor, or `npm run sim -- --job` this file.
 */
import {
  FsStateBackend,
  KeyedProcessFunction,
  MapStateDescriptor,
  NonTransactionalSink,
  StreamExecutionEnvironment,
  Types,
  type Collector,
  type KeyedProcessContext,
  type MapState,
  type RuntimeContext,
} from 'stream-state-lab';

interface Order {
  customer: string;
  item: string;
  price: number;
}

/** Per customer (the key): money spent on each item so far. */
class SpendPerItem extends KeyedProcessFunction<string, Order, [string, string, number]> {
  private spent!: MapState<string, number>;

  override open(ctx: RuntimeContext): void {
    this.spent = ctx.getMapState(new MapStateDescriptor('spent', Types.STRING, Types.INT));
  }

  processElement(
    order: Order,
    _ctx: KeyedProcessContext<string>,
    out: Collector<[string, string, number]>,
  ): void {
    // One entry of the customer's map: read it, add the price, put it back. The others are untouched.
    const onItem = (this.spent.get(order.item) ?? 0) + order.price;
    this.spent.put(order.item, onItem);
    out.collect([order.customer, order.item, onItem]);
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
