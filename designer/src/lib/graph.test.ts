import { describe, expect, it } from 'vitest';
import { definitionToGraph, descriptorMap, graphToDefinition } from './graph';
import { descriptors, wd } from './fixtures';

describe('graph <-> definition', () => {
  it('makes one node per activity with outcome handles and one edge per connection', () => {
    const { nodes, edges } = definitionToGraph(wd(), descriptorMap(descriptors));
    expect(nodes.map((n) => n.id)).toEqual(['start', 'cs', 'done', 'rejected']);
    expect(nodes[1].data.outcomes).toEqual(['PassToRetention', 'Reject']);
    expect(edges).toHaveLength(3);
    expect(edges[1]).toMatchObject({ source: 'cs', sourceHandle: 'PassToRetention', target: 'done' });
  });
  it('round-trips to the same definition', () => {
    const def = wd();
    const { nodes, edges } = definitionToGraph(def, descriptorMap(descriptors));
    expect(graphToDefinition(def, nodes, edges)).toEqual(def);
  });
  it('takes positions from nodes, drops dangling and duplicate-outcome edges', () => {
    const def = wd();
    const { nodes, edges } = definitionToGraph(def, descriptorMap(descriptors));
    nodes[0].position = { x: 10.4, y: 20.6 };
    const out = graphToDefinition(def, nodes, [...edges, { source: 'cs', sourceHandle: 'Reject', target: 'done' }, { source: 'cs', sourceHandle: 'X', target: 'nope' }]);
    expect(out.activities[0].position).toEqual({ x: 10, y: 21 });
    expect(out.connections).toHaveLength(3);
  });
  it('marks orphan handles for connections whose outcome vanished', () => {
    const def = wd();
    def.connections.push({ source: 'cs', outcome: 'Gone', target: 'done' });
    const { nodes } = definitionToGraph(def, descriptorMap(descriptors));
    expect(nodes[1].data.orphans).toEqual(['Gone']);
  });
});
