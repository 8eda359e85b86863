import { del, get, post, put, qs } from '../api/client';
import type { InstanceDetail, MassEditResult, Paged, Task, TaskDetail, WdAuditLog, WdRequestCard, WdTransactionBody } from '../api/models';
import { exportFileName } from '../lib/wdtx';
import { download } from '../api/download';
import type { WdCreateBody } from '../lib/wdcreate';

export interface TaskFilters {
  status: string;
  definitionId: string;
  businessStatus: string;
  department: string;
  overdue: boolean;
  mine: boolean;
  sort: string;
  /** Subject search (GET /api/tasks?customer=&account=&amount=&currency=); amount as decimal text. */
  customer?: string;
  account?: string;
  amount?: string;
  currency?: string;
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
      customer: f.customer,
      account: f.account,
      amount: f.amount,
      currency: f.currency,
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
/** Backoffice: change a transaction's amount, payment type (withdrawal types only), OCT or bank details (200 with the card). */
export const updateWdTransaction = (id: string, txId: string, body: WdTransactionBody) => put<WdRequestCard>(wdTx(id, txId), body);
/** Backoffice: delete a transaction (200 with the card). */
export const deleteWdTransaction = (id: string, txId: string, expectedVersion?: number) =>
  del<WdRequestCard>(`${wdTx(id, txId)}${qs({ expectedVersion })}`);

/** GET /api/wd-requests/export.csv (columns: the chosen ones, all when undefined) with the Authorization header, saved through an object URL. */
export const downloadWdExport = (columns?: string): Promise<string> =>
  download('GET', `/api/wd-requests/export.csv${qs({ columns })}`, undefined, exportFileName(null));

/** CS: POST /api/wd-requests (right wd:create); the amount as decimal text (201 with the card, 200 for a repeated correlationId). */
export const createWd = (body: WdCreateBody) => post<WdRequestCard>('/api/wd-requests', body);
/** An internal comment on the card (201 with the card); refused once the request is final. */
export const addWdComment = (id: string, text: string, copyToClientCard: boolean) =>
  post<WdRequestCard>(`/api/wd-requests/${encodeURIComponent(id)}/comments`, { text, copyToClientCard });
/** Permission wd:5: moves each request to Dealing or Backoffice; one result per id. */
export const massEditWd = (ids: string[], department: string) => post<MassEditResult[]>('/api/wd-requests/mass-edit', { ids, department });
