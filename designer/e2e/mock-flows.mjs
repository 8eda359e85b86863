// Seed data for the development mock server: activity descriptors and two workflow definitions.
export const descriptors = [
  { type: 'Start', category: 'Flow', displayName: 'Start', description: 'Where the flow begins.', inputs: [], outputs: [], outcomes: ['Done'], dynamicOutcomes: null, isWaitState: false },
  { type: 'End', category: 'Flow', displayName: 'End', description: 'Finishes the flow with a final status.', inputs: [{ name: 'status', displayName: 'Final status', kind: 'text', required: false }], outputs: [], outcomes: [], dynamicOutcomes: null, isWaitState: false },
  {
    type: 'UserTask', category: 'Human', displayName: 'User task', description: 'A stage where a department acts on the request.', isWaitState: true, dynamicOutcomes: 'actions',
    outputs: [{ name: 'action', type: 'string' }, { name: 'comment', type: 'string' }], outcomes: ['Escalated'],
    inputs: [
      { name: 'title', displayName: 'Task title', kind: 'text', required: false },
      { name: 'status', displayName: 'Business status', kind: 'text', required: true, description: 'Business status while the task is open.' },
      { name: 'department', displayName: 'Department', kind: 'text', required: true, options: ['CS', 'Retention', 'Dealing', 'Backoffice', 'Operations'] },
      { name: 'dueIn', displayName: 'SLA (due in)', kind: 'duration', required: false },
      { name: 'escalate', displayName: 'Escalate when overdue', kind: 'boolean', required: false },
      { name: 'priority', displayName: 'Priority', kind: 'number', required: false, defaultValue: 2 },
      { name: 'actions', displayName: 'Actions', kind: 'actions', required: true },
    ],
  },
  { type: 'Switch', category: 'Flow', displayName: 'Switch', description: 'Takes the first case whose condition holds.', inputs: [{ name: 'cases', displayName: 'Cases', kind: 'cases', required: true }], outputs: [], outcomes: [], dynamicOutcomes: 'cases', isWaitState: false },
  { type: 'Fork', category: 'Flow', displayName: 'Fork', description: 'Runs branches in parallel.', inputs: [{ name: 'branches', displayName: 'Branches', kind: 'stringList', required: true }], outputs: [], outcomes: [], dynamicOutcomes: 'branches', isWaitState: false },
  { type: 'SetVariables', category: 'Data', displayName: 'Set variables', description: 'Assigns expressions to variables.', inputs: [{ name: 'assignments', displayName: 'Assignments', kind: 'assignments', required: true }], outputs: [], outcomes: ['Done'], dynamicOutcomes: null, isWaitState: false },
  { type: 'Timer', category: 'Timers', displayName: 'Delay', description: 'Waits for a duration.', inputs: [{ name: 'duration', displayName: 'Duration', kind: 'duration', required: true, defaultValue: 'PT1H' }], outputs: [], outcomes: ['Done'], dynamicOutcomes: null, isWaitState: true },
  { type: 'Schedule', category: 'Timers', displayName: 'Schedule', description: 'Waits for the next cron time.', inputs: [{ name: 'cron', displayName: 'Cron', kind: 'cron', required: true, defaultValue: '0 0 9 ? * MON-FRI' }], outputs: [], outcomes: ['Done'], dynamicOutcomes: null, isWaitState: true },
  { type: 'WaitForEvent', category: 'Events', displayName: 'Wait for event', description: 'Waits until the named event arrives.', inputs: [{ name: 'eventName', displayName: 'Event', kind: 'text', required: true }, { name: 'timeout', displayName: 'Timeout', kind: 'duration', required: false }], outputs: [{ name: 'payload', type: 'object' }], outcomes: ['Received', 'TimedOut'], dynamicOutcomes: null, isWaitState: true },
  { type: 'LedgerExecute', category: 'Ledger', displayName: 'Execute transactions', description: 'Executes the draft transactions on the trading platform.', inputs: [{ name: 'account', displayName: 'Account', kind: 'expression', required: true }], outputs: [{ name: 'executedAmount', type: 'number' }], outcomes: ['Done', 'Partial', 'Failed'], dynamicOutcomes: null, isWaitState: true },
  { type: 'CallWorkflow', category: 'Flow', displayName: 'Call workflow', description: 'Runs another definition as a child.', inputs: [{ name: 'definition', displayName: 'Definition', kind: 'definition', required: true }, { name: 'outcomes', displayName: 'Outcomes', kind: 'stringList', required: true }], outputs: [], outcomes: [], dynamicOutcomes: 'outcomes', isWaitState: true },
];

const a = (id, type, displayName, inputs, x, y) => ({ id, type, displayName, inputs, position: { x, y } });
const act = (name, displayName, permission, extra = {}) => ({ name, displayName, permission, ...extra });

export const wdRequest = {
  id: 'wd-request',
  name: 'CRM withdrawal request',
  description: 'CS → Retention → Dealing → Backoffice',
  variables: [
    { name: 'requestedAmount', type: 'number', default: 0 },
    { name: 'availableAmount', type: 'number', default: 0 },
    { name: 'openTrades', type: 'number', default: 0 },
    { name: 'fee', type: 'number', default: 0 },
  ],
  inputs: [
    { name: 'requestedAmount', type: 'number', required: true },
    { name: 'availableAmount', type: 'number', required: false },
    { name: 'openTrades', type: 'number', required: false },
  ],
  activities: [
    a('start', 'Start', 'Start', {}, 300, 0),
    a('cs', 'UserTask', 'Customer Support', { status: 'New', department: 'CS', dueIn: 'PT4H', priority: 1, actions: [
      act('RequestDocuments', 'Request documents', 'wd:1', { requiredFields: ['comment'] }),
      act('PassToRetention', 'Pass to Retention', 'wd:3', { guard: 'requestedAmount > 0', guardMessage: 'The amount must be positive' }),
      act('RejectAndClose', 'Reject and close', 'wd:2', { requiredFields: ['comment'] }),
    ] }, 300, 130),
    a('docs', 'UserTask', 'Awaiting documents', { status: 'AwaitingDocs', department: 'CS', dueIn: 'P2D', actions: [
      act('PassToRetention', 'Pass to Retention', 'wd:3'),
      act('RejectAndClose', 'Reject and close', 'wd:2', { requiredFields: ['comment'] }),
    ] }, 0, 300),
    a('retention', 'UserTask', 'Retention', { status: 'ApprovedByCS', department: 'Retention', dueIn: 'PT8H', actions: [
      act('PassToDealing', 'Pass to Dealing', 'wd:3', { guard: 'openTrades > 0', guardMessage: 'The customer has no open trades' }),
      act('PassToBackoffice', 'Pass to Backoffice', 'wd:3', { guard: 'openTrades == 0', guardMessage: 'The customer has open trades: Dealing must check first' }),
      act('Reject', 'Reject', 'wd:2', { requiredFields: ['comment'] }),
    ] }, 300, 470),
    a('dealing', 'UserTask', 'Dealing', { status: 'ApprovedByRetention', department: 'Dealing', dueIn: 'PT4H', escalate: true, actions: [
      // an action form (ADR 7), as the real wd-request declares the fee at Dealing
      act('PassToBackoffice', 'Pass to Backoffice', 'wd:3', { comment: 'optional', fields: [{ name: 'fee', type: 'number', required: true, label: 'Fee', minimum: 0, scale: 2, description: 'In the request currency.' }] }),
      act('Reject', 'Reject', 'wd:2', { requiredFields: ['comment'] }),
    ] }, 120, 640),
    a('backoffice', 'UserTask', 'Backoffice approval', { status: 'ApprovedByDealing', department: 'Backoffice', dueIn: 'P1D', actions: [
      act('Approve', 'Approve', 'wd:4'),
      act('Reject', 'Reject', 'wd:2', { requiredFields: ['comment'] }),
    ] }, 420, 820),
    a('complete', 'UserTask', 'Complete payout', { status: 'ApprovedByBackoffice', department: 'Backoffice', actions: [
      act('Complete', 'Complete', 'wd:4'),
      act('Reject', 'Reject', 'wd:2', { requiredFields: ['comment'] }),
    ] }, 420, 990),
    a('execute', 'LedgerExecute', 'Execute transactions', { account: 'tradingAccount' }, 420, 1160),
    a('completed', 'End', 'Completed', { status: 'Completed' }, 300, 1330),
    a('partial', 'End', 'Partially completed', { status: 'PartiallyCompleted' }, 560, 1330),
    a('rejected', 'End', 'Rejected', { status: 'Rejected' }, 820, 640),
    a('canceled', 'End', 'Canceled by client', { status: 'CanceledByClient' }, 820, 820),
  ],
  connections: [
    { source: 'start', outcome: 'Done', target: 'cs' },
    { source: 'cs', outcome: 'RequestDocuments', target: 'docs' },
    { source: 'cs', outcome: 'PassToRetention', target: 'retention' },
    { source: 'cs', outcome: 'RejectAndClose', target: 'rejected' },
    { source: 'docs', outcome: 'PassToRetention', target: 'retention' },
    { source: 'docs', outcome: 'RejectAndClose', target: 'rejected' },
    { source: 'retention', outcome: 'PassToDealing', target: 'dealing' },
    { source: 'retention', outcome: 'PassToBackoffice', target: 'backoffice' },
    { source: 'retention', outcome: 'Reject', target: 'rejected' },
    { source: 'dealing', outcome: 'PassToBackoffice', target: 'backoffice' },
    { source: 'dealing', outcome: 'Reject', target: 'rejected' },
    { source: 'dealing', outcome: 'Escalated', target: 'backoffice' },
    { source: 'backoffice', outcome: 'Approve', target: 'complete' },
    { source: 'backoffice', outcome: 'Reject', target: 'rejected' },
    { source: 'complete', outcome: 'Complete', target: 'execute' },
    { source: 'complete', outcome: 'Reject', target: 'rejected' },
    { source: 'execute', outcome: 'Done', target: 'completed' },
    { source: 'execute', outcome: 'Partial', target: 'partial' },
    { source: 'execute', outcome: 'Failed', target: 'complete' },
  ],
  interrupts: [{ event: 'ClientCancel', target: 'canceled', displayName: 'Client cancels in the client area' }],
};

export const workOrder = {
  id: 'work-order',
  name: 'Work order approval',
  description: 'Maker submits, a checker approves (four eyes)',
  variables: [{ name: 'amount', type: 'number', default: 0 }],
  inputs: [{ name: 'amount', type: 'number', required: true }],
  activities: [
    a('start', 'Start', 'Start', {}, 0, 0),
    a('check', 'UserTask', 'Checker approval', { status: 'PendingApproval', department: 'Operations', dueIn: 'PT2H', actions: [act('Approve', 'Approve', 'approve-work-orders'), act('Reject', 'Reject', 'approve-work-orders', { requiredFields: ['comment'] })] }, 0, 140),
    a('approved', 'End', 'Approved', { status: 'Approved' }, -150, 320),
    a('rejected', 'End', 'Rejected', { status: 'Rejected' }, 150, 320),
  ],
  connections: [
    { source: 'start', outcome: 'Done', target: 'check' },
    { source: 'check', outcome: 'Approve', target: 'approved' },
    { source: 'check', outcome: 'Reject', target: 'rejected' },
  ],
  interrupts: [],
};
