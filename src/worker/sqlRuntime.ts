/**
 * The SQL side loaded on demand (sqlJob.ts imports this module with `import()`): Flink's grammar
 * (dt-sql-parser), the planner and the SQL operators are a chunk of their own, fetched the first time
 * a SQL job is run or explained — not part of the engine worker's first download nor of the page.
 */
export { TableEnvironment, type SqlJob, type TableResult } from '../sql/TableEnvironment';
export { SqlError } from '../sql/SqlError';
export { BUILTIN_TABLES, tableDdl } from '../sql/catalog/BuiltinTables';
export { typeToString } from '../sql/types';
export { exportForFlink, tableCsv } from '../sql/FlinkExport';
