// The single place where API types are declared.
//
// Most of them are aliases of the server's OpenAPI document (openapi/v1.json → `npm run gen:api` → schema.d.ts).
// Hand-written types remain only where the document has no schema, each with a comment saying why:
// - the workflow definition itself (the API takes and returns it as a raw JSON node; its JSON Schema is served
//   separately at GET /api/definitions/schema),
// - generic shapes (Paged<T>, problem details) that the document spells out per use.
import type { components } from './schema';

type S = components['schemas'];
/** The document marks properties with C# defaults as optional; the server always writes them. */
type WithRequired<T, K extends keyof T> = Omit<T, K> & Required<Pick<T, K>>;

// Hand-written: the document describes each paged list separately (PagedOfTaskView, …); this is their common shape.
export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

// Hand-written: RFC 9457 problem details are not described by the document (error responses carry no schema).
export interface Problem {
  type?: string;
  title?: string;
  detail?: string;
  status?: number;
  errors?: Record<string, string[]>;
}

// ---- auth
export type TokenResponse = S['TokenResponse'];
export type Me = S['MeResponse'];
export type SignInProviders = S['SignInProvidersResponse'];

// ---- activity descriptors
// Narrower than the document's `kind: string`: the editors switch on these values.
export type InputKind =
  | 'text' | 'number' | 'boolean' | 'expression' | 'duration' | 'cron'
  | 'stringList' | 'assignments' | 'cases' | 'actions' | 'definition';

export type InputDescriptor = Omit<S['ActivityInputDescriptor'], 'kind' | 'required'> & { kind: InputKind; required: boolean };
export type OutputDescriptor = S['ActivityOutputDescriptor'];
export type DynamicOutcomes = 'actions' | 'cases' | 'branches' | 'outcomes' | null;
export type ActivityDescriptor = Omit<WithRequired<S['ActivityDescriptor'], 'outputs' | 'outcomes' | 'isWaitState'>, 'inputs' | 'dynamicOutcomes'> & {
  inputs: InputDescriptor[];
  dynamicOutcomes?: DynamicOutcomes;
};

// ---- definitions
// Hand-written: the document types a definition as JsonNode (the API passes it through as JSON).
export type VariableType = 'string' | 'number' | 'boolean' | 'datetime' | 'list' | 'object' | 'any';
export interface VariableDef {
  name: string;
  type: VariableType;
  default?: unknown;
  description?: string;
  /** Owned by the flow's activities (transactions, facts, results): no form field may write it (ADR 7). */
  readOnly?: boolean;
}
export interface InputDef {
  name: string;
  type: VariableType;
  required?: boolean;
  description?: string;
  // value constraints (ADR 7), as for form fields
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  scale?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: string[];
  /** `currency`: an ISO 4217 code (or a known coin). */
  format?: string;
  currencyInput?: string;
  validation?: { expression: string; message?: string };
  /** `domain`: only a domain route supplies it. */
  source?: 'caller' | 'domain';
}
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
/**
 * What starts an instance besides a caller (ADR 9): an event with a correlation expression over `event`, or a Quartz
 * cron schedule (`timeZone`: IANA id, default UTC); `input` maps start inputs to expressions over `event` / `tick`.
 */
export interface StartTriggerDef {
  id?: string;
  event?: string;
  correlation?: string;
  cron?: string;
  timeZone?: string;
  input?: Record<string, string>;
}
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
  startTriggers?: StartTriggerDef[];
  /** ADR 16: with `via`, the generic instance cancel refuses its instances and names the way to use. */
  cancel?: { via?: string };
  /** ADR 16: the variable naming the customer; `GET /api/instances?customer=` matches it. */
  customer?: string;
}

// Hand-written: kinds of structured activity inputs (parts of the definition, see above).
export interface Assignment { name: string; value: string }
export interface Case { name: string; condition: string }
/** `required` | `optional` | `none`; absent: required when the legacy `requiredFields` name "comment", else optional. */
export type CommentMode = 'required' | 'optional' | 'none';
/** The value types a form field may have (ADR 7). */
export type FieldType = 'string' | 'number' | 'boolean' | 'datetime';
/** One field of an action's form (ADR 7): the only data accepted with the action, with the server's constraints. */
export interface FormFieldDef {
  name: string;
  type?: FieldType;
  required?: boolean;
  label?: string;
  description?: string;
  /** The variable written; by default the variable of the field's name, when the flow declares one. */
  variable?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  /** At most this many decimal places. */
  scale?: number;
  minLength?: number;
  maxLength?: number;
  enum?: string[];
  /** A .NET regular expression the whole text must match. */
  pattern?: string;
  /** Evaluated by the server only: `value` is the field's value, the instance's variables are in scope. */
  validation?: { expression: string; message?: string };
  /** A money amount in the currency named by this sibling field or variable: at most its minor units. */
  currencyInput?: string;
}
export interface TaskActionDef {
  name: string;
  displayName: string;
  permission?: string;
  guard?: string;
  guardMessage?: string;
  requiredFields?: string[];
  fields?: FormFieldDef[];
  comment?: CommentMode;
  /** System (API key) scopes that may take the action; none: no system may. */
  scopes?: string[];
  /** Four eyes: "@starter" and/or UserTask activity ids whose actors may not take this action. */
  differentFrom?: string[];
}

export type DefinitionSummary = S['DefinitionSummary'];
export type DefinitionVersionView = Omit<S['DefinitionVersionView'], 'definition'> & { definition: WorkflowDefinition };
export type SaveDraftResponse = S['DraftSaved'];
export type ValidationError = S['ValidationErrorView'];
export type ValidationResult = S['ValidationReport'];
export type PublishResponse = S['Published'];
/** A publish request (POST /api/definitions/{id}/publish answers one, 202): a second analyst approves or rejects it. */
export type PublishRequest = S['PublishRequestView'];
export type FieldChange = S['FieldChange'];
export type SectionDiff = S['SectionDiff'];
/** GET /api/publish-requests/{id}: the snapshot, the published version it would replace, the server's diff and validation. */
export type PublishRequestDetail = Omit<S['PublishRequestDetail'], 'definition' | 'published'> & { definition: WorkflowDefinition; published: WorkflowDefinition | null };
export type DefinitionJournalEntry = S['DefinitionJournalEntryView'];
export type VersionInfo = S['VersionInfo'];
/** Instance migration (ADR 12): what a move would do per instance, a submitted request, its per-instance results. */
export type InstanceMigrationPreview = S['InstanceMigrationPreview'];
export type InstanceMigrationPlan = S['InstanceMigrationPlanView'];
export type InstanceMigration = S['InstanceMigrationView'];
export type InstanceMigrationResult = S['InstanceMigrationResult'];
export type MatrixRow = S['MatrixRow'];
export type Matrix = S['MatrixView'];

export type ExpressionCheckRequest = S['CheckExpressionRequest'];
export type ExpressionCheckResult = S['CheckExpressionResponse'];

// ---- runtime
export type Actor = S['ActorView'];
export type JournalEntry = S['JournalEntryView'];
/** An action of a task or of the WD card (`actionDetails`), with its form: `fields` and the `comment` mode. */
// The document types `comment` as a plain string and lists every constraint as required-but-nullable; the dialog
// narrows `comment` to the three modes the server sends and accepts fields with constraints left out.
export type TaskAction = Omit<S['TaskActionView'], 'comment' | 'fields'> & { comment?: CommentMode | null; fields?: FormFieldView[] | null };
/**
 * A field as the server lists it with an action: the definition's field without its target variable, and of the
 * validation only its message (the expression is evaluated by the server). Absent constraints may come as null.
 */
export type FormFieldView = { [K in keyof S['FormFieldView']]?: S['FormFieldView'][K] | null } & { name: string };
/** What an instance or a dry run waits for; the document lists the values, so a switch over them is checked. */
export type WaitKind = S['WaitKind'];
export type WaitView = S['WaitView'];
export type DryRunAction = Omit<S['DryRunAction'], 'comment' | 'fields'> & Pick<TaskAction, 'fields' | 'comment'>;
export type DryRunTask = Omit<S['DryRunTask'], 'actions'> & { actions: DryRunAction[] };
export type DryRunView = S['DryRunView'];
export type DryRunResponse = S['DryRunResponse'];
/** A dry-run resume: an action on a task, or the wait's kind in lower case (the server reads it in any case). */
export type ResumeKind = 'action' | Lowercase<Exclude<WaitKind, 'Task'>>;
// Every property of the request record is nullable in the document; the client sends only what a kind needs.
export type DryRunResume = { kind: ResumeKind } & Partial<Omit<S['DryRunResume'], 'kind'>>;

export type InstanceSummary = S['InstanceSummary'];
export type Incident = S['IncidentView'];
export type Task = S['TaskView'];
/** GET /api/tasks/{id}: the task, the actions the caller may take now, and the instance's concurrency version. */
export type TaskDetail = Omit<S['TaskDetail'], 'actions'> & { actions: TaskAction[] };
export type InstanceDetail = S['InstanceView'];
export type StartInstanceResponse = S['InstanceStarted'];

// ---- WD requests (/api/wd-requests/…)
export type WdPaymentType = S['WdPaymentType'];
export type WdTransactionStatus = S['WdTransactionStatus'];
/** A transaction of the card; the server writes every property (the document marks the ones with C# defaults optional). */
export type WdTransaction = WithRequired<S['WdTransaction'], 'oct' | 'bankDetails' | 'status' | 'tradeId' | 'executedAt' | 'isFee' | 'isExecuted'>;
/** A comment on the card: kind "Created" (the request's comment), "Action" (an action's comment) or "Comment" (added on the card). */
export type WdComment = S['WdCommentView'];
/**
 * GET /api/wd-requests/{id}: the card. `actions` lists only the names the caller may take now; `actionDetails` has every
 * action of the open task with its availability and reason.
 */
export type WdRequestCard = Omit<S['WdCard'], 'transactions' | 'actionDetails'> & { transactions: WdTransaction[]; actionDetails: WdAction[] };
/** One action of the card (`actionDetails`): the same view as a task's actions. */
export type WdAction = TaskAction;
/** A row of GET /api/wd-requests. */
export type WdRequestRow = S['WdRequestRow'];
/** An entry of GET /api/wd-requests/{id}/audit-log (a page of them: PagedOfWdAuditEntry). */
export type WdAuditEntry = S['WdAuditEntry'];
/** One row of POST /api/wd-requests/mass-edit's answer. */
export type MassEditResult = S['MassEditResult'];
export type WdAuditLog = S['PagedOfWdAuditEntry'];
export type CreateWdRequestBody = S['CreateWdRequestBody'];
export type WdActionBody = S['WdActionBody'];
export type WdTransactionBody = S['WdTransactionBody'];
export type WdCommentBody = S['WdCommentBody'];

// Impact preview of a draft (POST /api/definitions/{id}/draft/impact, ADR 11).
export type ImpactReport = S['ImpactReport'];
export type InstanceImpact = S['InstanceImpact'];
export type ImpactKind = 'unchanged' | 'valuesChanged' | 'pathChanged' | 'outcomeChanged' | 'notPreviewable' | 'notApplicable';

// Webhooks for systems (issue 15)
export type WebhookSubscription = S['WebhookSubscriptionView'];
export type WebhookDelivery = S['WebhookDeliveryView'];
export type CreatedWebhookSubscription = S['CreatedWebhookSubscription'];
