import { get, post, qs } from '../api/client';
import type { InstanceDetail, Paged, Task, TaskDetail, WdAuditLog, WdRequestCard } from '../api/models';

export interface TaskFilters {
  status: string;
  definitionId: string;
  businessStatus: string;
  department: string;
  overdue: boolean;
  mine: boolean;
  sort: string;
  page: number;
  pageSize: number;
}

export const listTasks = (f: TaskFilters, assignee?: string) =>
  get<Paged<Task>>(
    `/api/tasks${qs({
      status: f.status || undefined,
      definitionId: f.definitionId,
      businessStatus: f.businessStatus,
      department: f.department,
      overdue: f.overdue ? true : undefined,
      assignee: f.mine ? assignee : undefined,
      sort: f.sort,
      page: f.page,
      pageSize: f.pageSize,
    })}`,
  );
export const getTask = (id: string) => get<TaskDetail>(`/api/tasks/${encodeURIComponent(id)}`);
export const claimTask = (id: string) => post<unknown>(`/api/tasks/${encodeURIComponent(id)}/claim`);
export const unclaimTask = (id: string) => post<unknown>(`/api/tasks/${encodeURIComponent(id)}/unclaim`);
export const completeTask = (id: string, body: { action: string; comment?: string; data?: Record<string, unknown>; expectedVersion?: number }) =>
  post<InstanceDetail>(`/api/tasks/${encodeURIComponent(id)}/complete`, body);
export const getInstance = (id: string) => get<InstanceDetail>(`/api/instances/${encodeURIComponent(id)}`);
export const getWd = (id: string) => get<WdRequestCard>(`/api/wd-requests/${encodeURIComponent(id)}`);
/** The audit log, newest first; one page (the server's default page size is its maximum). */
export const getWdAudit = (id: string) => get<WdAuditLog>(`/api/wd-requests/${encodeURIComponent(id)}/audit-log`);
