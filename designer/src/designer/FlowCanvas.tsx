import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DragEvent } from 'react';
import {
  Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, MarkerType, useNodesInitialized, useReactFlow,
} from '@xyflow/react';
import type { Connection, Edge, EdgeChange, NodeChange, OnSelectionChangeParams } from '@xyflow/react';
import type { ActivityDescriptor, ConnectionDef, WorkflowDefinition } from '../api/models';
import { definitionToGraph, edgeId } from '../lib/graph';
import { nodeTypes, categoryColour } from './ActivityNode';
import type { ActivityFlowNode } from './ActivityNode';

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

function Inner({ definition, descriptors, decorations, edit, selection, focus, testId, fitKey, fitNodes }: Props) {
  const rf = useReactFlow();
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const [dragPos, setDragPos] = useState<Record<string, { x: number; y: number }> | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const graph = useMemo(() => definitionToGraph(definition, descriptors), [definition, descriptors]);
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

  const edges: Edge[] = useMemo(
    () =>
      graph.edges.map((e) => {
        const conn = { source: e.source, outcome: e.sourceHandle, target: e.target };
        const cls = decorations?.edgeClass?.(conn);
        return {
          ...e,
          label: undefined,
          type: 'smoothstep',
          selected: selEdges.has(e.id),
          className: cls,
          markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
          style: EDGE_STYLE,
          deletable: !!edit,
        };
      }),
    [graph, selEdges, decorations, edit],
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
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
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
        fitViewOptions={{ padding: 0.15, maxZoom: 1.1 }}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} size={1} color="#d7dce4" />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable nodeColor={(n) => categoryColour((n.data as ActivityFlowNode['data']).descriptor?.category, (n.data as ActivityFlowNode['data']).activity.type)} nodeStrokeWidth={2} />
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
