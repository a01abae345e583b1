import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '../lib/api.ts';
import type { RecordItem } from '../lib/fhir.ts';

/**
 * Whose record the portal shows: the signed-in patient and the people they act for
 * (GET /api/portal/people; age bands from GET /api/proxy/subjects). Switching person tells the
 * server too (PUT /api/proxy/acting-for), so that what follows is recorded as "acting for".
 */
export interface Person {
  patientId: string;
  relation: 'self' | 'proxy';
  name: string | null;
  birthDate: string | null;
  hiddenLabels: string[];
  ageBand: 'child' | 'teen' | 'adult' | null;
}

interface Subject {
  patientId: string;
  status: { active: boolean; ageBand: 'child' | 'teen' | 'adult'; text: string };
}

interface PeopleCtx {
  people: Person[] | undefined;
  current: Person | undefined;
  error: unknown;
  switchTo: (patientId: string) => Promise<void>;
}

const Ctx = createContext<PeopleCtx | null>(null);
const CURRENT_KEY = 'kennebec.person';

// Bumped when the record changes shape (a new link, a new proxy grant): people are read again.
const versionListeners = new Set<() => void>();

export function PeopleProvider({ children }: { children: ReactNode }) {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const l = () => setVersion((v) => v + 1);
    versionListeners.add(l);
    return () => {
      versionListeners.delete(l);
    };
  }, []);
  const [people, setPeople] = useState<Person[] | undefined>(undefined);
  const [currentId, setCurrentId] = useState<string | null>(() => sessionStorage.getItem(CURRENT_KEY));
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      const [{ people: list }, subjects] = await Promise.all([
        api.get<{ people: Omit<Person, 'ageBand'>[] }>('/api/portal/people'),
        api.get<{ subjects: Subject[]; actingFor: string | null }>('/api/proxy/subjects').catch(() => ({ subjects: [] as Subject[], actingFor: null })),
      ]);
      if (!live) return;
      const band = new Map(subjects.subjects.map((s) => [s.patientId, s.status.ageBand]));
      // An account linked at several organizations has one self entry per record; each shows
      // the same person's whole record (the MPI links them), so the switcher offers one.
      const firstSelf = list.find((p) => p.relation === 'self');
      const shown = list.filter((p) => p.relation !== 'self' || p === firstSelf);
      setPeople(shown.map((p) => ({ ...p, ageBand: p.relation === 'proxy' ? (band.get(p.patientId) ?? null) : null })));
      setCurrentId((id) => {
        if (id && shown.some((p) => p.patientId === id)) return id;
        if (subjects.actingFor && shown.some((p) => p.patientId === subjects.actingFor)) return subjects.actingFor;
        return firstSelf?.patientId ?? shown[0]?.patientId ?? null;
      });
    })().catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [version]);

  const switchTo = useCallback(
    async (patientId: string) => {
      const p = people?.find((x) => x.patientId === patientId);
      if (!p) return;
      await api.put('/api/proxy/acting-for', { patientId: p.relation === 'proxy' ? patientId : null });
      sessionStorage.setItem(CURRENT_KEY, patientId);
      setCurrentId(patientId);
    },
    [people],
  );

  const current = people?.find((p) => p.patientId === currentId);
  const value = useMemo(() => ({ people, current, error, switchTo }), [people, current, error, switchTo]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function usePeople(): PeopleCtx {
  const v = useContext(Ctx);
  if (!v) throw new Error('usePeople outside PeopleProvider');
  return v;
}

export type Section = 'labs' | 'vitals' | 'medications' | 'allergies' | 'problems' | 'immunizations' | 'visits' | 'documents';

export interface SectionData {
  items: RecordItem[];
  organizations: Record<string, string>;
}

// Sections already read in this tab, so that moving between pages does not read them again.
const cache = new Map<string, Promise<SectionData>>();

export function clearRecordCache(): void {
  cache.clear();
  versionListeners.forEach((l) => l());
}

function load(patientId: string, section: Section): Promise<SectionData> {
  const key = `${patientId}:${section}`;
  let p = cache.get(key);
  if (!p) {
    p = api.get<SectionData>(`/api/portal/people/${encodeURIComponent(patientId)}/record?section=${section}`);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

/** One section of the current person's record. */
export function useSection(section: Section): { data: SectionData | undefined; error: unknown } {
  const { current } = usePeople();
  const patientId = current?.patientId;
  const [state, setState] = useState<{ key: string; data?: SectionData; error?: unknown }>({ key: '' });
  useEffect(() => {
    if (!patientId) return;
    let live = true;
    const key = `${patientId}:${section}`;
    load(patientId, section).then(
      (data) => live && setState({ key, data }),
      (error: unknown) => live && setState({ key, error }),
    );
    return () => {
      live = false;
    };
  }, [patientId, section]);
  const fresh = state.key === `${patientId}:${section}`;
  return { data: fresh ? state.data : undefined, error: fresh ? state.error : undefined };
}
