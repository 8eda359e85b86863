import { useSyncExternalStore } from 'react';
import type { AnchorHTMLAttributes, MouseEvent } from 'react';

// A tiny client-side router over the History API: routes are /designer/... and /inbox/...
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());
const here = () => location.pathname + location.search;

/**
 * A page with unsaved work registers a blocker: it returns true when it holds the move back (it then asks, and calls
 * `proceed` if the person agrees to leave). One at a time: the page on screen.
 */
export type NavigationBlocker = (proceed: () => void) => boolean;
let blocker: NavigationBlocker | null = null;
export function setNavigationBlocker(b: NavigationBlocker | null) {
  blocker = b;
}

/** Runs `action` (a move away, a sign-out) now, or once the page holding unsaved work lets go. */
export function whenAllowed(action: () => void) {
  if (blocker && blocker(action)) return;
  action();
}

// Browser back/forward: the URL has already changed when popstate fires, so a held move puts the old URL back and
// replays the move if the person agrees to leave.
let current = here();
window.addEventListener('popstate', () => {
  const target = here();
  if (target !== current && blocker) {
    const from = current;
    const held = blocker(() => {
      history.pushState(null, '', target);
      current = target;
      emit();
    });
    if (held) {
      history.pushState(null, '', from);
      return;
    }
  }
  current = target;
  emit();
});

export function navigate(to: string, replace = false) {
  whenAllowed(() => {
    if (replace) history.replaceState(null, '', to);
    else history.pushState(null, '', to);
    current = here();
    emit();
  });
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}
const snapshot = () => location.pathname + location.search;

export function useLocation(): { path: string; search: URLSearchParams } {
  const full = useSyncExternalStore(subscribe, snapshot);
  const [path, query = ''] = full.split('?');
  return { path, search: new URLSearchParams(query) };
}

/** Matches "/designer/definitions/:id" against a path; returns params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  return (
    <a
      href={to}
      {...rest}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        navigate(to);
      }}
    />
  );
}
