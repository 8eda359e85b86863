import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../api/models';
import { descriptorMap } from './graph';
import { descriptors, wd } from './fixtures';
import { departmentLanes, laneLayout, lanesFromPositions, nodeSize, overlapping } from './layout';
import { withPositions } from './crowding';

// the shipped flow (workflows/wd-request.json): 28 activities, five departments, loops back to CS
const shipped = (): WorkflowDefinition => JSON.parse(readFileSync(new URL('../../../workflows/wd-request.json', import.meta.url), 'utf8'));
const ds = descriptorMap(descriptors);
const size = (def: WorkflowDefinition) => (a: WorkflowDefinition['activities'][number]) => nodeSize(a, ds[a.type], def.connections);

describe('department lanes', () => {
  it('takes a task\'s own department, else the next one\'s, else the previous one\'s', () => {
    const lanes = departmentLanes(shipped());
    expect(lanes.cs_new).toBe('CS');
    expect(lanes.st_ret_cs).toBe('Retention');
    expect(lanes.load_ret_cs).toBe('Retention'); // loads the account for the Retention task after it
    expect(lanes.start).toBe('CS');
    expect(lanes.bo_approved).toBe('Backoffice');
    expect(new Set(Object.values(lanes))).toEqual(new Set(['CS', 'Retention', 'Dealing', 'Backoffice']));
  });
  it('leaves an activity linked to no department out of the lanes (just added from the palette)', async () => {
    const def = shipped();
    def.activities.push({ id: 'loose', type: 'UserTask', inputs: { actions: [{ name: 'Go', displayName: 'Go' }] }, position: { x: 0, y: 5000 } });
    expect(departmentLanes(def).loose).toBeNull();
    const { positions, lanes } = await laneLayout(def, ds);
    expect(lanes.map((l) => l.name)).toEqual(['CS', 'Retention', 'Dealing', 'Backoffice']);
    const last = lanes[lanes.length - 1];
    expect(positions.loose.y).toBeGreaterThanOrEqual(last.y + last.height);
    expect(lanesFromPositions(withPositions(def, positions), size(def))?.map((l) => l.name)).toEqual(['CS', 'Retention', 'Dealing', 'Backoffice']);
  }, 60_000);
  it('has no lanes when no activity names a department', () => {
    const def = wd();
    delete def.activities[1].inputs.department;
    expect(Object.values(departmentLanes(def)).every((l) => l === null)).toBe(true);
  });
});

// ELK on a shared CI core can take seconds
describe('lane layout of the shipped wd-request', { timeout: 60_000 }, () => {
  it('puts every department in one band, top to bottom in the order the flow reaches them, Start on top', async () => {
    const def = shipped();
    const { positions, lanes } = await laneLayout(def, ds);
    expect(lanes.map((l) => l.name)).toEqual(['CS', 'Retention', 'Dealing', 'Backoffice']);
    const laneOf = departmentLanes(def);
    for (const a of def.activities) {
      const band = lanes.find((l) => l.name === laneOf[a.id])!;
      const p = positions[a.id];
      const s = size(def)(a);
      expect(p.y, a.id).toBeGreaterThanOrEqual(band.y);
      expect(p.y + s.height, a.id).toBeLessThanOrEqual(band.y + band.height);
    }
    for (let i = 1; i < lanes.length; i++) expect(lanes[i].y).toBeGreaterThanOrEqual(lanes[i - 1].y + lanes[i - 1].height);
  });
  it('overlaps no two nodes and keeps Start alone in the leftmost column', async () => {
    const def = shipped();
    expect(overlapping(def, size(def))).not.toBeNull(); // as shipped, boxes overlap
    const { positions } = await laneLayout(def, ds);
    const laid = withPositions(def, positions);
    expect(overlapping(laid, size(laid))).toBeNull();
    const startX = positions.start.x;
    for (const a of def.activities) if (a.id !== 'start') expect(positions[a.id].x, a.id).toBeGreaterThan(startX);
  });
  it('reads its lanes back from the positions it wrote, and none once a node is dragged into another lane', async () => {
    const def = shipped();
    const { positions, lanes } = await laneLayout(def, ds);
    const laid = withPositions(def, positions);
    expect(lanesFromPositions(laid, size(laid))?.map((l) => l.name)).toEqual(lanes.map((l) => l.name));
    const intoDealing = withPositions(laid, { cs_new: { x: positions.cs_new.x, y: positions.dea_ret.y } });
    expect(lanesFromPositions(intoDealing, size(intoDealing))).toBeNull();
  });
  it('is stable: laying out a laid-out flow changes no position', async () => {
    const def = shipped();
    const first = (await laneLayout(def, ds)).positions;
    const second = (await laneLayout(withPositions(def, first), ds)).positions;
    expect(second).toEqual(first);
  });
});
