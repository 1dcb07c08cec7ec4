/**
 * The lab's logical representation of a Flink SQL statement: what the parse tree of dt-sql-parser's
 * FlinkSQL grammar is walked into (parser/AstBuilder.ts) and what the planner reads. Every node keeps
 * its position, so that an error (unknown column, unsupported construct) can say where it is.
 */

/** 1-based line and column, as Flink's SQL Client prints them ("line 1, column 8"). */
export interface Pos {
  line: number;
  col: number;
}

export type SqlTypeName =
  'STRING' | 'BOOLEAN' | 'INT' | 'BIGINT' | 'DOUBLE' | 'DECIMAL' | 'TIMESTAMP' | 'INTERVAL' | 'NULL';

export interface SqlType {
  name: SqlTypeName;
  /** TIMESTAMP(p), DECIMAL(p, s). */
  precision?: number;
  scale?: number;
  /** A rowtime attribute (a TIMESTAMP(3) column with a WATERMARK): Flink prints `*ROWTIME*`. */
  rowtime?: boolean;
}

/** A SQL value here: strings, numbers (TIMESTAMP: epoch ms, no zone), booleans, NULL. */
export type SqlValue = string | number | boolean | null;

export type Expr =
  | { kind: 'column'; qualifier: string | null; name: string; pos: Pos }
  | { kind: 'literal'; value: SqlValue; type: SqlType; pos: Pos }
  /** INTERVAL '0.2' SECOND: a duration in ms. */
  | { kind: 'interval'; ms: number; text: string; pos: Pos }
  /** Operators and functions by name (upper case): '+', '=', 'AND', 'IS NULL', 'UPPER', 'COUNT'... */
  | { kind: 'call'; op: string; args: Expr[]; distinct: boolean; star: boolean; pos: Pos }
  | { kind: 'case'; operand: Expr | null; whens: Array<[Expr, Expr]>; otherwise: Expr | null; pos: Pos }
  | { kind: 'cast'; expr: Expr; type: SqlType; pos: Pos }
  | {
      kind: 'over';
      fn: string;
      partitionBy: Expr[];
      orderBy: OrderItem[];
      pos: Pos;
    };

export interface OrderItem {
  expr: Expr;
  desc: boolean;
}

export interface SelectItem {
  expr: Expr;
  alias: string | null;
  /** Source text of the item, for Flink's default names (EXPR$0) and messages. */
  text: string;
}

export type FromItem =
  | { kind: 'table'; name: string; alias: string | null; pos: Pos }
  | { kind: 'subquery'; query: Select; alias: string | null; pos: Pos }
  | {
      kind: 'join';
      joinType: 'INNER' | 'LEFT';
      left: FromItem;
      right: FromItem;
      on: Expr;
      pos: Pos;
    }
  | {
      kind: 'tvf';
      fn: 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';
      table: string;
      timeCol: string;
      /** TUMBLE: [size]; HOP: [slide, size]; CUMULATE: [step, size]; SESSION: [gap]. */
      intervals: number[];
      /** SESSION(TABLE t PARTITION BY k, …): the partition columns. */
      partitionBy: string[];
      alias: string | null;
      pos: Pos;
    };

export interface Select {
  kind: 'select';
  /** null: SELECT * */
  items: SelectItem[] | null;
  /** `SELECT *, ROW_NUMBER() ...`: the star and then the items. */
  starWithItems: boolean;
  distinct: boolean;
  from: FromItem | null;
  where: Expr | null;
  groupBy: Expr[];
  having: Expr | null;
  pos: Pos;
}

export interface ColumnDef {
  name: string;
  type: SqlType;
}

export type Statement =
  | { kind: 'query'; query: Select; text: string; pos: Pos }
  | { kind: 'insert'; table: string; query: Select; text: string; pos: Pos }
  | { kind: 'explain'; statement: Statement; text: string; pos: Pos }
  | { kind: 'set'; key: string | null; value: string | null; text: string; pos: Pos }
  | { kind: 'reset'; key: string | null; text: string; pos: Pos }
  | { kind: 'show-tables'; text: string; pos: Pos }
  | { kind: 'describe'; table: string; text: string; pos: Pos }
  | {
      kind: 'create-table';
      name: string;
      columns: ColumnDef[];
      primaryKey: string[];
      options: Record<string, string>;
      text: string;
      pos: Pos;
    };
