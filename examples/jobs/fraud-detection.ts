/**
 * "Fraud Detection with the DataStream API", the walkthrough in Flink's documentation
 * (docs/content/docs/try-flink/datastream.md), translated to the lab's API: alert on an account whose
 * small transaction (under $1.00) is followed by a large one (over $500.00) within a minute. The
 * FraudDetector is the walkthrough's final version: a flag in ValueState, cleared by a
 * processing-time timer one minute later.
 *
 * The transactions are the walkthrough's (Flink's `TransactionIterator`, bounded: 50 transactions of
 * accounts 1–5), one every 100 ms as its `TransactionSource` emits them. As in the walkthrough, the
 * only alert is for account 3 ($0.80, then $871.15).
 */
import {
  KeyedProcessFunction,
  StreamExecutionEnvironment,
  Types,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from 'stream-state-lab';

interface Transaction {
  accountId: number;
  amount: number;
}

interface Alert {
  id: number;
}

// prettier-ignore
const AMOUNTS = [ // accounts 1, 2, 3, 4, 5 in turn
  188.23, 374.79, 112.15, 478.75, 208.85, 379.64, 351.44, 320.75, 259.42, 273.44,
  267.25, 397.15, 0.219, 231.94, 384.73, 419.62, 412.91, 0.77, 22.1, 377.54,
  375.44, 230.18, 0.8, 350.89, 127.55, 483.91, 228.22, 871.15, 64.19, 79.43,
  56.12, 256.48, 148.16, 199.95, 252.37, 274.73, 473.54, 119.92, 323.59, 353.16,
  211.9, 280.93, 347.89, 459.86, 82.31, 373.26, 479.83, 454.25, 83.64, 292.44,
];
const transactions: Transaction[] = AMOUNTS.map((amount, i) => ({ accountId: (i % 5) + 1, amount }));

const SMALL_AMOUNT = 1.0;
const LARGE_AMOUNT = 500.0;
const ONE_MINUTE = 60 * 1000;

class FraudDetector extends KeyedProcessFunction<number, Transaction, Alert> {
  private flagState!: ValueState<boolean>;
  private timerState!: ValueState<number>;

  override open(ctx: RuntimeContext): void {
    this.flagState = ctx.getState(new ValueStateDescriptor('flag', Types.BOOLEAN));
    this.timerState = ctx.getState(new ValueStateDescriptor('timer-state', Types.LONG));
  }

  processElement(transaction: Transaction, ctx: KeyedProcessContext<number>, out: Collector<Alert>): void {
    // Get the current state for the current key
    const lastTransactionWasSmall = this.flagState.value();

    // Check if the flag is set
    if (lastTransactionWasSmall !== null) {
      if (transaction.amount > LARGE_AMOUNT) {
        // Output an alert downstream
        out.collect({ id: transaction.accountId });
      }
      // Clean up our state
      this.cleanUp(ctx);
    }

    if (transaction.amount < SMALL_AMOUNT) {
      // Set the flag to true
      this.flagState.update(true);

      // set the timer and timer state
      const timer = ctx.timerService().currentProcessingTime() + ONE_MINUTE;
      ctx.timerService().registerProcessingTimeTimer(timer);
      this.timerState.update(timer);
    }
  }

  override onTimer(_timestamp: number, _ctx: OnTimerContext<number>, _out: Collector<Alert>): void {
    // remove flag after 1 minute
    this.timerState.clear();
    this.flagState.clear();
  }

  private cleanUp(ctx: KeyedProcessContext<number>): void {
    // delete timer
    const timer = this.timerState.value();
    if (timer !== null) ctx.timerService().deleteProcessingTimeTimer(timer);

    // clean up all state
    this.timerState.clear();
    this.flagState.clear();
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(1000);

const stream = env
  .fromData(...transactions)
  .setProcessingTime(100) // the walkthrough's source sleeps 100 ms between two transactions
  .name('transactions');

const alerts = stream
  .keyBy((transaction) => transaction.accountId)
  .process(new FraudDetector())
  .name('fraud-detector');

alerts.print().name('send-alerts');

await env.execute('Fraud Detection');
