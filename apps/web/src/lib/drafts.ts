import { useCallback, useState } from 'react';

/**
 * Text typed into a form, kept in sessionStorage (this tab only, gone when it closes) so that a
 * session that ends mid-typing does not lose it: after signing in again the form has it back.
 * Only for harmless text (names, email addresses, notes), never passwords or codes.
 */
const PREFIX = 'kennebec.draft.';

function read(key: string): string | null {
  try {
    return window.sessionStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

export function useDraft(key: string, initial = ''): [string, (v: string) => void, () => void] {
  const [value, setValue] = useState<string>(() => read(key) ?? initial);
  const set = useCallback(
    (v: string) => {
      setValue(v);
      try {
        window.sessionStorage.setItem(PREFIX + key, v);
      } catch {
        // Kept in memory only.
      }
    },
    [key],
  );
  const clear = useCallback(() => {
    try {
      window.sessionStorage.removeItem(PREFIX + key);
    } catch {
      // Nothing kept.
    }
  }, [key]);
  return [value, set, clear];
}

/** Forgets every draft (signing out on a shared computer). */
export function clearDrafts(): void {
  try {
    for (const k of Object.keys(window.sessionStorage)) if (k.startsWith(PREFIX)) window.sessionStorage.removeItem(k);
  } catch {
    // Nothing kept.
  }
}
