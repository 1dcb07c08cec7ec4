import { TableEnvironment } from './src/sql/TableEnvironment';
import { Simulation } from './src/engine/index';
import { materialize } from './src/sql/runtime/materialize';
import type { RowData } from './src/sql/runtime/RowData';
const tEnv = TableEnvironment.create();
for (const sql of process.argv.slice(2)) {
  try {
    for (const r of tEnv.executeScript(sql)) {
      if (r.kind !== 'job') { console.log(JSON.stringify(r)); continue; }
      console.log(r.job.plan);
      const sim = new Simulation(r.job.jobGraph, { seed: 1, fastForward: true });
      sim.run([]);
      const cl = sim.external.committedValues(r.job.sinkUid) as RowData[];
      console.log(cl.slice(0, 30).map((c) => c.kind + ' ' + JSON.stringify(c.row)).join('\n'));
      console.log(JSON.stringify(sim.failures.slice(0,2)));
      console.log("changelog", cl.length, 'status', sim.cluster.jobStatus, 'now', sim.cluster.now);
      console.log(JSON.stringify(materialize(cl, r.job.primaryKey).slice(0, 20)));
    }
  } catch (e) { console.log(String(e)); if (!(e as Error).name?.includes('SqlError')) console.log((e as Error).stack); }
}
