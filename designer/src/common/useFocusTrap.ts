import { useEffect, useRef } from 'react';
import type { RefObject } from 'react';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

/** The elements Tab reaches inside `root`, in document order (hidden ones left out). */
export function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.getClientRects().length > 0 || el === document.activeElement);
}

/**
 * Keeps keyboard focus inside a dialog while it is open (WAI-ARIA modal dialog pattern): focus moves in on open (to
 * the element marked `data-autofocus`, else the first field, else the first control), Tab and Shift+Tab wrap around,
 * Escape calls `onEscape`, and focus returns to where it was when the dialog closes. Escape is handled on the dialog
 * itself, so only the innermost of stacked dialogs closes.
 */
export function useFocusTrap(ref: RefObject<HTMLElement | null>, onEscape: () => void) {
  const escape = useRef(onEscape);
  escape.current = onEscape;
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const all = focusables(root);
    const first = root.querySelector<HTMLElement>('[data-autofocus]')
      ?? all.find((el) => el.matches('input, select, textarea, [contenteditable="true"]'))
      ?? all[0];
    if (first) first.focus();
    else {
      root.tabIndex = -1;
      root.focus();
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        e.preventDefault();
        escape.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = focusables(root);
      if (items.length === 0) {
        e.preventDefault();
        return;
      }
      const i = items.indexOf(document.activeElement as HTMLElement);
      if (e.shiftKey && (i <= 0)) {
        e.preventDefault();
        items[items.length - 1].focus();
      } else if (!e.shiftKey && (i === -1 || i === items.length - 1)) {
        e.preventDefault();
        items[0].focus();
      }
    };
    // focus that escapes anyway (a click on the backdrop, a programmatic focus) is pulled back in
    const onFocusIn = (e: FocusEvent) => {
      // only the topmost of stacked dialogs holds focus
      const open = document.querySelectorAll('[aria-modal="true"]');
      if (open[open.length - 1] !== root) return;
      if (!root.contains(e.target as Node)) (focusables(root)[0] ?? root).focus();
    };
    root.addEventListener('keydown', onKey);
    document.addEventListener('focusin', onFocusIn);
    return () => {
      root.removeEventListener('keydown', onKey);
      document.removeEventListener('focusin', onFocusIn);
      if (before && document.contains(before)) before.focus();
    };
  }, [ref]);
}
