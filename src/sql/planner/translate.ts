/**
 * The physical plan as a job of the engine, built with the DataStream API as Flink's planner builds
 * Transformations: every plan node one operator (vertex) named as EXPLAIN names it, an Exchange a
 * keyBy (hash partitioning) in front of the keyed operator, the result written by a two-phase-commit
 * sink (so that a reader sees each committed change exactly once). A Join is a two-input operator
 * over its two Exchanges (connect + keyBy + a KeyedCoProcessFunction).
 */
import type { DataStream } from '../../engine/api/DataStream';
import type { StreamExecutionEnvironment } from '../../engine/api/StreamExecutionEnvironment';
import { KafkaSource, OffsetsInitializer } from '../../engine/connectors/KafkaSource';
import { ReplayableLog } from '../../engine/connectors/ReplayableLog';
import { TwoPhaseCommitSink } from '../../engine/connectors/sinks';
import { WatermarkStrategies } from '../../engine/time/WatermarkStrategy';
import { CalcFunction } from '../runtime/CalcFunction';
import { AppendOnlyTopNFunction } from '../runtime/AppendOnlyTopNFunction';
import { GroupAggFunction } from '../runtime/GroupAggFunction';
import { keyOf, type RowData } from '../runtime/RowData';
import { RowTimeDeduplicateFunction } from '../runtime/RowTimeDeduplicateFunction';
import { RowTimeDeduplicateKeepFirstRowFunction } from '../runtime/RowTimeDeduplicateKeepFirstRowFunction';
import { RowTimeIntervalJoin } from '../runtime/RowTimeIntervalJoin';
import { SessionWindowAggFunction } from '../runtime/SessionWindowAggFunction';
import { StreamingJoinOperator } from '../runtime/StreamingJoinOperator';
import { WindowAggFunction, assignWindows } from '../runtime/WindowAggFunction';
import type { Collector } from '../../engine/api/functions';
import { describeNode, type PlanNode } from './PlanNode';

export interface TranslateOptions {
  stateTtlMs: number;
}

/** The uid of the job's sink: where the committed changelog is read from. */
export const SQL_SINK_UID = 'sink';

export function translateToJob(
  root: PlanNode & { op: 'Sink' },
  env: StreamExecutionEnvironment,
  options: TranslateOptions,
): void {
  const uids = new Map<string, number>();
  const uid = (base: string) => {
    const n = uids.get(base) ?? 0;
    uids.set(base, n + 1);
    return n === 0 ? base : `${base}-${n + 1}`;
  };

  const build = (n: PlanNode): DataStream<RowData> => {
    switch (n.op) {
      case 'TableSourceScan': {
        const t = n.table;
        const log = t.log();
        // Values of the log are rows; the scan emits them as +I RowData.
        const rows = new ReplayableLog<RowData>(
          log.topic,
          log.partitions.map((p) =>
            p.map((r) => ({ value: { kind: '+I', row: r.value }, timestamp: r.timestamp })),
          ),
        );
        const source = KafkaSource.builder<RowData>()
          .setLog(rows)
          .setBounded(OffsetsInitializer.latest())
          .build();
        const wm = t.rowtime
          ? WatermarkStrategies.forBoundedOutOfOrderness(Math.max(t.watermarkDelayMs - 1, 0))
          : null;
        return env.fromSource(source, describeNode(n), t.emitIntervalMs, wm).uid(uid(`scan-${t.name}`));
      }
      case 'Calc':
        return build(n.input)
          .flatMap(
            new CalcFunction(
              n.projections.map((p) => p.eval),
              n.condition ? n.condition.eval : null,
            ),
          )
          .name(describeNode(n))
          .uid(uid('calc'));
      case 'Exchange':
        throw new Error('an Exchange is translated by the operator it feeds');
      case 'GroupAggregate': {
        const ex = n.input as PlanNode & { op: 'Exchange' };
        const keys = ex.keys;
        const s = build(ex.input)
          .keyBy((r: RowData) => (keys.length === 0 ? 0 : keyOf(r.row, keys)))
          .process(new GroupAggFunction(n.keys, n.aggs, n.generateUpdateBefore, options.stateTtlMs))
          .name(describeNode(n))
          .uid(uid('group-aggregate'));
        if (keys.length === 0) s.setParallelism(1);
        return s;
      }
      case 'WindowAggregate': {
        const ex = n.input as PlanNode & { op: 'Exchange' };
        const keys = ex.keys;
        const s = build(ex.input)
          .keyBy((r: RowData) => (keys.length === 0 ? 0 : keyOf(r.row, keys)))
          .process(
            n.window.kind === 'SESSION'
              ? new SessionWindowAggFunction(n.keys, n.aggs, n.rowtimeIndex, n.window.size)
              : new WindowAggFunction(n.keys, n.aggs, n.rowtimeIndex, n.window),
          )
          .name(describeNode(n))
          .uid(uid('window-aggregate'));
        if (keys.length === 0) s.setParallelism(1);
        return s;
      }
      case 'WindowTableFunction': {
        const w = n.window;
        const at = n.rowtimeIndex;
        return build(n.input)
          .flatMap((r: RowData, out: Collector<RowData>) => {
            const ts = r.row[at];
            if (typeof ts !== 'number') return;
            for (const [start, end] of assignWindows(ts, w))
              out.collect({ kind: r.kind, row: [...r.row, start, end, end - 1] });
          })
          .name(describeNode(n))
          .uid(uid('window-table-function'));
      }
      case 'Rank': {
        const ex = n.input as PlanNode & { op: 'Exchange' };
        const keys = ex.keys;
        const s = build(ex.input)
          .keyBy((r: RowData) => (keys.length === 0 ? 0 : keyOf(r.row, keys)))
          .process(new AppendOnlyTopNFunction(n.orderBy, n.rankEnd, n.outputRankNumber, options.stateTtlMs))
          .name(describeNode(n))
          .uid(uid('rank'));
        if (keys.length === 0) s.setParallelism(1);
        return s;
      }
      case 'Deduplicate': {
        const ex = n.input as PlanNode & { op: 'Exchange' };
        const keys = ex.keys;
        const s = build(ex.input)
          .keyBy((r: RowData) => (keys.length === 0 ? 0 : keyOf(r.row, keys)))
          .process(
            n.keepLastRow
              ? new RowTimeDeduplicateFunction(
                  n.rowtimeIndex,
                  true,
                  n.generateUpdateBefore,
                  options.stateTtlMs,
                )
              : new RowTimeDeduplicateKeepFirstRowFunction(n.rowtimeIndex, options.stateTtlMs),
          )
          .name(describeNode(n))
          .uid(uid('deduplicate'));
        if (keys.length === 0) s.setParallelism(1);
        return s;
      }
      case 'Join': {
        const l = n.left as PlanNode & { op: 'Exchange' };
        const r = n.right as PlanNode & { op: 'Exchange' };
        const s = build(l.input)
          .connect(build(r.input))
          .keyBy(
            (row: RowData) => keyOf(row.row, l.keys),
            (row: RowData) => keyOf(row.row, r.keys),
          )
          .process(
            new StreamingJoinOperator(
              n.joinType,
              r.fields.length,
              n.condition ? n.condition.eval : null,
              options.stateTtlMs,
            ),
          )
          .name(describeNode(n))
          .uid(uid('join'));
        return s;
      }
      case 'IntervalJoin': {
        const l = n.left as PlanNode & { op: 'Exchange' };
        const r = n.right as PlanNode & { op: 'Exchange' };
        return build(l.input)
          .connect(build(r.input))
          .keyBy(
            (row: RowData) => keyOf(row.row, l.keys),
            (row: RowData) => keyOf(row.row, r.keys),
          )
          .process(
            new RowTimeIntervalJoin(
              {
                joinType: n.joinType,
                ...n.bounds,
                leftArity: l.fields.length,
                rightArity: r.fields.length,
              },
              n.condition ? n.condition.eval : null,
            ),
          )
          .name(describeNode(n))
          .uid(uid('interval-join'));
      }
      case 'Sink':
        throw new Error('a Sink is the root');
    }
  };

  const input = build(root.input);
  input.addSink(new TwoPhaseCommitSink<RowData>()).name(describeNode(root)).uid(SQL_SINK_UID);
}
