import type { Queryable } from '@kennebec/db';
import { ChainVerifier, type ChainBreak } from '@kennebec/audit';
import { selectEntries } from './rows.ts';

/**
 * Recomputes the whole chain from the first entry, a page at a time (constant memory).
 * Optionally checks an anchor: a (seq, hash) pair noted earlier outside the database, which
 * catches what the chain alone cannot, the removal of the newest entries or a rewrite of the
 * whole trail by someone able to recompute every hash.
 */
export interface VerifyResult {
  ok: boolean;
  count: number;
  head: { seq: number; hash: string };
  broken?: ChainBreak | undefined;
  anchor?: { seq: number; ok: boolean; detail: string } | undefined;
  /** Entries staged by committed writes that have not joined the chain yet. */
  pending: number;
  ms: number;
}

const PAGE = 5000;

export async function verifyAuditChain(q: Queryable, opts: { anchor?: { seq: number; hash: string } } = {}): Promise<VerifyResult> {
  const started = Date.now();
  const verifier = new ChainVerifier();
  let after = 0;
  let anchorResult: VerifyResult['anchor'];
  for (;;) {
    const page = await selectEntries(q, 'where seq > $1', [after], `order by seq limit ${PAGE}`);
    for (const e of page) {
      if (opts.anchor && e.seq === opts.anchor.seq) {
        anchorResult = e.hash === opts.anchor.hash
          ? { seq: e.seq, ok: true, detail: 'the anchored entry is unchanged' }
          : { seq: e.seq, ok: false, detail: 'the anchored entry has a different hash' };
      }
      if (verifier.push(e)) break;
    }
    const last = page[page.length - 1];
    if (verifier.firstBreak || !last || page.length < PAGE) break;
    after = last.seq;
  }
  if (opts.anchor && !anchorResult && !verifier.firstBreak) {
    anchorResult = { seq: opts.anchor.seq, ok: false, detail: 'the anchored entry is missing' };
  }
  const broken = verifier.firstBreak;
  const staged = await q.query<{ n: string | number }>('select count(*) as n from audit_pending');
  return {
    ok: !broken && (anchorResult?.ok ?? true),
    count: verifier.count,
    head: verifier.head,
    ...(broken ? { broken } : {}),
    ...(anchorResult ? { anchor: anchorResult } : {}),
    pending: Number(staged.rows[0]?.n ?? 0),
    ms: Date.now() - started,
  };
}
