// Files from the API (exports, bank files, cheque PDFs): fetched with the token — a plain link would go without it —
// and saved under the server's file name through an object URL.
import { ApiError, getToken } from './client';
import type { Problem } from './models';
import { exportFileName } from '../lib/wdtx';

/**
 * A file from the API (batch file, records CSV, cheque PDF), fetched with the token — a plain link would go without
 * it — and saved under the server's file name. A problem (404 before the file exists, 422 per item) is thrown.
 */
export async function download(method: 'GET' | 'POST', url: string, body?: unknown, fallbackName = 'download'): Promise<string> {
  const headers: Record<string, string> = { Accept: '*/*, application/problem+json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { title: 'The server cannot be reached', detail: 'Check your network connection and try again.' });
  }
  if (!res.ok) {
    let problem: Problem = {};
    try { problem = JSON.parse(await res.text()) as Problem; } catch { /* not JSON */ }
    throw new ApiError(res.status, { status: res.status, ...problem });
  }
  const disposition = res.headers.get('Content-Disposition');
  const name = disposition ? exportFileName(disposition) : fallbackName;
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return name;
}

