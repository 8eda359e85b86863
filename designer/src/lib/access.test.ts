import { describe, expect, it } from 'vitest';
import { canApproveDefinitions, canEditDefinitions, canRetryIncidents, canSeeDesignerArea, isOpenIncident, mayApprovePublishRequest, taskStatus, waitsBesideTasks } from './access';

describe('access from /api/auth/me', () => {
  const analyst = { username: 'analyst1', rights: ['definitions:edit'] };
  const supervisor = { username: 'supervisor1', rights: ['wd:export', 'incidents:retry', 'instances:cancel'] };
  const cs = { username: 'cs1', rights: ['wd:create'] };
  it('maps rights to areas and actions', () => {
    expect(canEditDefinitions(analyst)).toBe(true);
    expect(canRetryIncidents(analyst)).toBe(false);
    expect(canSeeDesignerArea(analyst)).toBe(true);
    expect(canEditDefinitions(supervisor)).toBe(false);
    expect(canRetryIncidents(supervisor)).toBe(true);
    expect(canSeeDesignerArea(supervisor)).toBe(true);
    expect(canSeeDesignerArea(cs)).toBe(false);
    expect(canSeeDesignerArea(undefined)).toBe(false);
    expect(canRetryIncidents({ username: 'dev-system', rights: [], isSystem: true })).toBe(true);
  });
});

describe('status helpers', () => {
  it('compares server statuses case-insensitively', () => {
    expect(isOpenIncident({ status: 'Open' })).toBe(true);
    expect(isOpenIncident({ status: 'Resolved' })).toBe(false);
    expect(isOpenIncident({ status: 'resolved' })).toBe(false);
    expect(taskStatus({ status: 'Open' })).toBe('open');
  });
  it('does not list a task bookmark next to its task', () => {
    const waits = [
      { kind: 'Task', activityId: 'review' },
      { kind: 'Event', activityId: 'wait' },
      { kind: 'Task', activityId: 'other' },
    ];
    expect(waitsBesideTasks(waits, [{ activityId: 'review' }])).toEqual([waits[1], waits[2]]);
  });
});

describe('publish requests (four eyes)', () => {
  const analyst1 = { username: 'analyst1', rights: ['definitions:edit', 'definitions:approve'] };
  const analyst2 = { username: 'analyst2', rights: ['definitions:edit', 'definitions:approve'] };
  const editorOnly = { username: 'editor', rights: ['definitions:edit'] };
  const system = { username: 'dev-system', rights: [], isSystem: true };
  const pending = { submittedBy: 'analyst1', status: 'Pending' };

  it('lets another analyst with definitions:approve approve a pending request', () => {
    expect(mayApprovePublishRequest(analyst2, pending)).toBe(true);
  });

  it('never lets the submitter approve their own request', () => {
    expect(mayApprovePublishRequest(analyst1, pending)).toBe(false);
  });

  it('refuses editors without the approve right, systems, and decided requests', () => {
    expect(mayApprovePublishRequest(editorOnly, pending)).toBe(false);
    expect(canApproveDefinitions(system)).toBe(false);
    expect(mayApprovePublishRequest(analyst2, { ...pending, status: 'Approved' })).toBe(false);
  });
});
