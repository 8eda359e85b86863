// The single place where API types are declared. When the server publishes designer/openapi/v1.json,
// `npm run gen:api` produces src/api/schema.d.ts; these aliases can then be re-pointed to
// `components['schemas'][...]` one by one without touching the rest of the app.

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Problem {
  type?: string;
  title?: string;
  detail?: string;
  status?: number;
  errors?: Record<string, string[]>;
}

// ---- auth
export interface TokenResponse { accessToken: string; expiresIn: number }
export interface Me {
  username: string;
  displayName: string;
  departments: string[];
  permissions: string[];
  rights: string[];
}

// ---- activity descriptors
export type InputKind =
  | 'text' | 'number' | 'boolean' | 'expression' | 'duration' | 'cron'
  | 'stringList' | 'assignments' | 'cases' | 'actions' | 'definition';

export interface InputDescriptor {
  name: string;
  displayName: string;
  kind: InputKind;
  required: boolean;
  description?: string;
  options?: string[] | null;
  defaultValue?: unknown;
}
export interface OutputDescriptor { name: string; type: string }
export type DynamicOutcomes = 'actions' | 'cases' | 'branches' | 'outcomes' | null;
export interface ActivityDescriptor {
  type: string;
  category: string;
  displayName: string;
  description?: string;
  inputs: InputDescriptor[];
  outputs: OutputDescriptor[];
  outcomes: string[];
  dynamicOutcomes?: DynamicOutcomes;
  isWaitState: boolean;
}

// ---- definitions
export type VariableType = 'string' | 'number' | 'boolean' | 'datetime' | 'list' | 'object' | 'any';
export interface VariableDef { name: string; type: VariableType; default?: unknown }
export interface InputDef { name: string; type: VariableType; required?: boolean }
export interface Position { x: number; y: number }
export interface ActivityDef {
  id: string;
  type: string;
  displayName?: string;
  inputs: Record<string, unknown>;
  position?: Position;
}
export interface ConnectionDef { source: string; outcome: string; target: string }
export interface InterruptDef { event: string; target: string; displayName?: string }
export interface WorkflowDefinition {
  id: string;
  name: string;
  version?: number;
  description?: string;
  variables?: VariableDef[];
  inputs?: InputDef[];
  activities: ActivityDef[];
  connections: ConnectionDef[];
  interrupts?: InterruptDef[];
}

// kinds of structured inputs
export interface Assignment { name: string; value: string }
export interface Case { name: string; condition: string }
export interface TaskActionDef {
  name: string;
  displayName: string;
  permission?: string;
  guard?: string;
  guardMessage?: string;
  requiredFields?: string[];
}

export interface DefinitionSummary {
  id: string;
  name: string;
  description?: string;
  latestVersion: number | null;
  publishedVersion: number | null;
  hasDraft: boolean;
  updatedAt: string;
}
export interface DefinitionVersionView {
  id: string;
  version: number | null;
  isPublished: boolean;
  createdAt: string;
  createdBy: string;
  definition: WorkflowDefinition;
}
export interface SaveDraftResponse { id: string; savedAt: string }
export interface ValidationError { path: string; message: string; activityId?: string | null }
export interface ValidationResult { valid: boolean; errors: ValidationError[] }
export interface PublishResponse { version: number }
export interface VersionInfo { version: number; publishedAt: string; publishedBy: string }
export interface MatrixRow {
  fromStatus: string | null;
  fromDepartment: string | null;
  action: string;
  actionDisplayName: string;
  department: string | null;
  permission: string | null;
  toStatus: string | null;
  toDepartment: string | null;
  condition?: string | null;
}
export interface Matrix { rows: MatrixRow[] }

export interface ExpressionCheckRequest { expression: string; variables?: Record<string, string> }
export interface ExpressionCheckResult { valid: boolean; type: string; errors: { position: number; message: string }[] }

// ---- runtime
export interface Actor { userId: string; role: string | null; ipAddress: string | null }
export interface JournalEntry {
  sequence: number;
  timestamp: string;
  kind: string;
  activityId: string | null;
  activityType: string | null;
  outcome: string | null;
  actor: Actor | null;
  action: string | null;
  comment: string | null;
  changes: { name: string; before: unknown; after: unknown }[];
  message: string | null;
}
export interface TaskAction {
  name: string;
  displayName: string;
  requiredFields: string[];
  available?: boolean;
  reason?: string | null;
}
export interface WaitView {
  bookmarkId: string;
  kind: string;
  activityId: string;
  eventName?: string | null;
  dueAt?: string | null;
}
export interface DryRunTask { taskId: string; activityId: string; title: string; actions: TaskAction[] }
export interface DryRunView {
  status: string;
  businessStatus: string | null;
  department: string | null;
  variables: Record<string, unknown>;
  openTasks: DryRunTask[];
  waits: WaitView[];
  journal: JournalEntry[];
  visitedActivities: string[];
  traversedConnections: ConnectionDef[];
}
export interface DryRunResponse { state: unknown; view: DryRunView }
export type ResumeKind = 'action' | 'event' | 'timer' | 'job';
export interface DryRunResume {
  kind: ResumeKind;
  taskId?: string;
  action?: string;
  comment?: string;
  data?: Record<string, unknown>;
  eventName?: string;
  payload?: unknown;
  bookmarkId?: string;
  outcome?: string;
}

export interface InstanceSummary {
  id: string;
  definitionId: string;
  version: number;
  status: string;
  businessStatus: string | null;
  department: string | null;
  correlationId: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface Incident {
  id: string;
  instanceId: string;
  activityId: string;
  activityType: string;
  message: string;
  attempts: number;
  status: string;
  createdAt: string;
}
export interface Task {
  id: string;
  instanceId: string;
  definitionId: string;
  definitionVersion: number;
  activityId: string;
  title: string;
  businessStatus: string | null;
  department: string | null;
  status: string;
  assignee: string | null;
  priority: number | null;
  dueAt: string | null;
  overdue: boolean;
  createdAt: string;
  correlationId: string | null;
  subjectType?: 'wd-request' | null;
  subjectId?: string | null;
}
export interface TaskDetail extends Task { actions: TaskAction[] }
export interface InstanceDetail extends InstanceSummary {
  variables: Record<string, unknown>;
  openTasks: Task[];
  incidents: Incident[];
  waits: WaitView[];
  visitedActivities: string[];
}
export interface StartInstanceResponse { id: string; definitionId: string; version: number; status: string; correlationId: string | null }

// ---- WD requests
export interface WdTransaction {
  id: string;
  amount: number;
  paymentType: string;
  oct?: string | null;
  bankDetails?: string | null;
  status?: string | null;
  createdAt?: string | null;
}
export interface WdComment { author?: string | null; text?: string | null; comment?: string | null; createdAt?: string | null; at?: string | null }
export interface WdAction { name: string; displayName?: string | null; requiredFields?: string[]; available?: boolean; reason?: string | null }
export interface WdRequestCard {
  id: string;
  status: string;
  department: string;
  priority: number | string | null;
  customerId: string;
  customerName?: string | null;
  tradingAccount: string;
  requestedAmount: number;
  currency: string;
  availableAmount: number | null;
  recommendedAmount?: number | null;
  fee: number | null;
  createdAt?: string | null;
  transactions: WdTransaction[];
  comments: (WdComment | string)[];
  actions: (WdAction | string)[];
}
export interface WdAuditEntry {
  timestamp?: string;
  at?: string;
  user?: string | null;
  userId?: string | null;
  role?: string | null;
  ipAddress?: string | null;
  action?: string | null;
  comment?: string | null;
  changes?: { name: string; before: unknown; after: unknown }[];
  message?: string | null;
}
