import { useEffect, useRef, useState } from 'react';
import { setNavigationBlocker } from '../router';
import { Modal } from './ui';

/**
 * While `dirty`, leaving the page asks first: links and route changes inside the app (the router holds them), browser
 * back/forward (put back, then replayed if the person leaves) and closing or reloading the tab (the browser's own
 * prompt). Returns the dialog to render: Stay, Discard and leave, or — with `onSave` — Save and leave.
 */
export function useUnsavedChangesGuard(dirty: boolean, onSave?: () => Promise<boolean>, what = 'this flow') {
  const [pending, setPending] = useState<(() => void) | null>(null);
  const [saving, setSaving] = useState(false);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  useEffect(() => {
    setNavigationBlocker((proceed) => {
      if (!dirtyRef.current) return false;
      setPending(() => proceed);
      return true;
    });
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (!dirtyRef.current) return;
      e.preventDefault();
      // older browsers show the prompt only when returnValue is set
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      setNavigationBlocker(null);
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }, []);

  if (!pending) return null;
  const leave = () => {
    const go = pending;
    setPending(null);
    // the page is left as it is: the blocker must not hold this move again
    dirtyRef.current = false;
    go();
  };
  return (
    <Modal
      title="Leave without saving?"
      onClose={() => setPending(null)}
      testId="unsaved-dialog"
      footer={
        <>
          <button className="btn" onClick={() => setPending(null)} data-autofocus data-testid="unsaved-stay">Stay on this page</button>
          <button className="btn btn-danger" onClick={leave} data-testid="unsaved-discard">Discard changes and leave</button>
          {onSave && (
            <button
              className="btn btn-primary"
              disabled={saving}
              data-testid="unsaved-save"
              onClick={async () => {
                setSaving(true);
                try {
                  if (await onSave()) leave();
                  else setPending(null);
                } finally {
                  setSaving(false);
                }
              }}
            >
              Save draft and leave
            </button>
          )}
        </>
      }
    >
      <p>You have unsaved changes to {what}. If you leave now they are lost.</p>
    </Modal>
  );
}
