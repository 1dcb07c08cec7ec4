/**
 * Flink's ExecutionGraph: the JobGraph expanded into what runs. Operators are first grouped into
 * chains (`api/StreamingJobGraphGenerator`: Flink's job vertices); every chain becomes `parallelism`
 * subtasks (`StreamTask`, id `<head uid>#<index>`; Flink's ExecutionVertex), every edge between two
 * chains becomes channels between subtasks (`<from>-><to>`): one-to-one for `forward`, all-to-all for
 * `hash` (keyBy), `rebalance` and `broadcast`. An edge inside a chain is a direct call, no channel.
 * Each sender gets one output gate per outgoing edge (its RecordWriter), owned by the chained
 * operator the edge leaves from.
 *
 * Pipelined regions (Flink's PipelinedRegionComputeUtil) are the connected components of the subtask
 * graph: the unit that fails and restarts together (after a keyBy, the whole job).
 */
import type { JobGraph, JobVertex } from '../api/JobGraph';
import { createChains, type OperatorChainInfo } from '../api/StreamingJobGraphGenerator';
import { Channel } from '../network/Channel';
import type { OutputGate } from '../network/RecordWriter';
import type { Random } from '../runtime/Random';
import { StreamTask } from '../tasks/StreamTask';

export interface ExecutionGraph {
  /** The job vertices: operator chains, in job order of their heads. */
  readonly chains: readonly OperatorChainInfo[];
  /** Every subtask, chain by chain, then by subtask index. */
  readonly tasks: StreamTask[];
  readonly channels: Channel[];
  readonly taskById: Map<string, StreamTask>;
}

export function buildExecutionGraph(job: JobGraph, random: Random): ExecutionGraph {
  const tasks: StreamTask[] = [];
  const channels: Channel[] = [];
  const taskById = new Map<string, StreamTask>();
  // The subtasks that run each operator (those of its chain).
  const byVertex = new Map<JobVertex, StreamTask[]>();
  const chains = createChains(job);
  for (const chain of chains) {
    const subtasks: StreamTask[] = [];
    for (let i = 0; i < chain.parallelism; i++) {
      const t = new StreamTask(chain, i);
      subtasks.push(t);
      tasks.push(t);
      taskById.set(t.id, t);
    }
    for (const v of chain.operators) byVertex.set(v, subtasks);
  }
  const chainedEdges = new Set(chains.flatMap((c) => c.chainedEdges));
  for (const v of job.vertices) {
    const targets = byVertex.get(v) as StreamTask[];
    for (const edge of v.inputs) {
      if (chainedEdges.has(edge)) continue;
      const sources = byVertex.get(edge.source) as StreamTask[];
      for (const from of sources) {
        const gate: OutputGate = { edge, channels: [], nextChannel: 0 };
        const to = edge.partitioner === 'forward' ? [targets[from.subtaskIndex]] : targets;
        for (const target of to) {
          // A side output edge to the same target as the main output needs its own channel id.
          const id = edge.outputTag
            ? `${from.id}->${target.id}[${edge.outputTag}]`
            : `${from.id}->${target.id}`;
          const ch = new Channel(id, from, target, target.inputs.length, random.fork(`channel:${id}`));
          ch.typeNumber = edge.typeNumber;
          // The operator subtasks at both ends (channel state is kept per operator, not per task).
          ch.fromOperator = `${edge.source.uid}#${from.subtaskIndex}`;
          ch.toOperator = `${edge.target.uid}#${target.subtaskIndex}`;
          target.inputs.push(ch);
          gate.channels.push(ch);
          channels.push(ch);
        }
        // Rebalance starts at a seeded random channel, as Flink's RebalancePartitioner does.
        gate.nextChannel = random.fork(`rebalance:${from.id}:${v.uid}`).int(0, gate.channels.length - 1);
        from.outputs.push(gate);
      }
    }
  }
  assignPipelinedRegions(tasks, channels);
  return { chains, tasks, channels, taskById };
}

/** Pipelined regions = connected components of the subtask graph (union-find over the channels). */
function assignPipelinedRegions(tasks: readonly StreamTask[], channels: readonly Channel[]): void {
  const parent = new Map<StreamTask, StreamTask>(tasks.map((t) => [t, t]));
  const find = (t: StreamTask): StreamTask => {
    let r = t;
    while (parent.get(r) !== r) r = parent.get(r) as StreamTask;
    parent.set(t, r);
    return r;
  };
  for (const c of channels) parent.set(find(c.from), find(c.to));
  const roots = new Map<StreamTask, number>();
  for (const t of tasks) {
    const r = find(t);
    if (!roots.has(r)) roots.set(r, roots.size);
    t.region = roots.get(r) as number;
  }
}
