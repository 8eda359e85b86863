import { create } from 'zustand';
import type { ActivityDescriptor, ConnectionDef, DryRunResponse, ValidationError, WorkflowDefinition } from '../api/models';
import { canRedo, canUndo, commit, initHistory, redo, replace, undo } from '../lib/history';
import type { History } from '../lib/history';
import { copySelection, paste, removeActivities, removeConnections } from '../lib/defops';
import type { Clipboard } from '../lib/defops';
import { accumulate, accumulateStep, emptyCoverage } from '../lib/coverage';
import type { Coverage } from '../lib/coverage';
import { edgeId } from '../lib/graph';

export interface Selection { nodes: string[]; edges: string[] }
export interface LoadedFrom { version: number | null; isDraft: boolean; publishedVersion?: number | null }
const NONE: Selection = { nodes: [], edges: [] };

export interface DryRunSession {
  response: DryRunResponse;
  steps: { label: string; at: string }[];
}

interface DesignerState {
  definitionId: string | null;
  history: History<WorkflowDefinition> | null;
  /** the definition as last saved/loaded, to tell whether there are unsaved changes */
  saved: WorkflowDefinition | null;
  /** what the editor opened: a version, or the draft (based on the published version `publishedVersion`) */
  loadedFrom: LoadedFrom | null;
  descriptors: Record<string, ActivityDescriptor>;
  selection: Selection;
  clipboard: Clipboard | null;
  pasteCount: number;
  validation: ValidationError[] | null;
  focus: { id: string; nonce: number } | null;
  dryRun: DryRunSession | null;
  /** coverage per definition id, accumulated across dry runs */
  coverage: Record<string, Coverage>;
  showCoverage: boolean;

  load: (def: WorkflowDefinition, from: LoadedFrom) => void;
  setDescriptors: (d: ActivityDescriptor[]) => void;
  /** applies a change; `transient` replaces the present without an undo entry (dragging) */
  apply: (fn: (d: WorkflowDefinition) => WorkflowDefinition, transient?: boolean) => void;
  checkpoint: () => void;
  undo: () => void;
  redo: () => void;
  select: (s: Partial<Selection>) => void;
  copy: () => void;
  paste: () => void;
  deleteSelection: () => void;
  markSaved: (def?: WorkflowDefinition) => void;
  setValidation: (v: ValidationError[] | null) => void;
  focusNode: (id: string) => void;
  setDryRun: (r: DryRunResponse | null, label?: string, newRun?: boolean) => void;
  resetCoverage: () => void;
  setShowCoverage: (b: boolean) => void;
}

export const useDesigner = create<DesignerState>((set, get) => ({
  definitionId: null,
  history: null,
  saved: null,
  loadedFrom: null,
  descriptors: {},
  selection: NONE,
  clipboard: null,
  pasteCount: 0,
  validation: null,
  focus: null,
  dryRun: null,
  coverage: {},
  showCoverage: false,

  load: (def, from) =>
    set({ definitionId: def.id, history: initHistory(def), saved: def, loadedFrom: from, selection: NONE, validation: null, dryRun: null, pasteCount: 0 }),
  setDescriptors: (list) => set({ descriptors: Object.fromEntries(list.map((d) => [d.type, d])) }),
  apply: (fn, transient) => {
    const h = get().history;
    if (!h) return;
    const next = fn(h.present);
    if (next === h.present) return;
    set({ history: transient ? replace(h, next) : commit(h, next) });
  },
  checkpoint: () => {
    const h = get().history;
    if (h) set({ history: { past: [...h.past, h.present], present: h.present, future: [] } });
  },
  undo: () => {
    const h = get().history;
    if (h && canUndo(h)) set({ history: undo(h), selection: NONE });
  },
  redo: () => {
    const h = get().history;
    if (h && canRedo(h)) set({ history: redo(h), selection: NONE });
  },
  select: (s) => set({ selection: { ...get().selection, ...s } }),
  copy: () => {
    const h = get().history;
    const ids = get().selection.nodes;
    if (h && ids.length) set({ clipboard: copySelection(h.present, ids), pasteCount: 0 });
  },
  paste: () => {
    const { history: h, clipboard, pasteCount } = get();
    if (!h || !clipboard || !clipboard.activities.length) return;
    const n = pasteCount + 1;
    const { def, ids } = paste(h.present, clipboard, { x: 40 * n, y: 40 * n });
    set({ history: commit(h, def), selection: { nodes: ids, edges: [] }, pasteCount: n });
  },
  deleteSelection: () => {
    const { history: h, selection } = get();
    if (!h || (!selection.nodes.length && !selection.edges.length)) return;
    let def = removeActivities(h.present, selection.nodes);
    const edgeIds = new Set(selection.edges);
    def = removeConnections(def, def.connections.filter((c) => edgeIds.has(edgeId(c))));
    set({ history: commit(h, def), selection: NONE });
  },
  markSaved: (def) => {
    const h = get().history;
    set({ saved: def ?? h?.present ?? null });
  },
  setValidation: (v) => set({ validation: v }),
  focusNode: (id) => set({ focus: { id, nonce: Date.now() }, selection: { nodes: [id], edges: [] } }),
  setDryRun: (r, label, newRun) => {
    const { dryRun, coverage, definitionId } = get();
    if (!r) {
      set({ dryRun: null });
      return;
    }
    const id = definitionId ?? '';
    const cov = coverage[id] ?? emptyCoverage();
    const next = newRun || !dryRun
      ? accumulate(cov, r.view.visitedActivities, r.view.traversedConnections, true)
      : accumulateStep(cov, dryRun.response.view.visitedActivities, dryRun.response.view.traversedConnections, r.view.visitedActivities, r.view.traversedConnections);
    const steps = newRun || !dryRun ? [] : dryRun.steps;
    set({
      dryRun: { response: r, steps: [...steps, { label: label ?? 'Step', at: new Date().toISOString() }] },
      coverage: { ...coverage, [id]: next },
    });
  },
  resetCoverage: () => {
    const { coverage, definitionId } = get();
    set({ coverage: { ...coverage, [definitionId ?? '']: emptyCoverage() } });
  },
  setShowCoverage: (b) => set({ showCoverage: b }),
}));

export const useDefinition = () => useDesigner((s) => s.history?.present ?? null);
export const useCanUndo = () => useDesigner((s) => !!s.history && canUndo(s.history));
export const useCanRedo = () => useDesigner((s) => !!s.history && canRedo(s.history));
export const useDirty = () => useDesigner((s) => !!s.history && s.history.present !== s.saved);

export type { ConnectionDef };
