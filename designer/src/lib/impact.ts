import type { ImpactKind, ImpactReport, InstanceImpact } from '../api/models';

/** How each kind reads in the list; the words carry the meaning, the tone only repeats it. */
export const IMPACT_LABELS: Record<ImpactKind, { label: string; tone: string; explain: string }> = {
  outcomeChanged: { label: 'Outcome changes', tone: 'red', explain: 'It would end (or wait) in another status.' },
  pathChanged: { label: 'Path changes', tone: 'amber', explain: 'It would go through other steps.' },
  valuesChanged: { label: 'Values change', tone: 'violet', explain: 'Same steps and outcome, other values.' },
  notApplicable: { label: 'Not applicable', tone: 'gray', explain: 'It was acted on at a step the draft no longer has.' },
  notPreviewable: { label: 'Not previewable', tone: 'gray', explain: 'Its history was not recorded (it ran before this release).' },
  unchanged: { label: 'Unchanged', tone: 'green', explain: 'The draft would do exactly the same.' },
};

const ORDER: ImpactKind[] = ['outcomeChanged', 'pathChanged', 'valuesChanged', 'notApplicable', 'notPreviewable', 'unchanged'];

export const impactKind = (raw: string): ImpactKind => (ORDER as string[]).includes(raw) ? (raw as ImpactKind) : 'notPreviewable';

/** Affected instances first (by severity), then newest first within a kind, as the server listed them. */
export function sortImpact(items: InstanceImpact[]): InstanceImpact[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => ORDER.indexOf(impactKind(a.item.impact)) - ORDER.indexOf(impactKind(b.item.impact)) || a.i - b.i)
    .map((x) => x.item);
}

/** One sentence for the top of the list, e.g. "2 of 5 recent instances would change: 1 outcome, 1 path. 1 not previewable." */
export function summarizeImpact(report: ImpactReport): string {
  const n = (k: ImpactKind) => report.counts[k] ?? 0;
  const changed = n('outcomeChanged') + n('pathChanged') + n('valuesChanged');
  const parts = [
    n('outcomeChanged') && `${n('outcomeChanged')} outcome`,
    n('pathChanged') && `${n('pathChanged')} path`,
    n('valuesChanged') && `${n('valuesChanged')} values only`,
  ].filter(Boolean);
  const head = report.considered === 0
    ? 'No recent instances to compare.'
    : changed === 0
      ? `None of the ${report.considered} recent instances would change.`
      : `${changed} of ${report.considered} recent instances would change: ${parts.join(', ')}.`;
  const tail = [
    n('notApplicable') && `${n('notApplicable')} not applicable`,
    n('notPreviewable') && `${n('notPreviewable')} not previewable`,
  ].filter(Boolean);
  return tail.length ? `${head} ${tail.join(', ')}.` : head;
}
