import { useQuery } from '@tanstack/react-query';
import type { WorkflowDefinition } from '../api/models';
import { withPositions } from '../lib/crowding';
import { nodeSize, overlapping } from '../lib/layout';
import { useActivities } from './api';

/**
 * For read-only diagrams (instance viewer, version diff): the definition as stored, or laid out anew in department
 * lanes when its boxes overlap (undefined while that layout runs, so that the canvas fits its view once, on final
 * positions). Sizes are the nodes' (src/lib/layout.ts nodeSize), from the activity descriptors once they are known.
 */
export function useReadableDefinition<D extends WorkflowDefinition>(def: D | null | undefined): D | null | undefined {
  const activities = useActivities();
  const ds = Object.fromEntries((activities.data ?? []).map((d) => [d.type, d]));
  const crowded = !!def && !!overlapping(def, (a) => nodeSize(a, ds[a.type], def.connections));
  const laidOut = useQuery({
    queryKey: ['readable-layout', def, activities.data?.length ?? 0],
    queryFn: async () => {
      const { laneLayout } = await import('../lib/layout');
      return withPositions(def!, (await laneLayout(def!, ds)).positions);
    },
    enabled: crowded,
    staleTime: Infinity,
  });
  return crowded ? laidOut.data : def;
}
