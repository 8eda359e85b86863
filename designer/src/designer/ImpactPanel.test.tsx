import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ImpactReport } from '../api/models';
import { ImpactPanel } from './ImpactPanel';
import { sortImpact, summarizeImpact } from '../lib/impact';

const report: ImpactReport = {
  definitionId: 'sample-approval',
  considered: 3,
  counts: { unchanged: 1, valuesChanged: 0, pathChanged: 0, outcomeChanged: 1, notPreviewable: 1, notApplicable: 0 },
  items: [
    { instanceId: '11111111-0000-0000-0000-000000000000', correlationId: 'old-1', version: 1, createdAt: '2026-12-02T05:00:00Z', status: 'Completed', businessStatus: 'Approved',
      impact: 'notPreviewable', reason: 'It ran before this release recorded step commands.', firstDivergentStep: null, recorded: null, draft: null },
    { instanceId: '22222222-0000-0000-0000-000000000000', correlationId: 'big-1', version: 1, createdAt: '2026-12-02T04:59:00Z', status: 'Running', businessStatus: 'ApprovedByCS',
      impact: 'unchanged', reason: null, firstDivergentStep: null, recorded: null, draft: null },
    { instanceId: '33333333-0000-0000-0000-000000000000', correlationId: 'small-1', version: 1, createdAt: '2026-12-02T04:58:00Z', status: 'Completed', businessStatus: 'Approved',
      impact: 'outcomeChanged', reason: null,
      firstDivergentStep: { instance: 0, definitionId: 'sample-approval', index: 9, activityId: 'bigAmount', recorded: 'ActivityCompleted bigAmount → False', draft: 'ActivityCompleted bigAmount → True' },
      recorded: { status: 'Completed', businessStatus: 'Approved', finalOutcome: 'Approved' }, draft: { status: 'Running', businessStatus: 'ApprovedByCS', finalOutcome: null } },
  ],
};

describe('impact preview', () => {
  it('summarises what would change and what could not be compared', () => {
    expect(summarizeImpact(report)).toBe('1 of 3 recent instances would change: 1 outcome. 1 not previewable.');
    expect(summarizeImpact({ ...report, considered: 0, items: [], counts: {} })).toBe('No recent instances to compare.');
    expect(summarizeImpact({ ...report, counts: { unchanged: 3 } })).toBe('None of the 3 recent instances would change.');
  });

  it('lists affected instances first', () => {
    expect(sortImpact(report.items).map((i) => i.impact)).toEqual(['outcomeChanged', 'notPreviewable', 'unchanged']);
  });

  it('renders a labelled table whose rows say in words what changes and where', () => {
    const html = renderToStaticMarkup(<ImpactPanel report={report} />);
    expect(html).toContain('role="status"');
    expect(html).toContain('<caption');
    expect(html).toContain('scope="col"');
    const rows = [...html.matchAll(/data-impact="(\w+)"/g)].map((m) => m[1]);
    expect(rows).toEqual(['outcomeChanged', 'notPreviewable', 'unchanged']);
    expect(html).toContain('Outcome changes');
    expect(html).toContain('bigAmount');
    expect(html).toContain('draft: ActivityCompleted bigAmount → True');
    expect(html).toContain('→ ApprovedByCS');
    expect(html).toContain('It ran before this release');
  });
});
