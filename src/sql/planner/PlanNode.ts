/**
 * The physical plan, one node per Flink SQL operator, named and printed as Flink's EXPLAIN prints its
 * "Optimized Execution Plan": `TableSourceScan`, `Calc`, `Exchange(distribution=[hash[…]])`,
 * `GroupAggregate`, `Rank`, `Join`, `Sink`. Translation (./translate.ts) turns it into an engine job.
 */
import type { SqlValue } from '../ast';
import type { TableDefinition } from '../catalog/BuiltinTables';
import type { AggCall } from '../runtime/AggsHandler';
import type { SortKey } from '../runtime/AppendOnlyTopNFunction';
import type { WindowSpec } from '../runtime/WindowAggFunction';
import type { Field, Row } from './expressions';
import { uniqueNames, type IntervalBounds } from './Planner';

interface Base {
  fields: Field[];
  /** Insert-only output (a scan, a Calc of one, an inner join of two) or an updating changelog. */
  insertOnly: boolean;
}

export type PlanNode = Base &
  (
    | { op: 'TableSourceScan'; table: TableDefinition }
    | {
        op: 'Calc';
        input: PlanNode;
        projections: Array<{ eval: (row: Row) => SqlValue; digest: string }>;
        condition: { eval: (row: Row) => SqlValue; digest: string } | null;
      }
    | { op: 'Exchange'; input: PlanNode; keys: number[] }
    | {
        op: 'GroupAggregate';
        input: PlanNode;
        keys: number[];
        aggs: AggCall[];
        generateUpdateBefore: boolean;
      }
    | {
        op: 'WindowAggregate';
        input: PlanNode;
        keys: number[];
        aggs: AggCall[];
        window: WindowSpec;
        timeCol: string;
        /** The rowtime column in the input row. */
        rowtimeIndex: number;
      }
    | {
        /** A window TVF without aggregation: each row with the window(s) it belongs to. */
        op: 'WindowTableFunction';
        input: PlanNode;
        window: WindowSpec;
        timeCol: string;
        rowtimeIndex: number;
      }
    | {
        op: 'Rank';
        input: PlanNode;
        partitionKeys: number[];
        orderBy: SortKey[];
        rankEnd: number;
        outputRankNumber: boolean;
      }
    | {
        /** ROW_NUMBER() OVER (PARTITION BY k ORDER BY rowtime ASC|DESC) = 1: one row per key. */
        op: 'Deduplicate';
        input: PlanNode;
        keys: number[];
        keepLastRow: boolean;
        rowtimeIndex: number;
        generateUpdateBefore: boolean;
      }
    | {
        op: 'Join';
        left: PlanNode;
        right: PlanNode;
        joinType: 'INNER' | 'LEFT';
        leftKeys: number[];
        rightKeys: number[];
        condition: { eval: (row: Row) => SqlValue; digest: string } | null;
        conditionDigest: string;
      }
    | {
        /** A join with time bounds between the inputs' rowtimes (Flink's StreamPhysicalIntervalJoin). */
        op: 'IntervalJoin';
        left: PlanNode;
        right: PlanNode;
        joinType: 'INNER' | 'LEFT';
        leftKeys: number[];
        rightKeys: number[];
        bounds: IntervalBounds;
        condition: { eval: (row: Row) => SqlValue; digest: string } | null;
        conditionDigest: string;
      }
    | {
        op: 'Sink';
        input: PlanNode;
        table: string;
        /** Upsert sink: the primary key's columns; null: a retract sink showing every change. */
        primaryKey: number[] | null;
      }
  );

/** The attributes Flink's EXPLAIN prints for the node: `GroupAggregate(groupBy=[word], select=[…])`. */
export function describeNode(n: PlanNode): string {
  const names = (idx: readonly number[], fields: readonly Field[]) =>
    idx.map((i) => fields[i].name).join(', ');
  const all = (fields: readonly Field[]) => fields.map((f) => f.name).join(', ');
  switch (n.op) {
    case 'TableSourceScan':
      return `TableSourceScan(table=[[default_catalog, default_database, ${n.table.name}]], fields=[${all(n.fields)}])`;
    case 'Calc': {
      const select = n.projections
        .map((p, i) => (p.digest === n.fields[i].name ? p.digest : `${p.digest} AS ${n.fields[i].name}`))
        .join(', ');
      return `Calc(select=[${select}]${n.condition ? `, where=[${n.condition.digest}]` : ''})`;
    }
    case 'Exchange':
      return `Exchange(distribution=[${n.keys.length === 0 ? 'single' : `hash[${names(n.keys, n.input.fields)}]`}])`;
    case 'GroupAggregate': {
      const input = n.input.fields;
      const select = [
        ...n.keys.map((k) => input[k].name),
        ...n.aggs.map((a, i) => `${a.digest} AS ${n.fields[n.keys.length + i].name}`),
      ].join(', ');
      return `GroupAggregate(${n.keys.length ? `groupBy=[${names(n.keys, input)}], ` : ''}select=[${select}])`;
    }
    case 'WindowAggregate': {
      const input = n.input.fields;
      const select = [
        ...n.keys.map((k) => input[k].name),
        ...n.aggs.map((a, i) => `${a.digest} AS ${n.fields[n.keys.length + i].name}`),
        "start('w$) AS window_start",
        "end('w$) AS window_end",
        "rowtime('w$) AS window_time",
      ].join(', ');
      return `WindowAggregate(${n.keys.length ? `groupBy=[${names(n.keys, input)}], ` : ''}window=[${describeWindow(n.window, n.timeCol)}], select=[${select}])`;
    }
    case 'WindowTableFunction':
      return `WindowTableFunction(window=[${describeWindow(n.window, n.timeCol)}])`;
    case 'Rank': {
      const input = n.input.fields;
      const order = n.orderBy.map((o) => `${input[o.index].name} ${o.desc ? 'DESC' : 'ASC'}`).join(', ');
      return (
        `Rank(strategy=[AppendFastStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=${n.rankEnd}], ` +
        `partitionBy=[${names(n.partitionKeys, input)}], orderBy=[${order}], select=[${all(n.fields)}])`
      );
    }
    case 'Deduplicate':
      // StreamPhysicalDeduplicate.explainTerms
      return `Deduplicate(keep=[${n.keepLastRow ? 'LastRow' : 'FirstRow'}], key=[${names(n.keys, n.fields)}], order=[ROWTIME])`;
    case 'Join':
      return (
        `Join(joinType=[${n.joinType === 'INNER' ? 'InnerJoin' : 'LeftOuterJoin'}], where=[${n.conditionDigest}], ` +
        `select=[${uniqueNames(n.fields)
          .map((f) => f.name)
          .join(', ')}], leftInputSpec=[NoUniqueKey], rightInputSpec=[NoUniqueKey])`
      );
    case 'IntervalJoin': {
      const b = n.bounds;
      return (
        `IntervalJoin(joinType=[${n.joinType === 'INNER' ? 'InnerJoin' : 'LeftOuterJoin'}], windowBounds=[isRowTime=true, ` +
        `leftLowerBound=${b.leftLowerBound}, leftUpperBound=${b.leftUpperBound}, leftTimeIndex=${b.leftTimeIndex}, ` +
        `rightTimeIndex=${b.rightTimeIndex}], where=[${n.conditionDigest}], select=[${uniqueNames(n.fields)
          .map((f) => f.name)
          .join(', ')}])`
      );
    }
    case 'Sink':
      return `Sink(table=[default_catalog.default_database.${n.table}], fields=[${all(n.fields)}])`;
  }
}

/** A duration as Flink prints it in a plan: 15 s, 10 min, 1 h, 200 ms. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

function describeWindow(w: WindowSpec, timeCol: string): string {
  const size = formatDuration(w.size);
  const step = formatDuration(w.step);
  switch (w.kind) {
    case 'TUMBLE':
      return `TUMBLE(time_col=[${timeCol}], size=[${size}])`;
    case 'HOP':
      return `HOP(time_col=[${timeCol}], size=[${size}], slide=[${step}])`;
    case 'CUMULATE':
      return `CUMULATE(time_col=[${timeCol}], max_size=[${size}], step=[${step}])`;
    case 'SESSION':
      // SessionWindowSpec.toSummaryString (partition keys as Arrays.toString prints them)
      return w.partitionKeys && w.partitionKeys.length > 0
        ? `SESSION(time_col=[${timeCol}], gap=[${size}], partition keys=[${w.partitionKeys.join(', ')}])`
        : `SESSION(time_col=[${timeCol}], gap=[${size}])`;
  }
}

export function inputsOf(n: PlanNode): PlanNode[] {
  switch (n.op) {
    case 'TableSourceScan':
      return [];
    case 'Join':
    case 'IntervalJoin':
      return [n.left, n.right];
    default:
      return [n.input];
  }
}

/** Flink's EXPLAIN tree: the sink first, inputs below with `+-` (and `:-` for a join's left input). */
export function explainTree(root: PlanNode): string {
  const lines: string[] = [];
  const walk = (n: PlanNode, prefix: string, connector: string) => {
    lines.push(`${prefix}${connector}${describeNode(n)}`);
    const inputs = inputsOf(n);
    const childPrefix = prefix + (connector === '' ? '' : connector === ':- ' ? ':  ' : '   ');
    inputs.forEach((c, i) => walk(c, childPrefix, i === inputs.length - 1 ? '+- ' : ':- '));
  };
  walk(root, '', '');
  return lines.join('\n');
}
