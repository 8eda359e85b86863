import { memo } from 'react';
import { BaseEdge, getSmoothStepPath } from '@xyflow/react';
import type { Edge, EdgeProps } from '@xyflow/react';

export type RoutedEdgeData = { lane: number };
export type RoutedFlowEdge = Edge<RoutedEdgeData, 'routed'>;

/** How far apart two edges' vertical runs are, and how far before its target the first one turns. */
const LANE_STEP = 11;
const FIRST_TURN = 22;

/**
 * A right-angled route like React Flow's smoothstep, but every edge into one activity turns down (or up) in a
 * channel of its own just before that activity (`data.lane`: 0, 1, 2… among the edges into it), instead of all of
 * them at the midpoint. A bundle of edges into "Rejected" is then a set of parallel lines, each one clickable, rather
 * than one line drawn many times. Edges that run backwards keep smoothstep's detour.
 */
function RoutedEdgeImpl({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, style, interactionWidth, data }: EdgeProps<RoutedFlowEdge>) {
  const lane = data?.lane ?? 0;
  const forward = targetX - sourceX > 2 * FIRST_TURN;
  const centerX = forward ? Math.max(sourceX + FIRST_TURN / 2, targetX - FIRST_TURN - lane * LANE_STEP) : undefined;
  const [path] = getSmoothStepPath({
    sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition,
    borderRadius: 6,
    offset: 16 + lane * 6,
    ...(centerX !== undefined ? { centerX } : {}),
  });
  return <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={interactionWidth} />;
}

export const RoutedEdge = memo(RoutedEdgeImpl);
export const edgeTypes = { routed: RoutedEdge };
