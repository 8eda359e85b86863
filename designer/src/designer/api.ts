import { useQuery } from '@tanstack/react-query';
import { ApiError, get, post, put, qs } from '../api/client';
import type {
  ActivityDescriptor, DefinitionSummary, DefinitionVersionView, ImpactReport, InstanceMigration, InstanceMigrationPreview, Matrix, Paged, PublishRequest, PublishRequestDetail, PublishResponse,
  SaveDraftResponse, ValidationError, ValidationResult, VersionInfo, WorkflowDefinition,
} from '../api/models';

export const useActivities = () =>
  useQuery({ queryKey: ['activities'], queryFn: () => get<ActivityDescriptor[]>('/api/activities'), staleTime: 10 * 60_000 });

export const useVersions = (id: string) =>
  useQuery({ queryKey: ['versions', id], queryFn: () => get<VersionInfo[]>(`/api/definitions/${encodeURIComponent(id)}/versions`) });

export const listDefinitions = (page = 1, pageSize = 100) => get<Paged<DefinitionSummary>>(`/api/definitions${qs({ page, pageSize })}`);

export const getVersion = (id: string, version?: number | null) =>
  get<DefinitionVersionView>(`/api/definitions/${encodeURIComponent(id)}${qs({ version: version ?? undefined })}`);

/**
 * The draft when there is one, otherwise the published version — one request that does not 404 for a definition
 * without a draft (issue 14); the answer names the published version the draft is based on.
 */
export const getEditable = (id: string) => get<DefinitionVersionView>(`/api/definitions/${encodeURIComponent(id)}/editable`);

export const saveDraft = (def: WorkflowDefinition) => put<SaveDraftResponse>(`/api/definitions/${encodeURIComponent(def.id)}/draft`, def);
export const validateDefinition = (def: WorkflowDefinition) => post<ValidationResult>('/api/definitions/validate', def);
/** Submits the saved draft for publishing; another analyst approves it (the submitter never can). */
export const submitForPublishing = (id: string, note?: string) =>
  post<PublishRequest>(`/api/definitions/${encodeURIComponent(id)}/publish`, { note: note?.trim() || null });
/** Replays the newest instances against the saved draft and lists those whose path or outcome would change (ADR 11). */
export const previewImpact = (id: string, limit = 100) => post<ImpactReport>(`/api/definitions/${encodeURIComponent(id)}/draft/impact${qs({ limit })}`);
export const listPublishRequests = (status?: string, definitionId?: string) =>
  get<Paged<PublishRequest>>(`/api/publish-requests${qs({ status, definitionId, pageSize: 200 })}`);
export const getPublishRequest = (id: string) => get<PublishRequestDetail>(`/api/publish-requests/${encodeURIComponent(id)}`);
export const approvePublishRequest = (id: string) => post<PublishResponse>(`/api/publish-requests/${encodeURIComponent(id)}/approve`);
export const rejectPublishRequest = (id: string, reason: string) => post<PublishRequest>(`/api/publish-requests/${encodeURIComponent(id)}/reject`, { reason });
export const suspendVersion = (id: string, version: number, reason: string) =>
  post<VersionInfo>(`/api/definitions/${encodeURIComponent(id)}/versions/${version}/suspend`, { reason });
export const resumeVersion = (id: string, version: number) => post<VersionInfo>(`/api/definitions/${encodeURIComponent(id)}/versions/${version}/resume`);
/** The status matrix of the editor's definition (saved or not): the draft's matrix before it is published. */
export const getDraftMatrix = (def: WorkflowDefinition) => post<Matrix>('/api/definitions/matrix', def);
/** The impact preview of exactly the snapshot a publish request would publish (ADR 11). */
export const previewRequestImpact = (requestId: string, limit = 100) => post<ImpactReport>(`/api/publish-requests/${encodeURIComponent(requestId)}/impact${qs({ limit })}`);
export const getMatrix = (id: string, version?: number | null) => get<Matrix>(`/api/definitions/${encodeURIComponent(id)}/matrix${qs({ version: version ?? undefined })}`);

export interface MigrationRequest {
  fromVersion: number;
  toVersion: number;
  mapping: Record<string, string>;
  note?: string | null;
}
const migrations = (id: string) => `/api/definitions/${encodeURIComponent(id)}/migrations`;
/** What moving the running instances of `fromVersion` to `toVersion` with `mapping` would do, per instance. */
export const previewMigration = (id: string, request: MigrationRequest) => post<InstanceMigrationPreview>(`${migrations(id)}/preview`, request);
/** Submits the move; another analyst applies it (the submitter never can). */
export const submitMigration = (id: string, request: MigrationRequest) => post<InstanceMigration>(migrations(id), request);
export const listMigrations = (definitionId: string) => get<Paged<InstanceMigration>>(`/api/instance-migrations${qs({ definitionId, pageSize: 100 })}`);
export const approveMigration = (id: string) => post<InstanceMigration>(`/api/instance-migrations/${encodeURIComponent(id)}/approve`);
export const rejectMigration = (id: string, reason: string) => post<InstanceMigration>(`/api/instance-migrations/${encodeURIComponent(id)}/reject`, { reason });

/** 422 problem `errors` (JSON pointer → messages) as validation errors. */
export function problemToValidation(e: unknown): ValidationError[] | null {
  if (!(e instanceof ApiError) || e.status !== 422) return null;
  const out: ValidationError[] = [];
  for (const [path, msgs] of Object.entries(e.problem.errors ?? {})) for (const m of msgs) out.push({ path, message: m, activityId: null });
  if (!out.length) out.push({ path: '', message: e.problem.detail || e.problem.title || 'The definition is not valid.', activityId: null });
  return out;
}
