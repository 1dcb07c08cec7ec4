/**
 * Lesson 4's job: state that grows. A stream of order documents (about 1.2 KiB of JSON each: lines,
 * address, a note) keyed by order id; the job keeps the latest version of every order in a
 * ValueState — a table of orders, as a join or a lookup table would keep it. New orders arrive two
 * per millisecond and one in five records updates an earlier order, so the state grows by about
 * 2 MiB a second of virtual time and, after about 2.5 s, is larger than the 5 MiB the
 * MemoryStateBackend (JobManagerCheckpointStorage) accepts per subtask.
 *
 * Most of the state does not change between two checkpoints: what incremental RocksDB checkpoints
 * are for.
 */
import {
  MemoryStateBackend,
  NonTransactionalSink,
  Random,
  ReplayableLog,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  Types,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type LogRecord,
  type RuntimeContext,
  type Scenario,
  type ScenarioOptions,
  type ValueState,
  type TypeInformation,
} from '../../src/engine/index';
import { applyScenarioOptions } from '../../src/engine/scenarios/Scenario';

export interface OrderLine {
  sku: string;
  product: string;
  qty: number;
  price: number;
}

export interface OrderDoc {
  id: string;
  version: number;
  status: 'placed' | 'paid' | 'shipped';
  customer: string;
  address: string;
  lines: OrderLine[];
  note: string;
}

const PRODUCTS = [
  'espresso beans 1 kg',
  'ceramic pour-over dripper',
  'paper filters (100)',
  'hand grinder, steel burr',
  'gooseneck kettle 1 l',
  'milk jug 350 ml',
  'travel mug, double wall',
  'cleaning tablets (50)',
];
const STREETS = ['Harbour Road', 'Linden Allee', 'Rue des Écoles', 'Calle Mayor', 'Nanjing Road'];
const WORDS =
  'please leave the parcel at the side door ring twice gift wrap no invoice in the box call before'.split(
    ' ',
  );

export const ORDER_EVENTS = 6000;
export const ORDER_EMIT_MS = 0.5;

function orderDoc(rng: Random, n: number, version: number, status: OrderDoc['status']): OrderDoc {
  const lines: OrderLine[] = [];
  for (let i = 0; i < 12; i++) {
    const p = rng.int(0, PRODUCTS.length - 1);
    lines.push({
      sku: `SKU-${1000 + p}-${rng.int(10, 99)}`,
      product: PRODUCTS[p],
      qty: rng.int(1, 4),
      price: rng.int(3, 120),
    });
  }
  const note: string[] = [];
  for (let i = 0; i < 64; i++) note.push(WORDS[rng.int(0, WORDS.length - 1)]);
  return {
    id: `order-${String(n).padStart(5, '0')}`,
    version,
    status,
    customer: `customer-${String(rng.int(0, 499)).padStart(3, '0')}`,
    address: `${rng.int(1, 200)} ${STREETS[rng.int(0, STREETS.length - 1)]}, ${rng.int(10000, 99999)}`,
    lines,
    note: note.join(' '),
  };
}

/** 6,000 records: new orders, and one in five an update (paid, shipped) of a recent order. */
export function orderLog(events = ORDER_EVENTS, dataSeed = 20240604): ReplayableLog<OrderDoc> {
  const rng = new Random(dataSeed);
  const records: LogRecord<OrderDoc>[] = [];
  const versions: number[] = [];
  for (let i = 0; i < events; i++) {
    if (versions.length > 10 && rng.next() < 0.2) {
      const n = versions.length - 1 - rng.int(0, 9);
      versions[n]++;
      records.push({
        value: orderDoc(rng, n + 1, versions[n], versions[n] === 2 ? 'paid' : 'shipped'),
        timestamp: i,
      });
    } else {
      versions.push(1);
      records.push({ value: orderDoc(rng, versions.length, 1, 'placed'), timestamp: i });
    }
  }
  return new ReplayableLog('orders', [records]);
}

export class KeepLatestOrder implements KeyedProcessFunction<string, OrderDoc, string> {
  private latest!: ValueState<OrderDoc>;

  open(ctx: RuntimeContext): void {
    this.latest = ctx.getState(
      new ValueStateDescriptor(
        'latest',
        Types.POJO<OrderDoc>('OrderDoc', {
          id: Types.STRING,
          version: Types.INT,
          status: Types.STRING as TypeInformation<OrderDoc['status']>,
          customer: Types.STRING,
          address: Types.STRING,
          lines: Types.LIST(
            Types.POJO<OrderLine>('OrderLine', {
              sku: Types.STRING,
              product: Types.STRING,
              qty: Types.INT,
              price: Types.DOUBLE,
            }),
          ),
          note: Types.STRING,
        }),
      ),
    );
  }

  processElement(order: OrderDoc, _ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const previous = this.latest.value();
    if (previous === null || order.version > previous.version) {
      this.latest.update(order);
      out.collect(`${order.id} v${order.version} ${order.status}`);
    }
  }
}

export function buildOrderTable(options: ScenarioOptions = {}) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(1);
  env.setStateBackend(new MemoryStateBackend());
  env.enableCheckpointing(1000);
  env
    .fromSource(orderLog(), 'Source: orders (Kafka-like)', ORDER_EMIT_MS)
    .uid('source')
    .keyBy((o: OrderDoc) => o.id)
    .process(new KeepLatestOrder())
    .uid('orders')
    .name('Process: latest version of every order')
    .addSink(new NonTransactionalSink<string>())
    .uid('print')
    .name('Sink: print');
  applyScenarioOptions(env, options);
  return env.getJobGraph('Order table');
}

export const scenario: Scenario = {
  name: 'lesson-state-backends',
  description:
    'Order documents (about 1.2 KiB each) kept by order id: state that grows past the memory backend’s 5 MiB.',
  build: buildOrderTable,
};
