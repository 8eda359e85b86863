import { describe, expect, it } from 'vitest';
import { isCrowded, withPositions } from './crowding';
import type { WorkflowDefinition } from '../api/models';

const def = (positions: ({ x: number; y: number } | undefined)[]): WorkflowDefinition => ({
  id: 'd',
  name: 'd',
  activities: positions.map((position, i) => ({ id: `a${i}`, type: 'SetStatus', inputs: {}, position })),
  connections: [],
});

describe('crowded positions', () => {
  it('accepts nodes spaced at least a node apart', () => {
    expect(isCrowded(def([{ x: 0, y: 0 }, { x: 0, y: 160 }, { x: 260, y: 0 }]))).toBe(false);
    expect(isCrowded(def([]))).toBe(false);
  });
  it('flags overlapping boxes and missing positions', () => {
    expect(isCrowded(def([{ x: 420, y: 200 }, { x: 550, y: 200 }]))).toBe(true);
    expect(isCrowded(def([{ x: 0, y: 0 }, undefined]))).toBe(true);
  });
  it('replaces positions without touching the rest', () => {
    const d = def([{ x: 0, y: 0 }, { x: 10, y: 0 }]);
    const out = withPositions(d, { a1: { x: 300, y: 0 } });
    expect(out.activities[0]).toBe(d.activities[0]);
    expect(out.activities[1].position).toEqual({ x: 300, y: 0 });
    expect(isCrowded(out)).toBe(false);
    expect(d.activities[1].position).toEqual({ x: 10, y: 0 });
  });
});
