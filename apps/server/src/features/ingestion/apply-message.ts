import type { OperationOutcome } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';
import type { Settled } from './group-commit.ts';

/**
 * Applying mapped messages. A message's transaction Bundle and its log entry commit together:
 * the entry is inserted first in the transaction (a resend racing on another connection waits
 * on it, then finds it and changes nothing), so a message is processed exactly when it is
 * logged as processed.
 *
 * Messages ready at the same time are applied in one transaction (group commit). If that
 * transaction fails, for whatever reason (one message's bad data, a resend among them, a
 * deadlock), it has changed nothing, and each message is applied again on its own, so that a
 * failure is only ever its own message's.
 */
export interface ProcessedEntry {
  sourceOrg: string;
  channel: string;
  controlId: string | null;
  messageType: string;
  raw: string;
  ack: string;
  retryOf: string | null;
}

export interface ReadyMessage {
  /** The message's transaction Bundle, as a FHIR request. */
  request: FhirRequest;
  entry: ProcessedEntry;
}

/**
 * 'duplicate': nothing was applied, because a message with the same source and control id was
 * processed already (or, rarely, the source was disabled meanwhile).
 */
export type Applied = 'applied' | 'duplicate';

export interface Appliers {
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
  /** Several transaction Bundles in one database transaction; absent, messages are applied one by one. */
  transactions?: ((requests: FhirRequest[], sameTransaction: (tx: Queryable) => Promise<void>) => Promise<FhirResponse[]>) | undefined;
}

class AlreadyProcessed extends Error {
  override name = 'AlreadyProcessed';
}

export function outcomeText(body: unknown): string {
  const issues = (body as OperationOutcome | undefined)?.issue ?? [];
  return issues.map((i) => i.diagnostics ?? i.code).join('; ') || 'processing failed';
}

/** Applies one message and logs it, in one transaction. */
export async function applyMessage(appliers: Appliers, m: ReadyMessage): Promise<Applied> {
  try {
    const res = await appliers.dispatch({
      ...m.request,
      sameTransaction: async (tx) => {
        if ((await logProcessed(tx, [m.entry])) === 0) throw new AlreadyProcessed();
      },
    });
    if (res.status >= 400) throw new Error(outcomeText(res.body));
    return 'applied';
  } catch (err) {
    if (err instanceof AlreadyProcessed) return 'duplicate';
    throw err;
  }
}

/** Applies messages in one transaction; if that fails, each on its own. Every message is settled on its own. */
export async function applyMessages(appliers: Appliers, messages: ReadyMessage[]): Promise<Settled<Applied>[]> {
  if (messages.length > 1 && appliers.transactions) {
    try {
      await appliers.transactions(
        messages.map((m) => m.request),
        async (tx) => {
          if ((await logProcessed(tx, messages.map((m) => m.entry))) < messages.length) throw new AlreadyProcessed();
        },
      );
      return messages.map(() => ({ ok: true, value: 'applied' }));
    } catch {
      // Nothing was kept; the messages are applied one by one below.
    }
  }
  const settled: Settled<Applied>[] = [];
  for (const m of messages) {
    try {
      settled.push({ ok: true, value: await applyMessage(appliers, m) });
    } catch (error) {
      settled.push({ ok: false, error });
    }
  }
  return settled;
}

/**
 * Logs processed messages, except those whose (source, control id) is logged as processed
 * already and those whose source is no longer enabled; returns how many were logged.
 */
export async function logProcessed(q: Queryable, entries: ProcessedEntry[]): Promise<number> {
  const res = await q.query(
    `insert into inbound_message (source_org, channel, control_id, message_type, status, raw, ack, retry_of)
     select o, c, k, t, 'processed', r, a, b from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[]) as u(o, c, k, t, r, a, b)
     where exists (select 1 from data_source d where d.org_id = u.o and d.disabled_at is null)
     on conflict (source_org, control_id) where status = 'processed' do nothing
     returning id`,
    [
      entries.map((e) => e.sourceOrg),
      entries.map((e) => e.channel),
      entries.map((e) => e.controlId),
      entries.map((e) => e.messageType),
      entries.map((e) => e.raw),
      entries.map((e) => e.ack),
      entries.map((e) => e.retryOf),
    ],
    { prepare: true },
  );
  return res.rows.length;
}
