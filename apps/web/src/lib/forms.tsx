import { useCallback, useRef, useState, type FormEvent, type RefObject } from 'react';
import { Alert } from '@kennebec/ui';
import { ApiError } from './api.ts';
import { errorMessage, passwordReasons } from './errors.ts';
import { useI18n } from './i18n.tsx';

/**
 * A form's submission: busy while it runs, its error kept for the page to show. The error
 * summary takes the focus so that it is read out at once.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const run = useCallback(async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
      window.setTimeout(() => alertRef.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  }, []);
  const onSubmit = useCallback(
    (fn: () => Promise<void>) => (e: FormEvent) => {
      e.preventDefault();
      void run(fn);
    },
    [run],
  );
  return { busy, error, setError, run, onSubmit, alertRef };
}

/** The plain-language message of a failed request (and the password rules it broke). */
export function ErrorAlert({ error, alertRef }: { error: unknown; alertRef?: RefObject<HTMLDivElement | null> }) {
  const { t } = useI18n();
  if (!error) return null;
  const reasons = error instanceof ApiError && error.code === 'KB-PASSWORD-REJECTED' ? passwordReasons(error, t) : [];
  return (
    <div ref={alertRef} tabIndex={-1} className="error-summary">
      <Alert tone="error" title={errorMessage(error, t)}>
        {reasons.length > 0 && (
          <ul>
            {reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        )}
      </Alert>
    </div>
  );
}

/** The message of the first issue about one field, for showing beside it. */
export function fieldError(error: unknown, field: string, text: string): string | undefined {
  return error instanceof ApiError && error.forField(field).length > 0 ? text : undefined;
}
