import { describe, expect, it } from 'vitest';
import { ChainVerifier, GENESIS_HASH, canonicalEntry, chainHash, entryDigest } from './chain.ts';
import { MAX_REFERENCES, normalizeEntry, outcomeForStatus, type AuditRecord, type ChainedRecord } from './entry.ts';

const NOW = '2026-03-01T10:00:00.000Z';

function record(n: number, extra: Partial<AuditRecord> = {}): AuditRecord {
  return normalizeEntry({ actor: 'Client/abc', action: 'read', resourceType: 'Patient', entities: [`Patient/${n}`], patients: [`Patient/${n}`], outcome: 'success', status: 200, ...extra }, `id-${n}`, NOW);
}

function chain(records: AuditRecord[]): ChainedRecord[] {
  let prev = GENESIS_HASH;
  return records.map((r, i) => {
    const hash = chainHash(prev, i + 1, entryDigest(r));
    const out = { ...r, seq: i + 1, prevHash: prev, hash };
    prev = hash;
    return out;
  });
}

function verify(entries: ChainedRecord[]) {
  const v = new ChainVerifier();
  for (const e of entries) if (v.push(e)) break;
  return v;
}

describe('audit entries', () => {
  it('fill defaults, drop duplicate references and keep the true count when capping', () => {
    const many = Array.from({ length: MAX_REFERENCES + 250 }, (_, i) => `Observation/${i}`);
    const r = normalizeEntry({ actor: 'Client/a', action: 'search', entities: [...many, 'Observation/1'], patients: ['Patient/1', 'Patient/1'], outcome: 'success' }, 'x', NOW);
    expect(r.entities).toHaveLength(MAX_REFERENCES);
    expect(r.entitiesTotal).toBe(MAX_REFERENCES + 250);
    expect(r.patients).toEqual(['Patient/1']);
    expect(r).toMatchObject({ actorOrg: null, onBehalfOf: null, purposeOfUse: null, status: null, requestId: null, recorded: NOW });
  });

  it('keep instants to the millisecond in UTC, as the database gives them back', () => {
    expect(normalizeEntry({ actor: 'a', action: 'read', outcome: 'success', recorded: '2026-03-01T12:00:00+02:00' }, 'x', NOW).recorded).toBe('2026-03-01T10:00:00.000Z');
    expect(() => normalizeEntry({ actor: 'a', action: 'read', outcome: 'success', recorded: 'yesterday' }, 'x', NOW)).toThrow(RangeError);
  });

  it('call 401 and 403 denied and other failures errors', () => {
    expect([200, 401, 403, 404, 500].map(outcomeForStatus)).toEqual(['success', 'denied', 'denied', 'error', 'error']);
  });
});

describe('hash chain', () => {
  it('serializes an entry canonically: the same fields give the same digest, any change another', () => {
    const a = record(1);
    expect(canonicalEntry(a)).toBe(canonicalEntry({ ...a }));
    expect(entryDigest(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(entryDigest({ ...a, actor: 'Client/other' })).not.toBe(entryDigest(a));
    expect(entryDigest({ ...a, patients: [] })).not.toBe(entryDigest(a));
  });

  it('verifies an intact chain and reports its head', () => {
    const entries = chain([1, 2, 3, 4].map((n) => record(n)));
    const v = verify(entries);
    expect(v.firstBreak).toBeUndefined();
    expect(v.count).toBe(4);
    expect(v.head).toEqual({ seq: 4, hash: entries[3]?.hash });
  });

  it('finds an altered entry at its seq', () => {
    const entries = chain([1, 2, 3, 4].map((n) => record(n)));
    entries[2] = { ...(entries[2] as ChainedRecord), entities: ['Patient/999'] };
    expect(verify(entries).firstBreak).toMatchObject({ seq: 3, reason: 'hash' });
  });

  it('finds a removed entry as a gap at the missing seq', () => {
    const entries = chain([1, 2, 3, 4].map((n) => record(n)));
    entries.splice(1, 1);
    const v = verify(entries);
    expect(v.firstBreak).toMatchObject({ seq: 2, reason: 'gap' });
    expect(v.count).toBe(1);
  });

  it('finds an entry whose hash was recomputed alone: the next one no longer follows it', () => {
    const entries = chain([1, 2, 3].map((n) => record(n)));
    const altered = { ...(entries[1] as ChainedRecord), actor: 'Client/mallory' };
    altered.hash = chainHash(altered.prevHash, 2, entryDigest(altered));
    entries[1] = altered;
    expect(verify(entries).firstBreak).toMatchObject({ seq: 3, reason: 'prev-hash' });
  });
});
