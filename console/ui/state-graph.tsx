/**
 * The state graph of an execution's definition, laid out by elkjs (layered, top to bottom, Map and
 * Parallel states as boxes around their states) and drawn as SVG: each kind of state has its own shape,
 * each state the colour of what happened to it — across every target, or along one target's Map iterations.
 */

import * as elkModule from 'elkjs/lib/elk.bundled.js';
import type { ELK, ElkNode } from 'elkjs/lib/elk-api.js';
import { useEffect, useState } from 'preact/hooks';
import type { HistoryEventView } from '../api-types.ts';
import { definitionGraph, type GraphEdge, type GraphNode, type StateRun, stateRuns } from './graph-model.ts';

// The bundle is CommonJS: its constructor is the namespace's `default` once bundled.
const ElkConstructor = (elkModule as unknown as { default: new () => ELK }).default;
const elk = new ElkConstructor();

const RUN_LABELS: Record<StateRun, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  caught: 'failed, caught',
  running: 'in progress',
  'not-run': 'not run',
};

interface Placed {
  readonly x: number;
  readonly y: number;
}

function Shape({ node, at }: { node: GraphNode; at: Placed }) {
  const w = node.width ?? 0;
  const h = node.height ?? 0;
  const { x, y } = at;
  switch (node.type) {
    case 'Choice':
      return (
        <polygon
          points={`${x + 12},${y} ${x + w - 12},${y} ${x + w},${y + h / 2} ${x + w - 12},${y + h} ${x + 12},${y + h} ${x},${y + h / 2}`}
        />
      );
    case 'Succeed':
    case 'Fail':
      return <rect x={x} y={y} width={w} height={h} rx={h / 2} class="terminal" />;
    case 'Map':
    case 'Parallel':
      return <rect x={x} y={y} width={w} height={h} rx={8} class="compound" />;
    default:
      return <rect x={x} y={y} width={w} height={h} rx={node.type === 'Task' ? 6 : 2} />;
  }
}

function NodeView({
  node,
  runs,
  offset,
}: {
  node: GraphNode;
  runs: ReadonlyMap<string, StateRun>;
  offset: Placed;
}) {
  const at = { x: offset.x + (node.x ?? 0), y: offset.y + (node.y ?? 0) };
  const compound = (node.children?.length ?? 0) > 0 || node.type === 'Map' || node.type === 'Parallel';
  if (node.type === undefined) {
    // A Parallel branch: a quiet frame around its states.
    return (
      <g class="branch">
        <rect x={at.x} y={at.y} width={node.width ?? 0} height={node.height ?? 0} rx={6} />
        <text x={at.x + 8} y={at.y + 18}>
          {node.label}
        </text>
        <Children node={node} runs={runs} offset={at} />
      </g>
    );
  }
  const run = runs.get(node.label) ?? 'not-run';
  const kind =
    node.callback === true
      ? `${node.type} state that waits for an answer to its task token`
      : `${node.type} state`;
  const runLabel = node.callback === true && run === 'running' ? 'waiting for an answer' : RUN_LABELS[run];
  const description = `${node.label}: ${kind}, ${runLabel}`;
  return (
    <g
      class={`state type-${node.type.toLowerCase()} run-${run}${node.callback === true ? ' callback' : ''}`}
      data-state={node.label}
      data-run={run}
    >
      <g aria-label={description}>
        <title>{description}</title>
        <Shape node={node} at={at} />
        <text
          x={compound ? at.x + 10 : at.x + (node.width ?? 0) / 2}
          y={compound ? at.y + 19 : at.y + (node.height ?? 0) / 2 + 4}
          text-anchor={compound ? 'start' : 'middle'}
        >
          {compound ? `${node.type}: ${node.label}` : node.label}
        </text>
      </g>
      <Children node={node} runs={runs} offset={at} />
    </g>
  );
}

function EdgeView({ edge, offset }: { edge: GraphEdge; offset: Placed }) {
  return (
    <>
      {(edge.sections ?? []).map((section, i) => {
        const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]
          .map((p) => `${offset.x + p.x},${offset.y + p.y}`)
          .join(' ');
        return <polyline key={i} points={points} class={`edge edge-${edge.kind}`} marker-end="url(#arrow)" />;
      })}
    </>
  );
}

function Children({
  node,
  runs,
  offset,
}: {
  node: GraphNode;
  runs: ReadonlyMap<string, StateRun>;
  offset: Placed;
}) {
  return (
    <>
      {(node.edges ?? []).map((edge) => (
        <EdgeView edge={edge} offset={offset} key={edge.id} />
      ))}
      {(node.children ?? []).map((child) => (
        <NodeView node={child} runs={runs} offset={offset} key={child.id} />
      ))}
    </>
  );
}

export function StateGraph({
  definition,
  events,
  status,
  target,
}: {
  definition: unknown;
  events: readonly HistoryEventView[];
  status: string;
  /** Colour only this target's Map iterations (its index); every iteration when undefined. */
  target?: number | undefined;
}) {
  const [laid, setLaid] = useState<GraphNode | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const graph = definitionGraph(definition);
    if (graph === undefined) {
      setError('the definition is not one the console can draw');
      return;
    }
    let live = true;
    elk
      .layout(graph as unknown as ElkNode)
      .then((result: ElkNode) => live && setLaid(result as unknown as GraphNode))
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [definition]);

  if (error !== undefined) return <p class="bad">Cannot draw the state graph: {error}</p>;
  if (laid === undefined) return <p>Laying out the state graph…</p>;
  const runs = stateRuns(definition, events, status, target);
  const width = (laid.width ?? 0) + 2;
  const height = (laid.height ?? 0) + 2;
  return (
    <figure class="graph">
      <svg
        width={width}
        height={height}
        viewBox={`-1 -1 ${width} ${height}`}
        role="img"
        aria-label={
          target === undefined
            ? 'State graph of the execution'
            : `State graph of the execution, target ${target + 1}'s path`
        }
        data-target={target === undefined ? 'all' : target + 1}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" />
          </marker>
        </defs>
        <Children node={laid} runs={runs} offset={{ x: 0, y: 0 }} />
      </svg>
      <figcaption class="legend">
        {(Object.keys(RUN_LABELS) as StateRun[]).map((run) => (
          <span class={`legend-item run-${run}`} key={run}>
            <svg width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" rx="2" />
            </svg>{' '}
            {RUN_LABELS[run]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
