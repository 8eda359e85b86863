import { memo, useEffect } from 'react';
import { Handle, Position, useUpdateNodeInternals } from '@xyflow/react';
import type { NodeProps, Node } from '@xyflow/react';
import type { ActivityNodeData } from '../lib/graph';

export type ActivityFlowNode = Node<ActivityNodeData & { badge?: string; coverage?: number | null }, 'activity'>;

const CATEGORY_COLOURS: Record<string, string> = {
  flow: '#64748b',
  human: '#2563eb',
  'user tasks': '#2563eb',
  tasks: '#2563eb',
  timers: '#d97706',
  time: '#d97706',
  events: '#7c3aed',
  data: '#0d9488',
  integration: '#db2777',
  crm: '#0891b2',
  ledger: '#059669',
};

export function categoryColour(category: string | undefined, type: string): string {
  if (type === 'Start') return '#16a34a';
  if (type === 'End') return '#475569';
  const c = (category ?? '').toLowerCase();
  if (CATEGORY_COLOURS[c]) return CATEGORY_COLOURS[c];
  let h = 0;
  for (const ch of c || type) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 55% 42%)`;
}

function summary(d: ActivityNodeData): string[] {
  const i = d.activity.inputs ?? {};
  const lines: string[] = [];
  const status = typeof i.status === 'string' ? i.status : null;
  const dept = typeof i.department === 'string' ? i.department : null;
  if (status || dept) lines.push([status, dept].filter(Boolean).join(' · '));
  if (typeof i.dueIn === 'string') lines.push(`SLA ${i.dueIn}${i.escalate ? ' · escalates' : ''}`);
  if (typeof i.duration === 'string') lines.push(`after ${i.duration}`);
  if (typeof i.cron === 'string') lines.push(`cron ${i.cron}`);
  if (typeof i.eventName === 'string') lines.push(`event ${i.eventName}`);
  if (typeof i.event === 'string') lines.push(`event ${i.event}`);
  if (typeof i.definition === 'string') lines.push(`calls ${i.definition}`);
  return lines.slice(0, 2);
}

function ActivityNodeImpl({ id, data, selected }: NodeProps<ActivityFlowNode>) {
  const d = data;
  const colour = categoryColour(d.descriptor?.category, d.activity.type);
  const isStart = d.activity.type === 'Start';
  const outs = [...d.outcomes.map((o) => ({ o, orphan: false })), ...d.orphans.map((o) => ({ o, orphan: true }))];
  // React Flow measures a node's handles only when the node is first shown or changes size. A renamed or added action
  // gives the node a new handle at the same size, so without this its outcome could not be dragged and its edge (saved
  // all right) would not be drawn until a reload.
  const updateInternals = useUpdateNodeInternals();
  const handleKey = outs.map(({ o, orphan }) => `${orphan ? '!' : ''}${o}`).join('\u0000');
  useEffect(() => updateInternals(id), [handleKey, id, updateInternals]);
  return (
    <div className={`activity-node ${selected ? 'selected' : ''} ${d.descriptor ? '' : 'unknown-type'}`} data-testid={`node-${id}`} style={{ ['--accent' as string]: colour }}>
      {!isStart && <Handle type="target" position={Position.Left} className="target-handle" />}
      <div className="node-head">
        <span className="node-type">{d.descriptor?.displayName ?? d.activity.type}</span>
        {d.descriptor?.isWaitState && <span className="node-wait" title="Waits (task, timer or event)">waits</span>}
        {d.badge && <span className="node-badge">{d.badge}</span>}
      </div>
      <div className="node-title" title={`${d.activity.displayName || d.activity.id} (${d.activity.id})`}>
        {d.activity.displayName || d.activity.id}
      </div>
      {summary(d).map((l, i) => (
        <div className="node-line" key={i}>
          {l}
        </div>
      ))}
      {!d.descriptor && <div className="node-line warn">Unknown activity type</div>}
      {outs.length > 0 && (
        <div className="node-outcomes">
          {outs.map(({ o, orphan }) => (
            <div key={o} className={`outcome ${orphan ? 'orphan' : ''}`} title={orphan ? `“${o}” is no longer an outcome of this activity` : o} data-testid={`outcome-${id}-${o}`}>
              <span>{o}</span>
              <Handle type="source" position={Position.Right} id={o} className="source-handle" isConnectable={!orphan} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

export const ActivityNode = memo(ActivityNodeImpl);
export const nodeTypes = { activity: ActivityNode };
