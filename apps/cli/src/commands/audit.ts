import { openDatabase } from '@kennebec/db';
import { loadConfig, verifyAuditChain } from '@kennebec/server';
import type { CliIo } from '../io.ts';

/**
 * `kennebec audit verify [--anchor SEQ:HASH]`: recomputes the audit trail's hash chain from its
 * first entry and prints OK with the count and the head (seq and hash, worth noting somewhere
 * outside the database: given back as --anchor later, it also proves that no entry up to it was
 * removed or rewritten), or the first broken seq. Reads only; exit code 1 when broken.
 */
export async function auditVerifyCommand(io: CliIo, anchorText: string | undefined): Promise<number> {
  let anchor: { seq: number; hash: string } | undefined;
  if (anchorText !== undefined) {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(anchorText);
    if (!m) {
      io.err('--anchor takes SEQ:HASH as printed by an earlier audit verify (e.g. 1234:9f86d08…)');
      return 2;
    }
    anchor = { seq: Number(m[1]), hash: m[2] as string };
  }
  const config = loadConfig(io.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const table = await db.query<{ t: string | null }>(`select to_regclass('audit_entry')::text as t`);
    if (!table.rows[0]?.t) {
      io.err('This database has no audit trail yet: run `kennebec migrate` (or start the server) first');
      return 1;
    }
    const result = await verifyAuditChain(db, anchor ? { anchor } : {});
    if (result.broken) {
      io.err(`Audit trail BROKEN at seq ${result.broken.seq}: ${result.broken.detail} (${result.count} entries before it verified)`);
      return 1;
    }
    if (result.anchor && !result.anchor.ok) {
      io.err(`Audit trail does not match the anchor at seq ${result.anchor.seq}: ${result.anchor.detail} (${result.count} entries verified)`);
      return 1;
    }
    io.out(`OK: ${result.count} audit entries verified in ${result.ms} ms${result.anchor ? `, anchor at seq ${result.anchor.seq} matches` : ''}`);
    if (result.pending > 0) io.out(`(${result.pending} entries staged by recent writes have not joined the chain yet; they do within a second while a server runs)`);
    io.out(`Head: ${result.head.seq}:${result.head.hash}`);
    return 0;
  } finally {
    await db.close();
  }
}
