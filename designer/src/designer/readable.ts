import { useQuery } from '@tanstack/react-query';
import type { WorkflowDefinition } from '../api/models';
import { isCrowded, withPositions } from '../lib/crowding';

/**
 * For read-only diagrams (instance viewer, version diff): the definition as stored, or laid out anew when its
 * positions overlap (undefined while that layout runs, so that the canvas fits its view once, on final positions).
 */
export function useReadableDefinition<D extends WorkflowDefinition>(def: D | null | undefined): D | null | undefined {
  const crowded = !!def && isCrowded(def);
  const laidOut = useQuery({
    queryKey: ['readable-layout', def],
    queryFn: async () => {
      const { autoLayout } = await import('../lib/layout');
      // nodes are not measured yet: reserve the widest a node gets (.activity-node max-width) so that none overlap
      const sizes = Object.fromEntries(def!.activities.map((a) => [a.id, { width: 320, height: 100 }]));
      return withPositions(def!, await autoLayout(def!, sizes));
    },
    enabled: crowded,
    staleTime: Infinity,
  });
  return crowded ? laidOut.data : def;
}
