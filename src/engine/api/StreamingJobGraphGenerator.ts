/**
 * Operator chaining, as Flink's StreamingJobGraphGenerator does it when it turns the stream graph
 * (our `JobGraph.vertices`: one entry per operator, Flink's StreamNodes) into job vertices: operators
 * joined by a chainable edge run in one task, calling each other directly (no channel, no credit, no
 * barrier alignment between them), and show as one vertex in the Web UI, named after all of them.
 *
 * `isChainable` is Flink 2.x's rule (`isChainable` → `isChainableInput` → `areOperatorsChainable`,
 * `arePartitionerAndExchangeModeChainable`): the downstream operator has exactly one input edge, the
 * edge is forward, both have the same parallelism and the same slot sharing group,
 * their chaining strategies allow it, and chaining is enabled on the environment.
 *
 * `createChains` walks the graph as Flink's `createChain` does (depth first from each head, chainable
 * outputs first joining the chain, the others starting new chains) and names each chain as
 * `createChainedName` does: `A -> B`, and `A -> (B, C)` when an operator has several chained outputs.
 * Chains are listed in job order of their heads (the order tasks are created in), and a chain's id is
 * its head's uid (Flink's JobVertexID is the head operator's id), so its subtasks are `<head uid>#<i>`.
 */
import type { JobEdge, JobGraph, JobVertex } from './JobGraph';

/** One chain: what becomes one job vertex (Flink's OperatorChainInfo + the JobVertex built from it). */
export interface OperatorChainInfo {
  /** The head operator's uid: the job vertex's id and the prefix of its subtasks' ids. */
  readonly id: string;
  /** As Flink names a chained job vertex: `Map: count with ValueState -> Sink: print`. */
  readonly name: string;
  readonly head: JobVertex;
  /** Head first, then depth first along the chained edges (Flink's forward topological order). */
  readonly operators: readonly JobVertex[];
  /** Edges inside the chain (direct calls). */
  readonly chainedEdges: readonly JobEdge[];
  readonly parallelism: number;
  readonly slotSharingGroup: string;
}

/** Flink's `StreamingJobGraphGenerator.isChainable(edge, streamGraph)`. */
export function isChainable(edge: JobEdge, chainingEnabled: boolean): boolean {
  return edge.target.inputs.length === 1 && isChainableInput(edge, chainingEnabled);
}

function isChainableInput(edge: JobEdge, chainingEnabled: boolean): boolean {
  const up = edge.source;
  const down = edge.target;
  if (!(
    chainingEnabled &&
    up.slotSharingGroup === down.slotSharingGroup &&
    areOperatorsChainable(up, down) &&
    // arePartitionerAndExchangeModeChainable: only a ForwardPartitioner keeps records in the task.
    edge.partitioner === 'forward'
  ))
    return false;
  // Flink: no union — each input position may be used by one edge only (a union reaches the
  // operator through the network stack). With one input edge (checked above) this holds; a
  // two-input operator's inputs have different positions.
  return true;
}

/** Flink's `areOperatorsChainable`: the two chaining strategies and equal parallelism. */
function areOperatorsChainable(up: JobVertex, down: JobVertex): boolean {
  let chainable: boolean;
  switch (up.chainingStrategy) {
    case 'NEVER':
      chainable = false;
      break;
    case 'ALWAYS':
    case 'HEAD':
    case 'HEAD_WITH_SOURCES':
      chainable = true;
      break;
  }
  switch (down.chainingStrategy) {
    case 'NEVER':
    case 'HEAD':
      chainable = false;
      break;
    case 'ALWAYS':
      break;
    case 'HEAD_WITH_SOURCES':
      // Only to a (FLIP-27) source: Flink checks for a SourceOperatorFactory upstream.
      chainable &&= up.spec.kind === 'source';
      break;
  }
  chainable &&= up.parallelism === down.parallelism;
  // Max parallelism is not compared: `pipeline.operator-chaining.chain-operators-with-different-max-
  // parallelism` is true by default (Flink's PipelineOptions); each chained operator keeps its own
  // key groups here too.
  return chainable;
}

/** The edges leaving `v`, in the order they were added (targets in job order, then input position). */
function outEdges(job: Pick<JobGraph, 'vertices'>, v: JobVertex): JobEdge[] {
  const out: JobEdge[] = [];
  for (const target of job.vertices) for (const e of target.inputs) if (e.source === v) out.push(e);
  return out;
}

/** The job's chains (its job vertices), in job order of their heads. */
export function createChains(job: Pick<JobGraph, 'vertices' | 'chainingEnabled'>): OperatorChainInfo[] {
  const chained = new Set<JobVertex>();
  const childrenOf = new Map<JobVertex, JobEdge[]>();
  for (const v of job.vertices) {
    const children = outEdges(job, v).filter((e) => isChainable(e, job.chainingEnabled));
    childrenOf.set(v, children);
    for (const e of children) chained.add(e.target);
  }
  const chains: OperatorChainInfo[] = [];
  for (const head of job.vertices) {
    if (chained.has(head)) continue;
    const operators: JobVertex[] = [];
    const chainedEdges: JobEdge[] = [];
    const visit = (v: JobVertex): void => {
      operators.push(v);
      for (const e of childrenOf.get(v) ?? []) {
        chainedEdges.push(e);
        visit(e.target);
      }
    };
    visit(head);
    chains.push({
      id: head.uid,
      name: createChainedName(head, childrenOf),
      head,
      operators,
      chainedEdges,
      parallelism: head.parallelism,
      slotSharingGroup: head.slotSharingGroup,
    });
  }
  return chains;
}

/** Flink's `createChainedName`: `A -> B`, or `A -> (B, C)` for several chained outputs. */
function createChainedName(v: JobVertex, childrenOf: ReadonlyMap<JobVertex, JobEdge[]>): string {
  const children = childrenOf.get(v) ?? [];
  if (children.length > 1)
    return `${v.name} -> (${children.map((e) => createChainedName(e.target, childrenOf)).join(', ')})`;
  if (children.length === 1) return `${v.name} -> ${createChainedName(children[0].target, childrenOf)}`;
  return v.name;
}

/**
 * The task that runs operator subtask `<uid>#<i>` (`count#1`): its chain's `<head uid>#<i>`, or null
 * when no operator has that uid or the index is out of range.
 */
export function taskIdOfOperatorSubtask(chains: readonly OperatorChainInfo[], id: string): string | null {
  const m = /^(.*)#(\d+)$/.exec(id);
  if (!m) return null;
  const index = Number(m[2]);
  for (const c of chains)
    for (const v of c.operators) if (v.uid === m[1] && index < c.parallelism) return `${c.id}#${index}`;
  return null;
}
