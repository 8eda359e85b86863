import { ApiError, del, get, getToken, post, put, qs } from '../api/client';
import type { InstanceDetail, Paged, Problem, Task, TaskDetail, WdAuditLog, WdRequestCard, WdTransactionBody } from '../api/models';
import { exportFileName } from '../lib/wdtx';

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

const wdTx = (id: string, txId?: string) => `/api/wd-requests/${encodeURIComponent(id)}/transactions${txId ? `/${encodeURIComponent(txId)}` : ''}`;
/** Backoffice: add a transaction (201 with the card). */
export const addWdTransaction = (id: string, body: WdTransactionBody) => post<WdRequestCard>(wdTx(id), body);
/** Backoffice: change a transaction's amount, OCT or bank details (200 with the card). */
export const updateWdTransaction = (id: string, txId: string, body: WdTransactionBody) => put<WdRequestCard>(wdTx(id, txId), body);
/** Backoffice: delete a transaction (200 with the card). */
export const deleteWdTransaction = (id: string, txId: string, expectedVersion?: number) =>
  del<WdRequestCard>(`${wdTx(id, txId)}${qs({ expectedVersion })}`);

/** GET /api/wd-requests/export.csv with the Authorization header, saved through an object URL. */
export async function downloadWdExport(): Promise<string> {
  const headers: Record<string, string> = { Accept: 'text/csv, application/problem+json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch('/api/wd-requests/export.csv', { headers });
  } catch {
    throw new ApiError(0, { title: 'The server cannot be reached', detail: 'Check your network connection and try again.' });
  }
  if (!res.ok) {
    let problem: Problem = {};
    try { problem = JSON.parse(await res.text()) as Problem; } catch { /* not JSON */ }
    throw new ApiError(res.status, { status: res.status, ...problem });
  }
  const blob = await res.blob();
  const name = exportFileName(res.headers.get('Content-Disposition'));
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
