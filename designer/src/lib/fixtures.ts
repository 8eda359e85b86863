import type { ActivityDescriptor, WorkflowDefinition } from '../api/models';

// Shared by unit tests.
export const descriptors: ActivityDescriptor[] = [
  { type: 'Start', category: 'Flow', displayName: 'Start', inputs: [], outputs: [], outcomes: ['Done'], dynamicOutcomes: null, isWaitState: false },
  { type: 'End', category: 'Flow', displayName: 'End', inputs: [{ name: 'status', displayName: 'Status', kind: 'text', required: false }], outputs: [], outcomes: [], dynamicOutcomes: null, isWaitState: false },
  {
    type: 'UserTask', category: 'Human', displayName: 'User task', isWaitState: true, dynamicOutcomes: 'actions', outputs: [],
    outcomes: ['Escalated'],
    inputs: [
      { name: 'status', displayName: 'Status', kind: 'text', required: true },
      { name: 'department', displayName: 'Department', kind: 'text', required: true },
      { name: 'escalate', displayName: 'Escalate', kind: 'boolean', required: false },
      { name: 'actions', displayName: 'Actions', kind: 'actions', required: true },
    ],
  },
  { type: 'Switch', category: 'Flow', displayName: 'Switch', inputs: [{ name: 'cases', displayName: 'Cases', kind: 'cases', required: true }], outputs: [], outcomes: [], dynamicOutcomes: 'cases', isWaitState: false },
  { type: 'Fork', category: 'Flow', displayName: 'Fork', inputs: [{ name: 'branches', displayName: 'Branches', kind: 'stringList', required: true }], outputs: [], outcomes: [], dynamicOutcomes: 'branches', isWaitState: false },
  { type: 'Timer', category: 'Timers', displayName: 'Timer', inputs: [{ name: 'duration', displayName: 'Duration', kind: 'duration', required: true, defaultValue: 'PT1H' }], outputs: [], outcomes: ['Done'], dynamicOutcomes: null, isWaitState: true },
];

export const wd = (): WorkflowDefinition => ({
  id: 'wd',
  name: 'WD',
  variables: [{ name: 'amount', type: 'number' }],
  activities: [
    { id: 'start', type: 'Start', inputs: {}, position: { x: 0, y: 0 } },
    { id: 'cs', type: 'UserTask', displayName: 'CS', inputs: { status: 'New', department: 'CS', actions: [{ name: 'PassToRetention', displayName: 'Pass' }, { name: 'Reject', displayName: 'Reject' }] }, position: { x: 0, y: 100 } },
    { id: 'done', type: 'End', inputs: { status: 'Completed' }, position: { x: 0, y: 200 } },
    { id: 'rejected', type: 'End', inputs: { status: 'Rejected' }, position: { x: 200, y: 200 } },
  ],
  connections: [
    { source: 'start', outcome: 'Done', target: 'cs' },
    { source: 'cs', outcome: 'PassToRetention', target: 'done' },
    { source: 'cs', outcome: 'Reject', target: 'rejected' },
  ],
  interrupts: [{ event: 'ClientCancel', target: 'rejected' }],
});
