import { FlinkSQL } from 'dt-sql-parser/dist/parser/flink';
import { ParserRuleContext, TerminalNode, type ParseTree } from 'antlr4ng';
const p = new FlinkSQL();
const skip = new Set(['UnquotedIdentifierAlternative','UnquotedIdentifier','Uid','UidAllowEmpty','Predicated','ValueExpressionDefault','ConstantDefault','Constant']);
function dump(t: ParseTree): string {
  if (t instanceof TerminalNode) return JSON.stringify(t.getText());
  const c = t as ParserRuleContext;
  const name = c.constructor.name.replace('Context', '');
  const kids = [] as string[];
  for (let i = 0; i < c.getChildCount(); i++) kids.push(dump(c.getChild(i)!));
  if (skip.has(name) && kids.length === 1) return kids[0];
  return name + '(' + kids.join(' ') + ')';
}
for (const sql of process.argv.slice(2)) { console.log('>>> ' + sql); const e = p.validate(sql); if (e.length) console.log(e); console.log(dump(p.parse(sql))); }
