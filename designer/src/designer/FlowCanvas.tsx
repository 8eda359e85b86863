import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DragEvent } from 'react';
import {
  Background, ControlButton, Controls, MiniMap, Panel, ReactFlow, ReactFlowProvider, MarkerType, useNodesInitialized, useReactFlow, useStore,
} from '@xyflow/react';
import type { Connection, Edge, EdgeChange, EdgeMouseHandler, NodeChange, OnSelectionChangeParams } from '@xyflow/react';
import type { ActivityDef, ActivityDescriptor, ConnectionDef, WorkflowDefinition } from '../api/models';
import { definitionToGraph, edgeId } from '../lib/graph';
import { lanesFromPositions, nodeSize } from '../lib/layout';
import type { LaneBand } from '../lib/layout';
import { edgeName, findNodes } from '../lib/canvasText';
import { nodeTypes, categoryColour } from './ActivityNode';
import type { ActivityFlowNode } from './ActivityNode';
import { edgeTypes } from './RoutedEdge';

export const DND_TYPE = 'application/x-approvalengine-activity';

export interface Decorations {
  nodeClass?: (id: string) => string | undefined;
  nodeBadge?: (id: string) => string | undefined;
  edgeClass?: (c: ConnectionDef) => string | undefined;
}

export interface EditHandlers {
  onMove: (positions: Record<string, { x: number; y: number }>, done: boolean) => void;
  onDragStart: () => void;
  onConnect: (c: ConnectionDef) => void;
  onDelete: (nodes: string[], edges: string[]) => void;
  onDropActivity: (type: string, position: { x: number; y: number }) => void;
  /** partial selection update: only the kind that changed */
  onSelect: (s: { nodes?: string[]; edges?: string[] }) => void;
}

interface Props {
  definition: WorkflowDefinition;
  descriptors: Record<string, ActivityDescriptor>;
  decorations?: Decorations;
  edit?: EditHandlers;
  selection?: { nodes: string[]; edges: string[] };
  focus?: { id: string; nonce: number } | null;
  testId?: string;
  fitKey?: string;
  /** where to look when the whole diagram would be too small to read (e.g. an instance's waiting and failing activities) */
  fitNodes?: string[];
}

const EDGE_STYLE = { strokeWidth: 1.6 };
/** below this zoom node labels cannot be read */
const READABLE_ZOOM = 0.55;
/**
 * A flow too large to fit at this zoom opens at it instead, Start's corner in view (titles 14 px and outcome chips
 * 12.5 px stay >= 10 px on screen); the rest is a pan or "Find a node" away.
 */
export const OPEN_ZOOM = 0.8;
/** the invisible band around an edge that takes clicks; a click goes to the nearest edge drawn, not the topmost band */
const EDGE_HIT_WIDTH = 16;

/** Distance from a point to an SVG path, sampled along the path (flow coordinates). */
function distanceToPath(path: SVGPathElement, x: number, y: number): number {
  const len = path.getTotalLength();
  let best = Infinity;
  for (let l = 0; l <= len; l += 3) {
    const p = path.getPointAtLength(l);
    best = Math.min(best, Math.hypot(p.x - x, p.y - y));
  }
  return best;
}

/** The department swimlanes, drawn under the nodes in flow coordinates; their names stay at the canvas's left edge. */
function Lanes({ lanes }: { lanes: LaneBand[] }) {
  const [tx, ty, zoom] = useStore((st) => st.transform);
  if (!lanes.length) return null;
  return (
    <>
      <div className="lane-layer" style={{ transform: `translate(${tx}px, ${ty}px) scale(${zoom})` }}>
        {lanes.map((l, i) => (
          <div key={l.name} className={`lane-band ${i % 2 ? 'odd' : ''}`} style={{ left: l.x, top: l.y, width: l.width, height: l.height }} />
        ))}
      </div>
      <div className="lane-labels" aria-hidden="true">
        {lanes.map((l) => (
          <div key={l.name} className="lane-label" data-testid="lane-label" data-lane={l.name} style={{ top: Math.max(0, ty + l.y * zoom), height: l.height * zoom }}>
            <span>{l.name}</span>
          </div>
        ))}
      </div>
    </>
  );
}

function Inner({ definition, descriptors, decorations, edit, selection, focus, testId, fitKey, fitNodes }: Props) {
  const rf = useReactFlow();
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const [dragPos, setDragPos] = useState<Record<string, { x: number; y: number }> | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const graph = useMemo(() => definitionToGraph(definition, descriptors), [definition, descriptors]);
  const [showMap, setShowMap] = useState(false);
  const [query, setQuery] = useState('');
  const [findIndex, setFindIndex] = useState(0);
  const matches = useMemo(() => findNodes(definition, query), [definition, query]);

  // lanes as the nodes stand (measured where the canvas has measured them); none when the positions are not in lanes
  const lanes = useMemo(() => {
    const size = (a: ActivityDef) => {
      const est = nodeSize(a, descriptors[a.type], definition.connections);
      const m = measured[a.id];
      return m ? { width: m.width, height: m.height } : est;
    };
    const at = dragPos ? { ...definition, activities: definition.activities.map((a) => (dragPos[a.id] ? { ...a, position: dragPos[a.id] } : a)) } : definition;
    return lanesFromPositions(at, size) ?? [];
  }, [definition, descriptors, measured, dragPos]);
  const selNodes = useMemo(() => new Set(selection?.nodes ?? []), [selection]);
  const selEdges = useMemo(() => new Set(selection?.edges ?? []), [selection]);

  const nodes: ActivityFlowNode[] = useMemo(
    () =>
      graph.nodes.map((n) => ({
        ...n,
        position: dragPos?.[n.id] ?? n.position,
        selected: selNodes.has(n.id),
        measured: measured[n.id],
        className: decorations?.nodeClass?.(n.id),
        data: { ...n.data, badge: decorations?.nodeBadge?.(n.id) },
        draggable: !!edit,
        connectable: !!edit,
        deletable: !!edit,
      })),
    [graph, dragPos, selNodes, measured, decorations, edit],
  );

  // each edge into an activity gets a channel of its own (RoutedEdge), ordered by where the edges come from
  const channel = useMemo(() => {
    const y = (id: string) => (dragPos?.[id] ?? graph.nodes.find((n) => n.id === id)?.position)?.y ?? 0;
    const into = new Map<string, { id: string; key: number }[]>();
    graph.edges.forEach((e, i) => {
      if (!into.has(e.target)) into.set(e.target, []);
      into.get(e.target)!.push({ id: e.id, key: y(e.source) * 1000 + i });
    });
    const lane = new Map<string, number>();
    for (const list of into.values()) list.sort((a, b) => a.key - b.key).forEach((x, k) => lane.set(x.id, k));
    return lane;
  }, [graph, dragPos]);

  const edges: Edge[] = useMemo(
    () =>
      graph.edges.map((e) => {
        const conn = { source: e.source, outcome: e.sourceHandle, target: e.target };
        const cls = decorations?.edgeClass?.(conn);
        return {
          ...e,
          label: undefined,
          // business words for screen readers ("Approve → Backoffice review (from Dealing review)"), not ids
          ariaLabel: edgeName(definition, conn),
          interactionWidth: EDGE_HIT_WIDTH,
          type: 'routed',
          data: { lane: channel.get(e.id) ?? 0 },
          selected: selEdges.has(e.id),
          className: cls,
          markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
          style: EDGE_STYLE,
          deletable: !!edit,
        };
      }),
    [graph, selEdges, decorations, edit, definition, channel],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<ActivityFlowNode>[]) => {
      let dims: Record<string, { width: number; height: number }> | null = null;
      let pos: Record<string, { x: number; y: number }> | null = null;
      let done = false;
      const sel: { id: string; selected: boolean }[] = [];
      for (const c of changes) {
        if (c.type === 'dimensions' && c.dimensions) (dims ??= {})[c.id] = c.dimensions;
        else if (c.type === 'position' && c.position) {
          (pos ??= {})[c.id] = c.position;
          if (c.dragging === false) done = true;
        } else if (c.type === 'position' && c.dragging === false) done = true;
        else if (c.type === 'select') sel.push({ id: c.id, selected: c.selected });
      }
      if (dims) setMeasured((m) => ({ ...m, ...dims }));
      if (edit && (pos || done)) {
        const merged = { ...(dragPos ?? {}), ...(pos ?? {}) };
        if (done) {
          setDragPos(null);
          if (Object.keys(merged).length) edit.onMove(merged, true);
        } else setDragPos(merged);
      }
      if (sel.length && edit) {
        const next = new Set(selNodes);
        for (const s of sel) s.selected ? next.add(s.id) : next.delete(s.id);
        edit.onSelect({ nodes: [...next] });
      }
    },
    [edit, dragPos, selNodes],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      if (!edit) return;
      const sel = changes.filter((c) => c.type === 'select');
      if (!sel.length) return;
      const next = new Set(selEdges);
      for (const s of sel) if (s.type === 'select') s.selected ? next.add(s.id) : next.delete(s.id);
      edit.onSelect({ edges: [...next] });
    },
    [edit, selEdges],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (!edit || !c.source || !c.target) return;
      edit.onConnect({ source: c.source, outcome: c.sourceHandle ?? 'Done', target: c.target });
    },
    [edit],
  );

  const onSelectionChange = useCallback((_: OnSelectionChangeParams) => {}, []);

  // Edges of a bundle run side by side and each one's click band covers its neighbours: React Flow gives the click to
  // the topmost band, i.e. often to a neighbour. The nearest drawn line wins instead.
  const onEdgeClick: EdgeMouseHandler = useCallback(
    (event, edge) => {
      if (!edit || event.shiftKey || event.metaKey || event.ctrlKey) return;
      const p = rf.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      let best = edge.id;
      let bestD = Infinity;
      for (const g of wrapper.current?.querySelectorAll<SVGGElement>('.react-flow__edge') ?? []) {
        const path = g.querySelector<SVGPathElement>('path.react-flow__edge-path');
        const id = g.getAttribute('data-id');
        if (!path || !id) continue;
        const b = path.getBBox();
        if (p.x < b.x - EDGE_HIT_WIDTH || p.x > b.x + b.width + EDGE_HIT_WIDTH || p.y < b.y - EDGE_HIT_WIDTH || p.y > b.y + b.height + EDGE_HIT_WIDTH) continue;
        const d = distanceToPath(path, p.x, p.y);
        if (d < bestD - 0.01) {
          bestD = d;
          best = id;
        }
      }
      if (best !== edge.id) edit.onSelect({ nodes: [], edges: [best] });
    },
    [edit, rf],
  );

  const findNode = (id: string) => {
    const n = rf.getNode(id);
    if (!n) return;
    const w = n.measured?.width ?? 240;
    const h = n.measured?.height ?? 100;
    void rf.setCenter(n.position.x + w / 2, n.position.y + h / 2, { zoom: Math.max(rf.getZoom(), OPEN_ZOOM), duration: 250 });
    edit?.onSelect({ nodes: [id], edges: [] });
  };

  const onDragOver = (e: DragEvent) => {
    if (!edit) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (e: DragEvent) => {
    if (!edit) return;
    const type = e.dataTransfer.getData(DND_TYPE) || e.dataTransfer.getData('text/plain');
    if (!type || !descriptors[type]) return;
    e.preventDefault();
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    edit.onDropActivity(type, { x: p.x - 110, y: p.y - 30 });
  };

  useEffect(() => {
    if (!focus) return;
    const n = rf.getNode(focus.id);
    if (n) {
      const w = n.measured?.width ?? 220;
      const h = n.measured?.height ?? 90;
      void rf.setCenter(n.position.x + w / 2, n.position.y + h / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 400 });
    }
  }, [focus, rf]);

  const fitNodesKey = (fitNodes ?? []).join('\u0000');
  const initialized = useNodesInitialized();
  const fitted = useRef<string | null>(null);
  useEffect(() => {
    // once per fitKey/fitNodes, after the nodes are measured (not again when an edit adds a node)
    const key = `${fitKey ?? ''}\u0001${fitNodesKey}`;
    if (!initialized || fitted.current === key) return;
    const t = setTimeout(async () => {
      fitted.current = key;
      await rf.fitView({ padding: 0.15, maxZoom: 1.1 });
      const focusOn = fitNodesKey ? fitNodesKey.split('\u0000').filter((id) => rf.getNode(id)) : [];
      if (rf.getZoom() < READABLE_ZOOM && focusOn.length) {
        await rf.fitView({ nodes: focusOn.map((id) => ({ id })), padding: 0.8, minZoom: READABLE_ZOOM, maxZoom: 1 });
      } else if (rf.getZoom() < OPEN_ZOOM && !focusOn.length) {
        // too large to read whole: open readable at the top-left corner, where Start is (lane names take the left edge)
        const b = rf.getNodesBounds(rf.getNodes());
        await rf.setViewport({ x: 56 - b.x * OPEN_ZOOM, y: 40 - b.y * OPEN_ZOOM, zoom: OPEN_ZOOM });
      }
    }, 60);
    return () => clearTimeout(t);
  }, [fitKey, fitNodesKey, initialized, rf]);

  return (
    <div className="flow-canvas" ref={wrapper} data-testid={testId ?? 'canvas'} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<ActivityFlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onEdgeClick={onEdgeClick}
        onNodeDragStart={() => edit?.onDragStart()}
        onSelectionChange={onSelectionChange}
        onDelete={({ nodes: ns, edges: es }) => edit?.onDelete(ns.map((n) => n.id), es.map((e) => e.id))}
        deleteKeyCode={edit ? ['Delete', 'Backspace'] : null}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        nodesDraggable={!!edit}
        nodesConnectable={!!edit}
        elementsSelectable
        minZoom={0.15}
        maxZoom={2}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1.1, minZoom: OPEN_ZOOM }}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} size={1} color="#d7dce4" />
        <Lanes lanes={lanes} />
        <Panel position="top-right" className="find-node">
          <form
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              if (!matches.length) return;
              const i = findIndex % matches.length;
              findNode(matches[i].id);
              setFindIndex(i + 1);
            }}
          >
            <input
              type="search"
              list={`${testId ?? 'canvas'}-node-names`}
              placeholder="Find a node…"
              aria-label="Find a node by name"
              value={query}
              onChange={(e) => {
                setQuery(e.target.value);
                setFindIndex(0);
                const exact = definition.activities.find((a) => (a.displayName || a.id) === e.target.value);
                if (exact) findNode(exact.id);
              }}
              data-testid="find-node"
            />
            <datalist id={`${testId ?? 'canvas'}-node-names`}>
              {definition.activities.map((a) => <option key={a.id} value={a.displayName || a.id} />)}
            </datalist>
            {query && <span className="find-count" data-testid="find-count">{matches.length ? `${Math.min(findIndex, matches.length) || 1}/${matches.length}` : 'none'}</span>}
          </form>
        </Panel>
        <Controls showInteractive={false}>
          <ControlButton onClick={() => setShowMap((v) => !v)} title={showMap ? 'Hide the map' : 'Show the map'} aria-label={showMap ? 'Hide the map' : 'Show the map'} aria-pressed={showMap} data-testid="toggle-minimap">
            <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><rect x="1.5" y="3" width="13" height="10" rx="1" fill="none" stroke="currentColor" strokeWidth="1.6" /><rect x="8" y="7" width="5" height="4" fill="currentColor" /></svg>
          </ControlButton>
        </Controls>
        {/* off by default: at 1280 px a map in the corner hides nodes; it is a click away in the controls */}
        {showMap && <MiniMap pannable zoomable ariaLabel="Map of the flow" nodeColor={(n) => categoryColour((n.data as ActivityFlowNode['data']).descriptor?.category, (n.data as ActivityFlowNode['data']).activity.type)} nodeStrokeWidth={2} />}
      </ReactFlow>
    </div>
  );
}

export function FlowCanvas(props: Props) {
  return (
    <ReactFlowProvider>
      <Inner {...props} />
    </ReactFlowProvider>
  );
}

export { edgeId };
