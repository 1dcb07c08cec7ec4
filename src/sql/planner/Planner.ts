/**
 * From a SELECT to a physical plan with Flink's operators, the way Flink's planner shapes it for these
 * queries: a scan, a Calc for projections and filters, an Exchange hashing by the grouping / partition /
 * join key before every keyed operator, GroupAggregate for GROUP BY, Rank for ROW_NUMBER Top-N, Join
 * for a regular join. What the lab does not plan is an `unsupported` error at its position.
 */
import type { Expr, FromItem, Pos, Select, SqlType } from '../ast';
import type { TableDefinition } from '../catalog/BuiltinTables';
import { invalid, unsupported } from '../SqlError';
import { typeToString } from '../types';
import type { AggCall, AggKind } from '../runtime/AggsHandler';
import type { WindowSpec } from '../runtime/WindowAggFunction';
import { AGGREGATES, compileExpr, resolveColumn, type Compiled, type Field } from './expressions';
import type { PlanNode } from './PlanNode';

export interface PlannerCatalog {
  table(name: string, pos: Pos): TableDefinition;
}

const WINDOW_COLUMNS = ['window_start', 'window_end', 'window_time'];

interface WindowOf {
  table: TableDefinition;
  timeCol: string;
  spec: WindowSpec;
  pos: Pos;
}

/** Flink's name for an unnamed select item: EXPR$<position>. */
function outputName(item: { expr: Expr; alias: string | null }, i: number): string {
  if (item.alias) return item.alias;
  if (item.expr.kind === 'column') return item.expr.name;
  return `EXPR$${i}`;
}

function conjuncts(e: Expr | null): Expr[] {
  if (!e) return [];
  if (e.kind === 'call' && e.op === 'AND') return [...conjuncts(e.args[0]), ...conjuncts(e.args[1])];
  return [e];
}

function and(es: Expr[]): Expr | null {
  if (es.length === 0) return null;
  return es.reduce((a, b) => ({
    kind: 'call',
    op: 'AND',
    args: [a, b],
    distinct: false,
    star: false,
    pos: a.pos,
  }));
}

/** Does the expression contain an aggregate call? */
function hasAggregate(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return AGGREGATES.has(e.op) || e.args.some(hasAggregate);
    case 'case':
      return [e.operand, ...e.whens.flat(), e.otherwise].some((x) => x !== null && hasAggregate(x));
    case 'cast':
      return hasAggregate(e.expr);
    default:
      return false;
  }
}

/** A structural key for an expression (the same text twice is the same expression). */
function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v: unknown) =>
    k === 'pos' ? undefined : typeof v === 'string' && k === 'name' ? v.toLowerCase() : v,
  );
}

export class Planner {
  constructor(
    private readonly catalog: PlannerCatalog,
    private readonly stateTtlMs: number,
  ) {}

  plan(select: Select): PlanNode {
    return this.select(select);
  }

  private scan(table: TableDefinition, qualifier: string): PlanNode {
    return {
      op: 'TableSourceScan',
      table,
      fields: table.columns.map((c) => ({ name: c.name, type: c.type, qualifier })),
      insertOnly: true,
    };
  }

  private from(item: FromItem): PlanNode {
    switch (item.kind) {
      case 'table':
        return this.scan(this.catalog.table(item.name, item.pos), item.alias ?? item.name);
      case 'subquery': {
        const node = this.select(item.query);
        return { ...node, fields: node.fields.map((f) => ({ ...f, qualifier: item.alias })) };
      }
      case 'join':
        return this.join(item, []).node;
      case 'tvf':
        return this.windowTableFunction(this.windowOf(item), item.alias ?? item.table);
    }
  }

  private calc(
    input: PlanNode,
    items: Array<{ expr: Expr; alias: string | null }>,
    where: Expr | null,
  ): PlanNode {
    const projections = items.map((it) => compileExpr(it.expr, input.fields));
    const condition = where ? this.condition(where, input.fields) : null;
    const fields: Field[] = projections.map((p, i) => ({
      name: outputName(items[i], i),
      type: p.type,
      qualifier: null,
    }));
    dedupeNames(fields);
    const identity =
      condition === null &&
      new Set(input.fields.map((f) => f.name.toLowerCase())).size === input.fields.length &&
      projections.length === input.fields.length &&
      items.every(
        (it, i) =>
          it.expr.kind === 'column' &&
          projections[i].digest === input.fields[i].name &&
          fields[i].name === input.fields[i].name,
      );
    if (identity) return input;
    return { op: 'Calc', input, projections, condition, fields, insertOnly: input.insertOnly };
  }

  private condition(e: Expr, fields: readonly Field[]): Compiled {
    const c = compileExpr(e, fields);
    if (c.type.name !== 'BOOLEAN' && c.type.name !== 'NULL')
      throw invalid(`A condition must be BOOLEAN, got ${typeToString(c.type)} (${c.digest})`, e.pos);
    return c;
  }

  private select(q: Select): PlanNode {
    if (q.distinct) {
      // Flink plans SELECT DISTINCT as a GroupAggregate over all selected columns, without aggregates.
      if (q.items === null || q.starWithItems || q.groupBy.length > 0 || q.having)
        throw unsupported('SELECT DISTINCT with * or GROUP BY (list the columns)', q.pos);
      if (q.items.some((it) => hasAggregate(it.expr)))
        throw unsupported('SELECT DISTINCT with aggregates', q.pos);
      return this.select({ ...q, distinct: false, groupBy: q.items.map((it) => it.expr) });
    }
    if (!q.from) throw unsupported('SELECT without FROM', q.pos);
    let where = q.where;
    let input: PlanNode;
    const rank = this.rankSubquery(q);
    if (rank) {
      input = rank.node;
      where = and(rank.rest);
    } else if (q.from.kind === 'tvf') {
      const tvf = q.from;
      const win = this.windowOf(tvf);
      const aggregating = q.groupBy.length > 0 || (q.items ?? []).some((it) => hasAggregate(it.expr));
      if (aggregating) {
        if (q.having)
          throw unsupported('HAVING on a window aggregation (filter in an outer query)', q.having.pos);
        const scan = this.scan(win.table, tvf.alias ?? tvf.table);
        if (q.items === null || q.starWithItems) throw invalid('SELECT * with GROUP BY', q.pos);
        if (win.spec.kind === 'SESSION') {
          // unknown columns first, at their position
          for (const g of q.groupBy)
            if (!(g.kind === 'column' && WINDOW_COLUMNS.includes(g.name.toLowerCase())))
              compileExpr(g, scan.fields);
          sessionKeysCheck(win, q.groupBy, tvf.pos);
        }
        return this.aggregate(scan, q.items, where, q, win);
      }
      if (win.spec.kind === 'SESSION')
        throw unsupported(
          'the SESSION window TVF without aggregation (GROUP BY window_start, window_end and its keys)',
          tvf.pos,
        );
      input = this.windowTableFunction(win, tvf.alias ?? tvf.table);
    } else if (q.from.kind === 'join') {
      // Flink's FilterJoinRule: WHERE conditions on one input only are applied before the join.
      const pushed = this.join(q.from, conjuncts(where));
      input = pushed.node;
      where = and(pushed.rest);
    } else input = this.from(q.from);
    if (where && hasAggregate(where))
      throw invalid('Aggregate functions are not allowed in WHERE (use HAVING)', where.pos);
    const star = input.fields.map((f) => ({
      expr: { kind: 'column', qualifier: f.qualifier, name: f.name, pos: q.pos } as Expr,
      alias: null,
    }));
    const items = q.items === null ? star : q.starWithItems ? [...star, ...q.items] : q.items;
    for (const it of items)
      if (it.expr.kind === 'over')
        throw unsupported(
          `${it.expr.fn}() OVER outside a Top-N subquery (SELECT … FROM (SELECT …, ROW_NUMBER() OVER (…) AS rn FROM t) WHERE rn <= N)`,
          it.expr.pos,
        );
    const aggregating =
      q.groupBy.length > 0 || items.some((it) => hasAggregate(it.expr)) || q.having !== null;
    if (!aggregating) return this.calc(input, items, where);
    return this.aggregate(input, items, where, q);
  }

  private aggregate(
    input: PlanNode,
    items: Array<{ expr: Expr; alias: string | null }>,
    where: Expr | null,
    q: Select,
    win: WindowOf | null = null,
  ): PlanNode {
    // A window aggregation groups by window_start and window_end (and maybe window_time): those are
    // the window's columns of the output, not keys.
    const isWindowCol = (g: Expr) =>
      win !== null && g.kind === 'column' && WINDOW_COLUMNS.includes(g.name.toLowerCase());
    if (win) {
      const named = q.groupBy.filter(isWindowCol).map((g) => (g as { name: string }).name.toLowerCase());
      if (!named.includes('window_start') || !named.includes('window_end'))
        throw invalid('GROUP BY of a window TVF must contain window_start and window_end', q.pos);
    }
    const keyExprs = q.groupBy.filter((g) => !isWindowCol(g));
    // 1. The aggregate calls of the select list and HAVING, each once.
    const calls: Array<{ expr: Expr & { kind: 'call' }; key: string }> = [];
    const collect = (e: Expr) => {
      if (e.kind === 'call' && AGGREGATES.has(e.op)) {
        const key = exprKey(e);
        if (!calls.some((c) => c.key === key)) calls.push({ expr: e, key });
        for (const a of e.args) if (hasAggregate(a)) throw invalid('Aggregates cannot be nested', a.pos);
        return;
      }
      if (e.kind === 'call') e.args.forEach(collect);
      else if (e.kind === 'case') [e.operand, ...e.whens.flat(), e.otherwise].forEach((x) => x && collect(x));
      else if (e.kind === 'cast') collect(e.expr);
    };
    items.forEach((it) => collect(it.expr));
    if (q.having) collect(q.having);

    // 2. A Calc before the Exchange: the grouping keys, then each aggregate's argument.
    const preItems: Array<{ expr: Expr; alias: string | null }> = keyExprs.map((g) => ({
      expr: g,
      alias: g.kind === 'column' ? g.name : null,
    }));
    const argIndex: Array<number | null> = [];
    for (const c of calls) {
      if (c.expr.star || c.expr.args.length === 0) {
        if (c.expr.op !== 'COUNT') throw invalid(`${c.expr.op}(*) is not valid`, c.expr.pos);
        argIndex.push(null);
        continue;
      }
      if (c.expr.args.length !== 1)
        throw unsupported(`${c.expr.op} with ${c.expr.args.length} arguments`, c.expr.pos);
      const arg = c.expr.args[0];
      const k = exprKey(arg);
      let at = preItems.findIndex((p) => exprKey(p.expr) === k);
      if (at < 0) {
        preItems.push({ expr: arg, alias: arg.kind === 'column' ? arg.name : `$f${preItems.length}` });
        at = preItems.length - 1;
      }
      argIndex.push(at);
    }
    if (!input.insertOnly && calls.some((c) => c.expr.op === 'MIN' || c.expr.op === 'MAX'))
      throw unsupported('MIN/MAX over an updating input (they need to retract an extreme)', q.pos);
    let rowtimeIndex = -1;
    if (win) {
      const t: Expr = { kind: 'column', qualifier: null, name: win.timeCol, pos: win.pos };
      rowtimeIndex = preItems.findIndex((p) => exprKey(p.expr) === exprKey(t));
      if (rowtimeIndex < 0) {
        preItems.push({ expr: t, alias: win.timeCol });
        rowtimeIndex = preItems.length - 1;
      }
    }
    const pre = this.calc(input, preItems, where);
    const keys = keyExprs.map((_, i) => i);

    // 3. Exchange + GroupAggregate; its output: the keys, then one column per aggregate.
    const aggs: AggCall[] = calls.map((c, i) => {
      const fn = c.expr.op as AggKind;
      const arg = argIndex[i];
      const argType: SqlType | null = arg === null ? null : pre.fields[arg].type;
      if (
        argType &&
        (fn === 'SUM' || fn === 'AVG') &&
        !['INT', 'BIGINT', 'DOUBLE', 'DECIMAL'].includes(argType.name)
      )
        throw invalid(
          `Cannot apply '${fn}' to arguments of type '${fn}(<${typeToString(argType)}>)'`,
          c.expr.pos,
        );
      const type: SqlType =
        fn === 'COUNT'
          ? { name: 'BIGINT' }
          : { name: argType!.name === 'DECIMAL' ? 'DOUBLE' : argType!.name, precision: argType!.precision };
      const argDigest = arg === null ? '*' : pre.fields[arg].name;
      return {
        fn,
        arg,
        distinct: c.expr.distinct,
        type,
        digest: `${fn}(${c.expr.distinct ? 'DISTINCT ' : ''}${argDigest})`,
      };
    });
    const exchange: PlanNode = {
      op: 'Exchange',
      input: pre,
      keys,
      fields: pre.fields,
      insertOnly: pre.insertOnly,
    };
    // An aggregate's column is named after the select item that is exactly it (cnt, EXPR$1), else $f<i>.
    const aggName = (a: number): string => {
      const i = items.findIndex((it) => exprKey(it.expr) === calls[a].key);
      return i >= 0 ? outputName(items[i], i) : `$f${keys.length + a}`;
    };
    const ts3: SqlType = { name: 'TIMESTAMP', precision: 3 };
    const aggFields: Field[] = [
      ...keys.map((k) => ({ ...pre.fields[k], qualifier: null })),
      ...aggs.map((a, i) => ({ name: aggName(i), type: a.type, qualifier: null })),
      ...(win
        ? [
            { name: 'window_start', type: ts3, qualifier: null },
            { name: 'window_end', type: ts3, qualifier: null },
            { name: 'window_time', type: { ...ts3, rowtime: true }, qualifier: null },
          ]
        : []),
    ];
    const agg: PlanNode = win
      ? {
          op: 'WindowAggregate',
          input: exchange,
          keys,
          aggs,
          window: win.spec,
          timeCol: win.timeCol,
          rowtimeIndex,
          fields: aggFields,
          insertOnly: true,
        }
      : {
          op: 'GroupAggregate',
          input: exchange,
          keys,
          aggs,
          generateUpdateBefore: true,
          fields: aggFields,
          insertOnly: false,
        };

    // 4. The select list and HAVING over the aggregate's output: grouped expressions and aggregates
    // become references to its columns; any other column is an error, as in Flink.
    const windowBase = keys.length + aggs.length;
    const groupKeys = q.groupBy.map(exprKey);
    const groupTarget = q.groupBy.map((g) =>
      isWindowCol(g)
        ? windowBase + WINDOW_COLUMNS.indexOf((g as { name: string }).name.toLowerCase())
        : keyExprs.indexOf(g),
    );
    const ref = (at: number, pos: Pos): Expr => ({
      kind: 'column',
      qualifier: null,
      name: aggFields[at].name,
      pos,
    });
    const rewrite = (e: Expr): Expr => {
      const k = exprKey(e);
      const g = groupKeys.indexOf(k);
      if (g >= 0) return ref(groupTarget[g], e.pos);
      const a = calls.findIndex((c) => c.key === k);
      if (a >= 0) return ref(keys.length + a, e.pos);
      switch (e.kind) {
        case 'column': {
          // `SELECT v.word … GROUP BY word`: the same column, qualified or not.
          const idx = q.groupBy.findIndex(
            (gk) => gk.kind === 'column' && gk.name.toLowerCase() === e.name.toLowerCase(),
          );
          if (idx >= 0) return ref(groupTarget[idx], e.pos);
          throw invalid(
            `Expression '${e.qualifier ? `${e.qualifier}.` : ''}${e.name}' is not being grouped`,
            e.pos,
          );
        }
        case 'call':
          return { ...e, args: e.args.map(rewrite) };
        case 'case':
          return {
            ...e,
            operand: e.operand ? rewrite(e.operand) : null,
            whens: e.whens.map(([w, t]) => [rewrite(w), rewrite(t)] as [Expr, Expr]),
            otherwise: e.otherwise ? rewrite(e.otherwise) : null,
          };
        case 'cast':
          return { ...e, expr: rewrite(e.expr) };
        default:
          return e;
      }
    };
    const postItems = items.map((it, i) => ({ expr: rewrite(it.expr), alias: outputName(it, i) }));
    return this.calc(agg, postItems, q.having ? rewrite(q.having) : null);
  }

  /**
   * `SELECT … FROM (SELECT …, ROW_NUMBER() OVER (PARTITION BY p ORDER BY o) AS rn FROM t) WHERE rn <= N`:
   * Flink's Top-N, a Rank operator. Returns the Rank (and its input) and the rest of the outer WHERE.
   */
  private rankSubquery(q: Select): { node: PlanNode; rest: Expr[] } | null {
    if (q.from?.kind !== 'subquery') return null;
    const inner = q.from.query;
    const overs = (inner.items ?? []).filter((it) => it.expr.kind === 'over');
    if (overs.length === 0) return null;
    if (overs.length > 1) throw unsupported('several OVER items in one query', overs[1].expr.pos);
    const over = overs[0].expr as Expr & { kind: 'over' };
    if (over.fn !== 'ROW_NUMBER')
      throw unsupported(`${over.fn}() OVER (only ROW_NUMBER, for Top-N)`, over.pos);
    if (inner.groupBy.length > 0 || inner.having)
      throw unsupported('Top-N over an aggregate in the same query', inner.pos);
    if (over.orderBy.length === 0) throw unsupported('ROW_NUMBER() without ORDER BY', over.pos);
    const rnName = overs[0].alias ?? 'EXPR$0';
    // The filter on the row number.
    let rankEnd: number | null = null;
    const rest: Expr[] = [];
    for (const c of conjuncts(q.where)) {
      const bound = rankBound(c, rnName);
      if (bound !== null && rankEnd === null) rankEnd = bound;
      else rest.push(c);
    }
    if (rankEnd === null)
      throw unsupported(
        `ROW_NUMBER() without a filter 'WHERE ${rnName} <= N' on it (Flink's Top-N)`,
        over.pos,
      );
    if (rankEnd < 1) throw invalid(`The row number filter keeps no row (${rnName} <= ${rankEnd})`, q.pos);
    const isRowtimeDedup =
      rankEnd === 1 && over.orderBy.length === 1 && over.orderBy[0].expr.kind === 'column';
    // The inner query without its OVER item: a Calc (projection, WHERE) over the FROM.
    const base = this.from(inner.from!);
    if (!base.insertOnly)
      throw unsupported('Top-N over an updating input (Flink: RetractStrategy)', over.pos);
    const innerItems = (inner.items ?? []).filter((it) => it.expr.kind !== 'over');
    const baseItems =
      inner.starWithItems || inner.items === null
        ? [
            ...base.fields.map((f) => ({
              expr: { kind: 'column', qualifier: f.qualifier, name: f.name, pos: inner.pos } as Expr,
              alias: null,
            })),
            ...innerItems,
          ]
        : innerItems;
    const calc = this.calc(base, baseItems, inner.where);
    const partitionKeys = over.partitionBy.map((p) => {
      const c = compileExpr(p, calc.fields);
      const at = calc.fields.findIndex((f) => f.name === c.digest);
      if (p.kind !== 'column' || at < 0)
        throw unsupported('PARTITION BY an expression (partition by a column)', p.pos);
      return at;
    });
    const orderBy = over.orderBy.map((o) => {
      const c = compileExpr(o.expr, calc.fields);
      const at = calc.fields.findIndex((f) => f.name === c.digest);
      if (at < 0) throw unsupported('ORDER BY an expression in OVER', o.expr.pos);
      return { index: at, desc: o.desc };
    });
    // The outer query decides whether the row number is part of the output (Flink: outputRankNumber).
    const outer = q.items ?? null;
    const outputRankNumber =
      outer === null ||
      q.starWithItems ||
      outer.some((it) => mentions(it.expr, rnName)) ||
      rest.some((r) => mentions(r, rnName));
    const exchange: PlanNode = {
      op: 'Exchange',
      input: calc,
      keys: partitionKeys,
      fields: calc.fields,
      insertOnly: true,
    };
    const alias = q.from.alias;
    // Flink's deduplication (FlinkLogicalRankRuleForDeduplication / isDeduplication): ROW_NUMBER
    // ordered by one time attribute, rn = 1 and the row number not in the output.
    if (isRowtimeDedup && !outputRankNumber && calc.fields[orderBy[0].index].type.rowtime) {
      const dedup: PlanNode = {
        op: 'Deduplicate',
        input: exchange,
        keys: partitionKeys,
        keepLastRow: orderBy[0].desc,
        rowtimeIndex: orderBy[0].index,
        generateUpdateBefore: true,
        fields: calc.fields.map((f) => ({ ...f, qualifier: alias })),
        // Keep first waits for the watermark and emits once (insert-only, Flink 2.1+: FLINK-37005);
        // keep last replaces the kept row with every later one (-U/+U).
        insertOnly: !orderBy[0].desc,
      };
      return { node: dedup, rest };
    }
    const fields: Field[] = [
      ...calc.fields.map((f) => ({ ...f, qualifier: null })),
      ...(outputRankNumber ? [{ name: rnName, type: { name: 'BIGINT' } as SqlType, qualifier: null }] : []),
    ];
    const node: PlanNode = {
      op: 'Rank',
      input: exchange,
      partitionKeys,
      orderBy,
      rankEnd,
      outputRankNumber,
      fields,
      insertOnly: false,
    };
    return { node: { ...node, fields: fields.map((f) => ({ ...f, qualifier: alias })) } as PlanNode, rest };
  }

  /** TUMBLE / HOP / CUMULATE(TABLE t, DESCRIPTOR(rowtime), …): the table and its window. */
  private windowOf(tvf: FromItem & { kind: 'tvf' }): WindowOf {
    const table = this.catalog.table(tvf.table, tvf.pos);
    const col = table.columns.find((c) => c.name.toLowerCase() === tvf.timeCol.toLowerCase());
    if (!col) throw invalid(`Column '${tvf.timeCol}' not found in table '${tvf.table}'`, tvf.pos);
    if (!col.type.rowtime)
      throw invalid(
        `The window function requires the timecol is a time attribute type, but is ${typeToString(col.type)}`,
        tvf.pos,
      );
    const [a, b] = tvf.intervals;
    for (const k of tvf.partitionBy)
      if (!table.columns.some((c) => c.name.toLowerCase() === k.toLowerCase()))
        throw invalid(`Column '${k}' not found in table '${tvf.table}'`, tvf.pos);
    const spec: WindowSpec =
      tvf.fn === 'TUMBLE'
        ? { kind: 'TUMBLE', size: a, step: a }
        : tvf.fn === 'SESSION'
          ? { kind: 'SESSION', size: a, step: a, partitionKeys: tvf.partitionBy }
          : { kind: tvf.fn, step: a, size: b };
    if (!(spec.size > 0) || !(spec.step > 0)) throw invalid('Window sizes must be positive', tvf.pos);
    if (spec.size % spec.step !== 0)
      throw invalid(
        `${tvf.fn}: the size must be an integral multiple of the ${tvf.fn === 'HOP' ? 'slide' : 'step'}`,
        tvf.pos,
      );
    return { table, timeCol: col.name, spec, pos: tvf.pos };
  }

  private windowTableFunction(win: WindowOf, qualifier: string): PlanNode {
    const scan = this.scan(win.table, qualifier);
    const ts3: SqlType = { name: 'TIMESTAMP', precision: 3 };
    return {
      op: 'WindowTableFunction',
      input: scan,
      window: win.spec,
      timeCol: win.timeCol,
      rowtimeIndex: scan.fields.findIndex((f) => f.name === win.timeCol),
      fields: [
        ...scan.fields.map((f) => (f.type.rowtime ? { ...f, type: { ...f.type, rowtime: false } } : f)),
        { name: 'window_start', type: ts3, qualifier },
        { name: 'window_end', type: ts3, qualifier },
        { name: 'window_time', type: { ...ts3, rowtime: true }, qualifier },
      ],
      insertOnly: true,
    };
  }

  /** A WHERE filter on one input, as a Calc below the join. */
  private filter(input: PlanNode, conds: Expr[]): PlanNode {
    if (conds.length === 0) return input;
    const items = input.fields.map((f) => ({
      expr: { kind: 'column', qualifier: f.qualifier, name: f.name, pos: conds[0].pos } as Expr,
      alias: null,
    }));
    const node = this.calc(input, items, and(conds));
    return { ...node, fields: input.fields } as PlanNode;
  }

  private join(item: FromItem & { kind: 'join' }, where: Expr[]): { node: PlanNode; rest: Expr[] } {
    let left = this.from(item.left);
    let right = this.from(item.right);
    const both = [...left.fields, ...right.fields];
    const onlyOn = (fields: readonly Field[], e: Expr) => {
      try {
        compileExpr(e, both); // valid (and not ambiguous) in the join's scope
        compileExpr(e, fields);
        return !hasAggregate(e);
      } catch {
        return false;
      }
    };
    const toLeft = where.filter((c) => onlyOn(left.fields, c));
    // Below a LEFT JOIN only the left input may be filtered: a right-side WHERE sees the NULLs.
    const toRight =
      item.joinType === 'INNER' ? where.filter((c) => !toLeft.includes(c) && onlyOn(right.fields, c)) : [];
    const rest = where.filter((c) => !toLeft.includes(c) && !toRight.includes(c));
    left = this.filter(left, toLeft);
    right = this.filter(right, toRight);
    // Flink moves the rest of an inner join's WHERE into its condition: time bounds there make it an
    // interval join, and then the WHERE's conditions over both inputs go into the join.
    let moved: Expr[] = [];
    if (
      item.joinType === 'INNER' &&
      !intervalBounds(conjuncts(item.on), left.fields, right.fields) &&
      intervalBounds([...conjuncts(item.on), ...rest], left.fields, right.fields)
    ) {
      moved = rest.filter((c) => !hasAggregate(c));
      return { node: this.joinOf(item, left, right, moved), rest: rest.filter((c) => !moved.includes(c)) };
    }
    return { node: this.joinOf(item, left, right, moved), rest };
  }

  private joinOf(
    item: FromItem & { kind: 'join' },
    left: PlanNode,
    right: PlanNode,
    moved: readonly Expr[] = [],
  ): PlanNode {
    if (left.op === 'WindowTableFunction' || right.op === 'WindowTableFunction')
      throw unsupported('window joins (a join of window TVFs)', item.pos);
    if (!left.insertOnly || !right.insertOnly)
      throw unsupported(
        'a join of an updating input (a join after GROUP BY, Top-N or a LEFT JOIN)',
        item.pos,
      );
    const unique = uniqueNames([...left.fields, ...right.fields]);
    const fields: Field[] = [...left.fields, ...right.fields].map((f, i) =>
      unique[i].name === f.name ? f : { ...f, display: unique[i].name },
    );
    const leftKeys: number[] = [];
    const rightKeys: number[] = [];
    const rest: Expr[] = [];
    const side = (e: Expr): { side: 0 | 1; index: number } | null => {
      if (e.kind !== 'column') return null;
      try {
        return { side: 0, index: resolveIn(left.fields, e) };
      } catch {
        try {
          return { side: 1, index: resolveIn(right.fields, e) };
        } catch {
          return null;
        }
      }
    };
    for (const c of [...conjuncts(item.on), ...moved]) {
      if (c.kind === 'call' && c.op === '=') {
        const a = side(c.args[0]);
        const b = side(c.args[1]);
        if (a && b && a.side !== b.side) {
          const [l, r] = a.side === 0 ? [a, b] : [b, a];
          leftKeys.push(l.index);
          rightKeys.push(r.index);
          continue;
        }
      }
      rest.push(c);
    }
    if (leftKeys.length === 0)
      throw unsupported(
        'a join without an equality between the two sides (Flink would need a nested-loop join)',
        item.on.pos,
      );
    const joined = uniqueNames(fields);
    const interval = intervalBounds(rest, left.fields, right.fields);
    const condition = rest.length > 0 ? this.condition(and(rest)!, fields) : null;
    const keyDigest = leftKeys.map(
      (l, i) => `=(${joined[l].name}, ${joined[left.fields.length + rightKeys[i]].name})`,
    );
    const digest = [...keyDigest, ...(condition ? [condition.digest] : [])];
    const tag = (n: PlanNode, keys: number[]): PlanNode => ({
      op: 'Exchange',
      input: n,
      keys,
      fields: n.fields,
      insertOnly: n.insertOnly,
    });
    if (interval)
      return {
        op: 'IntervalJoin',
        left: tag(left, leftKeys),
        right: tag(right, rightKeys),
        joinType: item.joinType,
        leftKeys,
        rightKeys,
        bounds: interval,
        condition,
        conditionDigest: digest.length > 1 ? `AND(${digest.join(', ')})` : digest[0],
        fields,
        // Insert-only also as a LEFT JOIN: a left row without partner is emitted padded once, when it
        // leaves the state, never retracted.
        insertOnly: true,
      };
    return {
      op: 'Join',
      left: tag(left, leftKeys),
      right: tag(right, rightKeys),
      joinType: item.joinType,
      leftKeys,
      rightKeys,
      condition,
      conditionDigest: digest.length > 1 ? `AND(${digest.join(', ')})` : digest[0],
      // Original names with their qualifiers (v.ts, l.ts): EXPLAIN prints them made unique (ts, ts0).
      fields,
      insertOnly: item.joinType === 'INNER',
    };
  }

  get ttl(): number {
    return this.stateTtlMs;
  }
}

function resolveIn(fields: readonly Field[], e: Expr & { kind: 'column' }): number {
  return compileIndex(fields, e);
}

function compileIndex(fields: readonly Field[], e: Expr & { kind: 'column' }): number {
  const c = compileExpr(e, fields);
  const i = fields.findIndex(
    (f, idx) =>
      f.name === c.digest &&
      (e.qualifier === null || (f.qualifier ?? '').toLowerCase() === e.qualifier.toLowerCase()) &&
      idx >= 0,
  );
  if (i < 0) throw invalid(`Column '${e.name}' not found`, e.pos);
  return i;
}

/** Time bounds between the two inputs' rowtime attributes: `l.ts BETWEEN r.ts + lower AND r.ts + upper`. */
export interface IntervalBounds {
  leftLowerBound: number;
  leftUpperBound: number;
  leftTimeIndex: number;
  rightTimeIndex: number;
}

/**
 * Flink's IntervalJoinUtil.extractWindowBoundsFromPredicate: conjuncts comparing a rowtime attribute
 * of one input with one of the other (each possibly ± an INTERVAL). Both a lower and an upper bound:
 * an IntervalJoin (state cleaned by the watermark); one bound alone stays a regular join, as in Flink.
 * A strict comparison moves the bound by 1 ms (rowtimes are milliseconds).
 */
function intervalBounds(
  conds: readonly Expr[],
  left: readonly Field[],
  right: readonly Field[],
): IntervalBounds | null {
  // a rowtime column, possibly ± an interval: its side, its index there, the offset
  const timeOf = (e: Expr): { side: 0 | 1; index: number; offset: number } | null => {
    let offset = 0;
    let col = e;
    if (e.kind === 'call' && (e.op === '+' || e.op === '-') && e.args[1].kind === 'interval') {
      offset = e.op === '+' ? e.args[1].ms : -e.args[1].ms;
      col = e.args[0];
    }
    if (col.kind !== 'column') return null;
    for (const [side, fields] of [
      [0, left],
      [1, right],
    ] as const) {
      try {
        const index = resolveColumn(fields, col.qualifier, col.name, col.pos);
        if (fields[index].type.rowtime) return { side, index, offset };
      } catch {
        // not on this side
      }
    }
    return null;
  };
  let lower: number | null = null;
  let upper: number | null = null;
  let times: [number, number] | null = null;
  // a OP b with a, b on different sides: l - r OP' c
  const bound = (a: Expr, op: string, b: Expr): boolean => {
    const x = timeOf(a);
    const y = timeOf(b);
    if (x === null || y === null || x.side === y.side) return false;
    const [l, r] = x.side === 0 ? [x, y] : [y, x];
    if (times && (times[0] !== l.index || times[1] !== r.index)) return false;
    times = [l.index, r.index];
    // x + ox OP y + oy  ⇔  x - y OP oy - ox; mirrored when x is the right side
    const mirror: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
    const o = x.side === 0 ? op : mirror[op];
    const c = x.side === 0 ? y.offset - x.offset : x.offset - y.offset;
    if (o === '>=') lower = Math.max(lower ?? -Infinity, c);
    else if (o === '>') lower = Math.max(lower ?? -Infinity, c + 1);
    else if (o === '<=') upper = Math.min(upper ?? Infinity, c);
    else upper = Math.min(upper ?? Infinity, c - 1);
    return true;
  };
  for (const c of conds) {
    if (c.kind !== 'call') continue;
    if (c.op === 'BETWEEN') {
      bound(c.args[0], '>=', c.args[1]);
      bound(c.args[0], '<=', c.args[2]);
    } else if (['<', '<=', '>', '>='].includes(c.op)) bound(c.args[0], c.op, c.args[1]);
  }
  const t = times as [number, number] | null;
  if (lower === null || upper === null || t === null) return null;
  return { leftLowerBound: lower, leftUpperBound: upper, leftTimeIndex: t[0], rightTimeIndex: t[1] };
}

/**
 * Sessions are merged per key of the WindowAggregate (its GROUP BY keys); the lab runs a SESSION
 * aggregation only when those are the PARTITION BY columns, where per-key sessions are exactly the
 * TVF's sessions.
 */
function sessionKeysCheck(win: WindowOf, groupBy: readonly Expr[], pos: Pos): void {
  const keys = groupBy
    .filter((g) => !(g.kind === 'column' && WINDOW_COLUMNS.includes(g.name.toLowerCase())))
    .map((g) => (g.kind === 'column' ? g.name.toLowerCase() : '?'));
  const part = (win.spec.partitionKeys ?? []).map((k) => k.toLowerCase());
  if (keys.length !== part.length || keys.some((k) => !part.includes(k)))
    throw unsupported(
      `a SESSION aggregation whose GROUP BY keys (${keys.join(', ') || 'none'}) are not its PARTITION BY columns (${part.join(', ') || 'none'})`,
      pos,
    );
}

/** Flink's names for a join's output: a name seen before gets a number (user_id, user_id0). */
export function uniqueNames(fields: readonly Field[]): Field[] {
  const seen = new Map<string, number>();
  return fields.map((f) => {
    const n = seen.get(f.name.toLowerCase());
    seen.set(f.name.toLowerCase(), (n ?? -1) + 1);
    return n === undefined ? { ...f } : { ...f, name: `${f.name}${n}` };
  });
}

function dedupeNames(fields: Field[]): void {
  const unique = uniqueNames(fields);
  unique.forEach((f, i) => (fields[i] = f));
}

/** `rn <= N`, `rn < N`, `rn = N` (N = 1 only), `N >= rn`: the rank end N, or null. */
function rankBound(e: Expr, rn: string): number | null {
  if (e.kind !== 'call' || e.args.length !== 2) return null;
  const [a, b] = e.args;
  const isRn = (x: Expr) => x.kind === 'column' && x.name.toLowerCase() === rn.toLowerCase();
  const num = (x: Expr) => (x.kind === 'literal' && typeof x.value === 'number' ? x.value : null);
  const mirror: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };
  let op = e.op;
  let n: number | null;
  if (isRn(a)) n = num(b);
  else if (isRn(b)) {
    n = num(a);
    op = mirror[op] ?? op; // N >= rn is rn <= N
  } else return null;
  if (n === null) return null;
  if (op === '<=') return n;
  if (op === '<') return n - 1;
  if (op === '=' && n === 1) return 1;
  return null;
}

function mentions(e: Expr, name: string): boolean {
  switch (e.kind) {
    case 'column':
      return e.name.toLowerCase() === name.toLowerCase();
    case 'call':
      return e.args.some((a) => mentions(a, name));
    case 'case':
      return [e.operand, ...e.whens.flat(), e.otherwise].some((x) => x !== null && mentions(x, name));
    case 'cast':
      return mentions(e.expr, name);
    default:
      return false;
  }
}
