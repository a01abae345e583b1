import type { RefObject } from 'react';
import { Alert } from '@kennebec/ui';
import { ApiError } from '../lib/api.ts';
import { ErrorAlert } from '../lib/forms.tsx';

/**
 * A failed request in plain words: the foundation's message for its KB- code, unless the page
 * knows better what this refusal means where it happened (`explain`), e.g. a 422 on a proxy
 * grant is "the patient is an adult", not just "this cannot be done".
 */
export function ExplainedError({ error, alertRef, explain }: { error: unknown; alertRef?: RefObject<HTMLDivElement | null>; explain?: (err: ApiError) => string | null }) {
  if (!error) return null;
  const text = error instanceof ApiError && explain ? explain(error) : null;
  if (!text) return <ErrorAlert error={error} {...(alertRef ? { alertRef } : {})} />;
  return (
    <div ref={alertRef} tabIndex={-1} className="error-summary">
      <Alert tone="error" title={text} />
    </div>
  );
}
