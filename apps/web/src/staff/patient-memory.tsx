import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { PatientSummary } from './types.ts';

/**
 * The patients found in this tab's searches, kept in memory only (never in storage: they are
 * demographics), so that a patient's page can name them. A reload forgets them; the page then
 * offers to find the patient again.
 */
interface Memory {
  remember: (patients: PatientSummary[]) => void;
  get: (id: string) => PatientSummary | undefined;
  /** Marks a patient as enrolled or not after an invitation is accepted or sent. */
  update: (id: string, change: Partial<PatientSummary>) => void;
  version: number;
  /** The last search's results, shown again when staff come back to the search page. */
  lastResults: PatientSummary[] | null;
  setLastResults: (r: PatientSummary[] | null) => void;
}

const Ctx = createContext<Memory | null>(null);

export function PatientMemoryProvider({ children }: { children: ReactNode }) {
  const map = useRef(new Map<string, PatientSummary>());
  const [version, setVersion] = useState(0);
  const [lastResults, setLastResults] = useState<PatientSummary[] | null>(null);
  const remember = useCallback((patients: PatientSummary[]) => {
    for (const p of patients) map.current.set(p.id, p);
    setVersion((v) => v + 1);
  }, []);
  const get = useCallback((id: string) => map.current.get(id), []);
  const update = useCallback((id: string, change: Partial<PatientSummary>) => {
    const p = map.current.get(id);
    if (p) map.current.set(id, { ...p, ...change });
    setVersion((v) => v + 1);
  }, []);
  // A new value on every change, so pages naming a patient render again.
  const value = useMemo(() => ({ remember, get, update, version, lastResults, setLastResults }), [remember, get, update, version, lastResults]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function usePatientMemory(): Memory {
  const v = useContext(Ctx);
  if (!v) throw new Error('usePatientMemory outside PatientMemoryProvider');
  return v;
}

/** "Rivera, Ann" as staff read names in a list. */
export function patientName(p: PatientSummary): string {
  const given = p.given.join(' ');
  if (p.family && given) return `${p.family}, ${given}`;
  return p.family ?? given;
}
