import { useCallback, useEffect, useState } from 'react';
import { api } from '../lib/api.ts';

/**
 * JSON from the API, loaded when the path changes and again on reload(). `null` as the path
 * loads nothing (not yet known what to load).
 */
export interface Load<T> {
  data: T | undefined;
  error: unknown;
  reload: () => void;
}

export function useLoad<T>(path: string | null): Load<T> {
  const [state, setState] = useState<{ path: string | null; data?: T; error?: unknown }>({ path: null });
  const [n, setN] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    api.get<T>(path).then(
      (data) => live && setState({ path, data }),
      (error: unknown) => live && setState({ path, error }),
    );
    return () => {
      live = false;
    };
  }, [path, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  // A previous path's answer is not this path's: show loading until the new one is here.
  const current = state.path === path;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, reload };
}
