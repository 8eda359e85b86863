import { useMemo, useState } from 'react';
import type { ActivityDescriptor } from '../api/models';
import { DND_TYPE } from './FlowCanvas';
import { categoryColour } from './ActivityNode';
import { paletteGroups } from '../lib/palette';

/** Activity types from GET /api/activities, grouped by family in the order they are used (User task first); drag onto the canvas or click to add. */
export function Palette({ descriptors, onAdd }: { descriptors: ActivityDescriptor[]; onAdd: (type: string) => void }) {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => paletteGroups(descriptors, filter), [descriptors, filter]);

  return (
    <aside className="palette" data-testid="palette">
      <input className="palette-filter" placeholder="Search activities…" aria-label="Search activities" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {groups.map(([cat, list]) => (
        <div key={cat} className="palette-group">
          <div className="palette-cat">{cat}</div>
          {list.map((d) => (
            <div
              key={d.type}
              className="palette-item"
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData(DND_TYPE, d.type);
                e.dataTransfer.setData('text/plain', d.type);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onDoubleClick={() => onAdd(d.type)}
              title={d.description || d.type}
              data-testid={`palette-${d.type}`}
              style={{ ['--accent' as string]: categoryColour(d.category, d.type) }}
            >
              <span className="dot" />
              <span className="palette-name">{d.displayName}</span>
              <button className="palette-add" title={`Add ${d.displayName}`} aria-label={`Add ${d.displayName}`} onClick={() => onAdd(d.type)} data-testid={`palette-add-${d.type}`}>
                +
              </button>
            </div>
          ))}
        </div>
      ))}
      {groups.length === 0 && <p className="muted small">No activity matches.</p>}
      <p className="muted small hint">Drag onto the canvas, or press +. Connect an outcome (right) to an activity's left edge.</p>
    </aside>
  );
}
