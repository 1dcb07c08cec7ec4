/**
 * Parses Flink SQL with dt-sql-parser's FlinkSQL grammar (an ANTLR grammar of Flink's SQL dialect)
 * and walks the parse tree into the lab's AST (../ast.ts). What the grammar rejects is a `parse`
 * error with its line:column; a construct the grammar accepts but this walker does not know is an
 * `unsupported` error at its position — never a silently different query.
 *
 * This module pulls in the grammar (about 1.6 MB of generated parser): import it only on the SQL
 * route and in the command line.
 */
import { ParserRuleContext, TerminalNode, type ParseTree, type Token } from 'antlr4ng';
import { FlinkSQL } from 'dt-sql-parser/dist/parser/flink';
import * as P from 'dt-sql-parser/dist/lib/flink/FlinkSqlParser';
import type {
  ColumnDef,
  Expr,
  FromItem,
  OrderItem,
  Pos,
  Select,
  SelectItem,
  SqlType,
  Statement,
} from '../ast';
import { SqlError, unsupported } from '../SqlError';
import { parseIntervalMs } from '../types';

const flink = new FlinkSQL();

/**
 * Flink's `SESSION(TABLE t [PARTITION BY k | PARTITION BY (k1, k2)], DESCRIPTOR(ts), gap)` window TVF
 * is not in dt-sql-parser's grammar (Flink's own Calcite parser has it). The one construct is read
 * here: the call becomes `TUMBLE (TABLE t …` for the grammar — `SESSION` → `TUMBLE `, the PARTITION BY
 * clause blanked — same length, same lines, so every position the grammar and the walker report is
 * still the learner's. What was there is kept by the offset of the function name.
 */
export interface SessionTvf {
  partitionBy: string[];
}

export function rewriteSessionTvf(sql: string): { text: string; sessions: Map<number, SessionTvf> } {
  const sessions = new Map<number, SessionTvf>();
  const chars = sql.split('');
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
  };
  const re = /\bSESSION(\s*\(\s*TABLE\s+[\w`.]+)/gi;
  for (let m = re.exec(sql); m !== null; m = re.exec(sql)) {
    const at = m.index;
    chars.splice(at, 7, ...'TUMBLE '.split(''));
    const after = at + m[0].length;
    const part = /^\s+PARTITION\s+BY\s*/i.exec(sql.slice(after));
    const partitionBy: string[] = [];
    if (part) {
      const listStart = after + part[0].length;
      let listEnd: number;
      let list: string;
      if (sql[listStart] === '(') {
        listEnd = sql.indexOf(')', listStart) + 1;
        if (listEnd === 0) listEnd = sql.length;
        list = sql.slice(listStart + 1, listEnd - 1);
      } else {
        const d = /,\s*DESCRIPTOR\s*\(/i.exec(sql.slice(listStart));
        listEnd = d ? listStart + d.index : listStart;
        list = sql.slice(listStart, listEnd);
      }
      for (const c of list.split(',')) if (c.trim()) partitionBy.push(c.trim().replace(/`/g, ''));
      blank(after, listEnd);
    }
    sessions.set(at, { partitionBy });
  }
  return { text: chars.join(''), sessions };
}

/** What Flink's grammar says about a script: its syntax errors (none: the grammar accepts it). */
export function syntaxErrors(sql: string): Array<{ line: number; col: number; message: string }> {
  return flink
    .validate(rewriteSessionTvf(sql).text)
    .map((e) => ({ line: e.startLine, col: e.startColumn, message: e.message }));
}

/** Parses a script of `;`-separated statements. Throws a SqlError (the first problem found). */
export function parseStatements(sql: string): Statement[] {
  const errors: Array<{ line: number; col: number; message: string }> = [];
  const { text, sessions } = rewriteSessionTvf(sql);
  const tree = flink.parse(text, (e) =>
    errors.push({ line: e.startLine, col: e.startColumn, message: e.message }),
  );
  if (errors.length > 0) {
    const e = errors[0];
    // ANTLR's "rule x failed predicate" says nothing to a learner: name the token instead.
    const message = /failed predicate/.test(e.message)
      ? `'${tokenAt(sql, e.line, e.col)}' is not valid at this position`
      : e.message;
    throw new SqlError('parse', message, { line: e.line, col: e.col });
  }
  const b = new AstBuilder(sql, sessions);
  const out: Statement[] = [];
  for (const single of tree.singleStatement()) {
    const stmt = single.sqlStatement();
    if (stmt) out.push(b.statement(stmt));
  }
  return out;
}

function tokenAt(sql: string, line: number, col: number): string {
  const text = sql.split('\n')[line - 1] ?? '';
  return /^[\w$]+|^\S/.exec(text.slice(col - 1))?.[0] ?? '';
}

function posOf(node: ParseTree): Pos {
  const t: Token | null = node instanceof TerminalNode ? node.symbol : (node as ParserRuleContext).start;
  return t ? { line: t.line, col: t.column + 1 } : { line: 1, col: 1 };
}

function children(ctx: ParserRuleContext): ParseTree[] {
  const out: ParseTree[] = [];
  for (let i = 0; i < ctx.getChildCount(); i++) out.push(ctx.getChild(i) as ParseTree);
  return out;
}

function isToken(node: ParseTree, text: string): boolean {
  return node instanceof TerminalNode && node.getText().toUpperCase() === text;
}

/** An identifier as written: `word`, `\`my col\``, `'table.exec.state.ttl'` (quotes removed). */
function identText(node: ParseTree): string {
  const t = node.getText();
  if (/^`.*`$/.test(t)) return t.slice(1, -1).replace(/``/g, '`');
  return t;
}

function unquoteString(t: string): string {
  if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  if (t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1);
  return t;
}

class AstBuilder {
  constructor(
    private readonly sql: string,
    private readonly sessions: ReadonlyMap<number, SessionTvf> = new Map(),
  ) {}

  private text(ctx: ParserRuleContext): string {
    const start = ctx.start?.start ?? 0;
    const stop = ctx.stop?.stop ?? start;
    return this.sql.slice(start, stop + 1);
  }

  private unsupported(what: string, node: ParseTree): never {
    throw unsupported(what, posOf(node));
  }

  statement(ctx: P.SqlStatementContext): Statement {
    const text = this.text(ctx);
    const pos = posOf(ctx);
    const dml = ctx.dmlStatement();
    if (dml) return this.dml(dml, text, pos);
    const explain = ctx.explainStatement();
    if (explain) {
      if (explain.explainDetails()) this.unsupported('EXPLAIN with details', explain.explainDetails()!);
      const inner = explain.dmlStatement();
      if (!inner) this.unsupported('EXPLAIN of this statement', explain);
      return { kind: 'explain', statement: this.dml(inner, this.text(inner), posOf(inner)), text, pos };
    }
    const set = ctx.setStatement();
    if (set) {
      const prop = set.tableProperty();
      if (!prop) return { kind: 'set', key: null, value: null, text, pos };
      const value = prop.tablePropertyValue();
      return {
        kind: 'set',
        key: unquoteString(prop.tablePropertyKey().getText()),
        value: value ? unquoteString(value.getText()) : null,
        text,
        pos,
      };
    }
    const reset = ctx.resetStatement();
    if (reset) {
      const key = reset.tablePropertyKey();
      return { kind: 'reset', key: key ? unquoteString(key.getText()) : null, text, pos };
    }
    const show = ctx.showStatement();
    if (show) {
      if (show.KW_TABLES() && !show.databasePath() && !show.likePredicate())
        return { kind: 'show-tables', text, pos };
      this.unsupported(`'${text}' (only SHOW TABLES)`, show);
    }
    const describe = ctx.describeStatement();
    if (describe) return { kind: 'describe', table: identText(describe.tablePath()), text, pos };
    const ddl = ctx.ddlStatement();
    if (ddl?.createTable()?.simpleCreateTable())
      return this.createTable(ddl.createTable()!.simpleCreateTable()!, text, pos);
    this.unsupported(`'${firstWords(text)}' statements`, ctx);
  }

  private dml(ctx: P.DmlStatementContext, text: string, pos: Pos): Statement {
    const q = ctx.queryStatement();
    if (q) return { kind: 'query', query: this.query(q), text, pos };
    const ins = ctx.insertStatement()!;
    const simple = ins.insertSimpleStatement();
    if (!simple || ins.KW_EXECUTE()) this.unsupported('statement sets (EXECUTE STATEMENT SET)', ins);
    if (simple.KW_OVERWRITE()) this.unsupported('INSERT OVERWRITE', simple);
    if (simple.insertPartitionDefinition()) this.unsupported('INSERT with PARTITION', simple);
    if (simple.columnNameList()) this.unsupported('INSERT with a column list', simple.columnNameList()!);
    const query = simple.queryStatement();
    if (!query) this.unsupported('INSERT … VALUES', simple);
    return { kind: 'insert', table: identText(simple.tablePath()), query: this.query(query), text, pos };
  }

  private createTable(ctx: P.SimpleCreateTableContext, text: string, pos: Pos): Statement {
    const columns: ColumnDef[] = [];
    const primaryKey: string[] = [];
    for (const c of ctx.columnOptionDefinition()) {
      const phys = c.physicalColumnDefinition();
      if (!phys) this.unsupported('computed and metadata columns', c);
      const name = identText(phys.columnNameCreate());
      columns.push({ name, type: this.columnType(phys.columnType()) });
      const constraint = phys.columnConstraint();
      if (constraint?.KW_PRIMARY()) primaryKey.push(name);
    }
    if (ctx.watermarkDefinition())
      this.unsupported('a WATERMARK on a sink table', ctx.watermarkDefinition()!);
    const pk = ctx.tableConstraint();
    if (pk) for (const c of pk.columnNameList().columnName()) primaryKey.push(identText(c));
    if (ctx.partitionDefinition()) this.unsupported('PARTITIONED BY', ctx.partitionDefinition()!);
    if (ctx.likeDefinition()) this.unsupported('CREATE TABLE … LIKE', ctx.likeDefinition()!);
    const options: Record<string, string> = {};
    for (const p of ctx.withOption().tablePropertyList().tableProperty()) {
      const v = p.tablePropertyValue();
      options[unquoteString(p.tablePropertyKey().getText())] = v ? unquoteString(v.getText()) : '';
    }
    return {
      kind: 'create-table',
      name: identText(ctx.tablePathCreate()),
      columns,
      primaryKey,
      options,
      text,
      pos,
    };
  }

  columnType(ctx: P.ColumnTypeContext): SqlType {
    const t = (ctx._colType?.text ?? ctx.getText()).toUpperCase();
    const dims = ctx.lengthOneDimension()?.decimalLiteral().getText();
    switch (t) {
      case 'STRING':
      case 'VARCHAR':
      case 'CHAR':
        return { name: 'STRING' };
      case 'BOOLEAN':
        return { name: 'BOOLEAN' };
      case 'INT':
      case 'INTEGER':
      case 'TINYINT':
      case 'SMALLINT':
        return { name: 'INT' };
      case 'BIGINT':
        return { name: 'BIGINT' };
      case 'DOUBLE':
      case 'FLOAT':
        return { name: 'DOUBLE' };
      case 'DECIMAL':
      case 'DEC':
      case 'NUMERIC':
        return { name: 'DOUBLE' };
      case 'TIMESTAMP':
        if (ctx.KW_ZONE()) this.unsupported('TIMESTAMP WITH TIME ZONE', ctx);
        return { name: 'TIMESTAMP', precision: dims === undefined ? 6 : Number(dims) };
      default:
        this.unsupported(`the type ${t}`, ctx);
    }
  }

  // ----- queries -----

  query(ctx: P.QueryStatementContext): Select {
    if (ctx.orderByClause())
      this.unsupported(
        'ORDER BY on a streaming query (only on a time attribute in Flink)',
        ctx.orderByClause()!,
      );
    if (ctx.limitClause()) this.unsupported('LIMIT', ctx.limitClause()!);
    if (ctx.withClause()) this.unsupported('WITH (common table expressions)', ctx.withClause()!);
    if (ctx.valuesClause()) this.unsupported('VALUES', ctx.valuesClause()!);
    const nested = ctx.queryStatement();
    if (nested.length === 1 && ctx.LR_BRACKET()) return this.query(nested[0]);
    if (nested.length > 0) this.unsupported('UNION, INTERSECT and EXCEPT', ctx);
    const sel = ctx.selectStatement();
    if (sel) return this.select(sel);
    const clause = ctx.selectClause();
    if (clause) return this.selectFrom(clause, null, null, null, null, ctx);
    this.unsupported('this query', ctx);
  }

  private select(ctx: P.SelectStatementContext): Select {
    if (ctx.matchRecognizeClause()) this.unsupported('MATCH_RECOGNIZE', ctx.matchRecognizeClause()!);
    if (ctx.windowClause()) this.unsupported('WINDOW clauses', ctx.windowClause()!);
    return this.selectFrom(
      ctx.selectClause(),
      ctx.fromClause(),
      ctx.whereClause(),
      ctx.groupByClause(),
      ctx.havingClause(),
      ctx,
    );
  }

  private selectFrom(
    clause: P.SelectClauseContext,
    from: P.FromClauseContext | null,
    where: P.WhereClauseContext | null,
    groupBy: P.GroupByClauseContext | null,
    having: P.HavingClauseContext | null,
    ctx: ParserRuleContext,
  ): Select {
    const quantifier = clause.setQuantifier();
    const distinct = quantifier?.KW_DISTINCT() !== null && quantifier !== null;
    let items: SelectItem[] | null = [];
    let starWithItems = false;
    const list = clause.selectList();
    if (!list) items = null;
    else {
      for (const item of list.columnProjectItem()) {
        const all = item.tableAllColumns();
        if (all) {
          if (all.identifier().length > 0) this.unsupported('t.* (a qualified star)', all);
          if (items.length > 0) this.unsupported('* after other columns', all);
          starWithItems = true;
          continue;
        }
        items.push(this.selectItem(item));
      }
      if (starWithItems && items.length === 0) items = null;
    }
    if (!from) this.unsupported('SELECT without FROM', clause);
    return {
      kind: 'select',
      items,
      starWithItems: starWithItems && items !== null,
      distinct,
      from: this.tableExpression(from.tableExpression()),
      where: where ? this.bool(where.booleanExpression()!) : null,
      groupBy: groupBy ? groupBy.groupItemDefinition().map((g) => this.groupItem(g)) : [],
      having: having ? this.bool(having.booleanExpression()!) : null,
      pos: posOf(ctx),
    };
  }

  private selectItem(item: P.ColumnProjectItemContext): SelectItem {
    const text = this.text(item);
    const alias = item.columnAlias();
    const aliasName = alias ? identText(alias.getChild(alias.getChildCount() - 1) as ParseTree) : null;
    const win = item.selectWindowItemColumnName();
    if (win) {
      const o = win.overWindowItem();
      const spec = o.windowSpec();
      if (!spec) this.unsupported('a named window in OVER', o);
      return { expr: this.over(o.primaryExpression(), spec), alias: identText(o.identifier()), text };
    }
    const lit = item.selectLiteralColumnName();
    if (lit) {
      const trailing = item.expression();
      if (trailing) {
        // The grammar reads `a + 1` as the column `a` followed by the expression `+1`: read the whole
        // item again as one expression (Flink's own parser has no such alternative).
        return this.reparseItem(item, text);
      }
      return { expr: this.columnName(lit.columnName(), lit), alias: aliasName, text };
    }
    const e = item.selectExpressionColumnName();
    if (e) {
      if (item.expression()) this.unsupported(`'${text}'`, item);
      return { expr: this.expr(e.expression()), alias: aliasName, text };
    }
    this.unsupported(`the select item '${text}'`, item);
  }

  private reparseItem(item: P.ColumnProjectItemContext, text: string): SelectItem {
    const pos = posOf(item);
    const errors: string[] = [];
    const parser = flink.createParser(text, (e) => errors.push(e.message));
    const e = parser.expression();
    let alias: string | null = null;
    const rest: string[] = [];
    for (let t = parser.tokenStream.LT(1); t && t.type !== -1;) {
      rest.push(t.text ?? '');
      parser.tokenStream.consume();
      t = parser.tokenStream.LT(1);
    }
    if (rest.length > 0 && rest[0].toUpperCase() === 'AS') rest.shift();
    if (rest.length === 1) alias = identText({ getText: () => rest[0] } as ParseTree);
    else if (rest.length > 1 || errors.length > 0) throw unsupported(`'${text}'`, pos);
    // Positions inside the re-parsed text are relative to the item: shift them back.
    const shifted = new AstBuilder(text);
    const expr = shiftPositions(shifted.expr(e), pos);
    return { expr, alias, text: alias ? text.slice(0, text.length - rest.join(' ').length).trim() : text };
  }

  private groupItem(g: P.GroupItemDefinitionContext): Expr {
    const name = g.columnName();
    if (name && g.getChildCount() === 1) return this.columnName(name, g);
    const e = g.expression();
    if (e.length === 1 && g.getChildCount() === 1) return this.expr(e[0]);
    if (g.groupWindowFunction())
      this.unsupported(
        'group window functions (TUMBLE(ts, …) in GROUP BY, deprecated): use the window TVFs',
        g,
      );
    this.unsupported(`GROUP BY '${this.text(g)}' (grouping sets, rollup, cube)`, g);
  }

  private tableExpression(ctx: P.TableExpressionContext): FromItem {
    const pos = posOf(ctx);
    const refs = ctx.tableReference();
    if (refs.length > 1) this.unsupported('comma joins (FROM a, b): write JOIN … ON', ctx);
    if (refs.length === 1) return this.tableReference(refs[0]);
    const sub = ctx.tableExpression();
    if (sub.length === 2) {
      if (ctx.KW_CROSS() || ctx.KW_NATURAL()) this.unsupported('CROSS and NATURAL joins', ctx);
      if (ctx.KW_RIGHT() || ctx.KW_FULL()) this.unsupported('RIGHT and FULL OUTER joins', ctx);
      const cond = ctx.joinCondition();
      if (!cond) this.unsupported('a join without ON', ctx);
      const on = cond.booleanExpression();
      if (!on) this.unsupported('JOIN … USING', cond);
      const onExpr: P.BooleanExpressionContext = on;
      return {
        kind: 'join',
        joinType: ctx.KW_LEFT() ? 'LEFT' : 'INNER',
        left: this.tableExpression(sub[0]),
        right: this.tableExpression(sub[1]),
        on: this.bool(onExpr),
        pos,
      };
    }
    const tvf = ctx.windowTVFClause();
    if (tvf) return this.windowTvf(tvf, pos);
    this.unsupported(`'${this.text(ctx)}' in FROM`, ctx);
  }

  private windowTvf(ctx: P.WindowTVFClauseContext, pos: Pos): FromItem {
    const e = ctx.windowTVFExpression();
    const session = this.sessions.get(e.windowTVFName().start?.start ?? -1);
    const fn = session
      ? 'SESSION'
      : (e.windowTVFName().getText().toUpperCase() as 'TUMBLE' | 'HOP' | 'CUMULATE');
    let table: string | null = null;
    let timeCol: string | null = null;
    const intervals: number[] = [];
    for (const p of e.windowTVFParam()) {
      if (p.timeIntervalParamName()) this.unsupported('named window TVF parameters (SIZE =>, …)', p);
      const attr = p.timeAttrColumn();
      const desc = p.columnDescriptor();
      const iv = p.timeIntervalExpression();
      if (attr) table = identText(attr);
      else if (desc) timeCol = identText(desc.columnName());
      else if (iv) intervals.push(this.interval(iv).ms);
      else this.unsupported(`the window parameter '${this.text(p)}'`, p);
    }
    if (!table || !timeCol) this.unsupported('this window TVF call', e);
    const expected = fn === 'TUMBLE' || fn === 'SESSION' ? 1 : 2;
    if (intervals.length !== expected)
      this.unsupported(
        fn === 'SESSION'
          ? `SESSION with ${intervals.length} intervals (it takes the gap)`
          : `${fn} with ${intervals.length} intervals (an offset is not supported)`,
        e,
      );
    return {
      kind: 'tvf',
      fn,
      table,
      timeCol,
      intervals,
      partitionBy: session?.partitionBy ?? [],
      alias: null,
      pos,
    };
  }

  private tableReference(ref: P.TableReferenceContext): FromItem {
    const alias = ref.tableAlias();
    const aliasName = alias ? identText(alias.identifier()) : null;
    if (alias?.identifierList()) this.unsupported('column aliases on a table', alias);
    const prim = ref.tablePrimary();
    const pos = posOf(ref);
    if (prim.systemTimePeriod())
      this.unsupported('FOR SYSTEM_TIME AS OF (temporal joins)', prim.systemTimePeriod()!);
    const path = prim.tablePath();
    if (path) return { kind: 'table', name: identText(path), alias: aliasName, pos };
    const view = prim.viewPath();
    if (view) return { kind: 'table', name: identText(view), alias: aliasName, pos };
    const atom = prim.atomExpressionTable();
    const q = atom?.queryStatement();
    if (atom && q && !atom.KW_LATERAL())
      return { kind: 'subquery', query: this.query(q), alias: aliasName, pos };
    this.unsupported(`'${this.text(prim)}' in FROM`, prim);
  }

  // ----- expressions -----

  expr(ctx: P.ExpressionContext): Expr {
    return this.bool(ctx.booleanExpression());
  }

  bool(ctx: P.BooleanExpressionContext): Expr {
    const pos = posOf(ctx);
    if (ctx instanceof P.LogicalNotContext) return call('NOT', [this.bool(ctx.booleanExpression())], pos);
    if (ctx instanceof P.LogicalBinaryContext) {
      const op = ctx._operator?.text?.toUpperCase() ?? '';
      if (op !== 'AND' && op !== 'OR') this.unsupported(`the operator ${op}`, ctx);
      return call(op, [this.bool(ctx._left!), this.bool(ctx._right!)], pos);
    }
    if (ctx instanceof P.LogicalNestedContext) this.unsupported(`'${this.text(ctx)}'`, ctx);
    if (ctx instanceof P.PredicatedContext) {
      const value = this.value(ctx.valueExpression());
      const pred = ctx.predicate();
      return pred ? this.predicate(value, pred) : value;
    }
    this.unsupported(`'${this.text(ctx)}'`, ctx);
  }

  private predicate(value: Expr, ctx: P.PredicateContext): Expr {
    const pos = posOf(ctx);
    const not = ctx.KW_NOT() !== null;
    const wrap = (e: Expr) => (not ? call('NOT', [e], pos) : e);
    const like = ctx.likePredicate();
    if (like) {
      if (like._quantifier || !like._pattern) this.unsupported('LIKE ANY/ALL', like);
      if (like.KW_ESCAPE?.()) this.unsupported('LIKE … ESCAPE', like);
      const e = call('LIKE', [value, this.value(like._pattern)], pos);
      return like.KW_NOT() ? call('NOT', [e], pos) : e;
    }
    const kind = ctx._kind?.text?.toUpperCase();
    if (kind === 'BETWEEN') {
      if (ctx.KW_SYMMETRIC()) this.unsupported('BETWEEN SYMMETRIC', ctx);
      return wrap(call('BETWEEN', [value, this.value(ctx._lower!), this.value(ctx._upper!)], pos));
    }
    if (kind === 'IN') {
      if (ctx.queryStatement()) this.unsupported('IN (subquery)', ctx);
      return wrap(call('IN', [value, ...ctx.expression().map((e) => this.expr(e))], pos));
    }
    if (kind === 'NULL') return call(not ? 'IS NOT NULL' : 'IS NULL', [value], pos);
    if (kind === 'TRUE' || kind === 'FALSE') return call(`IS ${not ? 'NOT ' : ''}${kind}`, [value], pos);
    if (kind === 'DISTINCT') {
      const e = call('IS DISTINCT FROM', [value, this.value(ctx._right!)], pos);
      return not ? call('NOT', [e], pos) : e;
    }
    this.unsupported(`'${this.text(ctx)}'`, ctx);
  }

  private value(ctx: P.ValueExpressionContext): Expr {
    const pos = posOf(ctx);
    if (ctx instanceof P.ValueExpressionDefaultContext) return this.primary(ctx.primaryExpression());
    if (ctx instanceof P.ComparisonContext) {
      let op = ctx.comparisonOperator().getText();
      if (op === '!=') op = '<>';
      if (op === '==') op = '=';
      if (!['=', '<>', '<', '<=', '>', '>='].includes(op)) this.unsupported(`the comparison ${op}`, ctx);
      return call(op, [this.value(ctx._left!), this.value(ctx._right!)], pos);
    }
    if (ctx instanceof P.ArithmeticBinaryContext) {
      const op = ctx._operator?.text?.toUpperCase() ?? '';
      if (!['+', '-', '*', '/', '%', '||'].includes(op)) this.unsupported(`the operator ${op}`, ctx);
      return call(op, [this.value(ctx._left!), this.value(ctx._right!)], pos);
    }
    if (ctx instanceof P.ArithmeticUnaryContext) {
      const op = ctx._operator?.text ?? '';
      const v = this.value(ctx.valueExpression());
      if (op === '+') return v;
      if (op === '-') {
        if (v.kind === 'literal' && typeof v.value === 'number') return { ...v, value: -v.value, pos };
        return call('-', [{ kind: 'literal', value: 0, type: { name: 'INT' }, pos }, v], pos);
      }
      this.unsupported(`the operator ${op}`, ctx);
    }
    this.unsupported(`'${this.text(ctx)}'`, ctx);
  }

  private primary(ctx: P.PrimaryExpressionContext): Expr {
    const pos = posOf(ctx);
    if (ctx instanceof P.ColumnReferenceContext) return this.dotted(ctx.columnNamePath().uid(), pos);
    if (ctx instanceof P.DereferenceContext) return this.dotted(ctx.dereferenceDefinition(), pos);
    if (ctx instanceof P.ConstantDefaultContext) return this.constant(ctx.constant());
    if (ctx instanceof P.ParenthesizedExpressionContext) return this.expr(ctx.expression());
    if (ctx instanceof P.FunctionCallContext) return this.functionCall(ctx.functionCallExpression());
    if (ctx instanceof P.CastContext) {
      return {
        kind: 'cast',
        expr: this.expr(ctx.expression()),
        type: this.columnType(ctx.columnType()),
        pos,
      };
    }
    if (ctx instanceof P.SearchedCaseContext) {
      return {
        kind: 'case',
        operand: null,
        whens: ctx.whenClause().map((w) => [this.expr(w._condition!), this.expr(w._result!)] as [Expr, Expr]),
        otherwise: ctx._elseExpression ? this.expr(ctx._elseExpression) : null,
        pos,
      };
    }
    if (ctx instanceof P.SimpleCaseContext) {
      return {
        kind: 'case',
        operand: this.expr(ctx._value!),
        whens: ctx.whenClause().map((w) => [this.expr(w._condition!), this.expr(w._result!)] as [Expr, Expr]),
        otherwise: ctx._elseExpression ? this.expr(ctx._elseExpression) : null,
        pos,
      };
    }
    this.unsupported(`'${this.text(ctx)}'`, ctx);
  }

  private dotted(ctx: ParserRuleContext, pos: Pos): Expr {
    const parts = children(ctx)
      .filter((c) => !isToken(c, '.'))
      .map((c) => identText(c));
    if (parts.length === 1) return { kind: 'column', qualifier: null, name: parts[0], pos };
    if (parts.length === 2) return { kind: 'column', qualifier: parts[0], name: parts[1], pos };
    this.unsupported(`the reference '${parts.join('.')}'`, ctx);
  }

  private columnName(ctx: P.ColumnNameContext, at: ParserRuleContext): Expr {
    const uid = ctx.uidAllowEmpty?.() ?? null;
    if (!uid) this.unsupported(`'${this.text(at)}'`, at);
    return this.dotted(uid, posOf(at));
  }

  private constant(ctx: P.ConstantContext): Expr {
    const pos = posOf(ctx);
    const iv = ctx.timeIntervalExpression();
    if (iv) return this.interval(iv);
    const s = ctx.stringLiteral();
    if (s) return { kind: 'literal', value: unquoteString(s.getText()), type: { name: 'STRING' }, pos };
    const b = ctx.booleanLiteral();
    if (b)
      return { kind: 'literal', value: b.getText().toUpperCase() === 'TRUE', type: { name: 'BOOLEAN' }, pos };
    const t = ctx.getText().toUpperCase();
    if (t === 'NULL') return { kind: 'literal', value: null, type: { name: 'NULL' }, pos };
    if (/^\d+$/.test(t)) {
      const n = Number(t);
      return { kind: 'literal', value: n, type: { name: n > 2147483647 ? 'BIGINT' : 'INT' }, pos };
    }
    if (/^(\d+\.\d*|\.\d+)(E[+-]?\d+)?$|^\d+E[+-]?\d+$/.test(t)) {
      return { kind: 'literal', value: Number(t), type: { name: /E/.test(t) ? 'DOUBLE' : 'DECIMAL' }, pos };
    }
    if (ctx.timePointLiteral()) this.unsupported(`the literal ${ctx.getText()}`, ctx);
    this.unsupported(`the literal ${ctx.getText()}`, ctx);
  }

  private interval(ctx: P.TimeIntervalExpressionContext): Expr & { kind: 'interval' } {
    const pos = posOf(ctx);
    const multi = ctx.errorCapturingMultiUnitsInterval()?.multiUnitsInterval();
    if (!multi || multi.intervalValue().length !== 1) this.unsupported(`the interval ${this.text(ctx)}`, ctx);
    const value = unquoteString(multi.intervalValue(0)!.getText());
    const unit = multi.timeIntervalUnit(0)!.getText().toUpperCase();
    const ms = parseIntervalMs(value, unit);
    if (ms === null) this.unsupported(`the interval ${this.text(ctx)}`, ctx);
    return { kind: 'interval', ms, text: this.text(ctx), pos };
  }

  private functionCall(ctx: P.FunctionCallExpressionContext): Expr {
    const pos = posOf(ctx);
    const named = ctx.functionNameWithParams();
    const noParams = ctx.reservedKeywordsNoParamsUsedAsFuncName();
    if (noParams) {
      const name = noParams.getText().toUpperCase();
      return call(name, [], pos);
    }
    if (!named) this.unsupported(`the function call '${this.text(ctx)}'`, ctx);
    const name = named.getText().toUpperCase();
    const quant = ctx.setQuantifier();
    const distinct = quant !== null && quant.KW_DISTINCT() !== null;
    const args: Expr[] = [];
    let star = false;
    for (const p of ctx.functionParam()) {
      const e = p.expression();
      if (e) args.push(this.expr(e));
      else if (p.reservedKeywordsUsedAsFuncParam()?.getText() === '*') star = true;
      else if (p.timeIntervalUnit() || p.timePointUnit())
        args.push({
          kind: 'literal',
          value: p.getText().toUpperCase(),
          type: { name: 'STRING' },
          pos: posOf(p),
        });
      else if (p.jsonObjectParams() && p.getText() === '')
        continue; // ROW_NUMBER(): an empty parameter
      else this.unsupported(`the argument '${this.text(p)}' of ${name}`, p);
    }
    return { kind: 'call', op: name, args, distinct, star, pos };
  }

  private over(fnCtx: P.PrimaryExpressionContext, spec: P.WindowSpecContext): Expr {
    const pos = posOf(fnCtx);
    const fn = this.primary(fnCtx);
    if (fn.kind !== 'call') this.unsupported(`'${this.text(fnCtx)}' OVER`, fnCtx);
    if (spec.windowFrame()) this.unsupported('window frames (ROWS/RANGE BETWEEN)', spec.windowFrame()!);
    const partitionBy: Expr[] = [];
    const part = spec.partitionByClause();
    if (part) {
      for (const c of children(part)) {
        if (c instanceof P.ColumnNameContext) partitionBy.push(this.columnName(c, c));
        else if (c instanceof P.PrimaryExpressionContext) partitionBy.push(this.primary(c));
      }
    }
    const orderBy: OrderItem[] = [];
    for (const o of spec.orderByClause()?.orderItemDefinition() ?? []) {
      if (o._nullOrder) this.unsupported('NULLS FIRST/LAST', o);
      const col = o.columnName();
      if (!col) this.unsupported(`ORDER BY '${this.text(o)}'`, o);
      orderBy.push({ expr: this.columnName(col, o), desc: o._ordering?.text?.toUpperCase() === 'DESC' });
    }
    return { kind: 'over', fn: fn.op, partitionBy, orderBy, pos };
  }
}

function call(op: string, args: Expr[], pos: Pos): Expr {
  return { kind: 'call', op, args, distinct: false, star: false, pos };
}

function firstWords(text: string): string {
  return text.trim().split(/\s+/).slice(0, 2).join(' ').toUpperCase();
}

/** Positions of an expression parsed from a select item's text, moved to where the item is. */
function shiftPositions(e: Expr, base: Pos): Expr {
  const shift = (p: Pos): Pos =>
    p.line === 1
      ? { line: base.line, col: base.col + p.col - 1 }
      : { line: base.line + p.line - 1, col: p.col };
  const walk = (x: Expr): Expr => {
    switch (x.kind) {
      case 'call':
        return { ...x, pos: shift(x.pos), args: x.args.map(walk) };
      case 'case':
        return {
          ...x,
          pos: shift(x.pos),
          operand: x.operand ? walk(x.operand) : null,
          whens: x.whens.map(([a, b]) => [walk(a), walk(b)] as [Expr, Expr]),
          otherwise: x.otherwise ? walk(x.otherwise) : null,
        };
      case 'cast':
        return { ...x, pos: shift(x.pos), expr: walk(x.expr) };
      case 'over':
        return {
          ...x,
          pos: shift(x.pos),
          partitionBy: x.partitionBy.map(walk),
          orderBy: x.orderBy.map((o) => ({ ...o, expr: walk(o.expr) })),
        };
      default:
        return { ...x, pos: shift(x.pos) };
    }
  };
  return walk(e);
}
