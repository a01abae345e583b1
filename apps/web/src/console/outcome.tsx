import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert } from '@kennebec/ui';

/**
 * What an action did ("The invitation was revoked"), shown where the action was and given the
 * focus, so a screen reader reads it out and keyboard users carry on from there (the button that
 * started it may be gone). The focus moves after the render that shows it, and after a dialog
 * that was open has closed and handed the focus back.
 */
export function useOutcome() {
  const [outcome, setOutcome] = useState<{ text: string } | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (outcome) ref.current?.focus();
  }, [outcome]);
  // A new object each time: the same message twice still takes the focus again.
  const show = useCallback((text: string) => setOutcome({ text }), []);
  return { text: outcome?.text ?? null, show, ref };
}

export function Outcome({ outcome, children }: { outcome: { text: string | null; ref: React.RefObject<HTMLDivElement | null> }; children?: ReactNode }) {
  if (!outcome.text) return null;
  return (
    <div ref={outcome.ref} tabIndex={-1} className="error-summary">
      <Alert tone="success" title={outcome.text}>
        {children}
      </Alert>
    </div>
  );
}

/** Focuses the element once `when` becomes (or changes to) a value: a result shown in place of a form. */
export function useFocusWhen<T extends HTMLElement>(when: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (when) ref.current?.focus();
  }, [when]);
  return ref;
}
