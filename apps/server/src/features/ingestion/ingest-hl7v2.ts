import type { Bundle } from 'fhir/r4';
import type { Database, Queryable } from '@kennebec/db';
import {
  buildAck,
  buildParseFailureAck,
  checkHeader,
  ackCodeFor,
  HL7_ERROR,
  isHl7MappingError,
  isHl7ParseError,
  isHl7UnsupportedError,
  parseMessage,
  serializeMessage,
  toFhir,
  type Hl7Issue,
  type Hl7Message,
  type MergeInstruction,
} from '@kennebec/hl7v2';
import { isOutcomeError } from '@kennebec/fhir';
import { findSourceByFacility, type DataSource } from '../sources/index.ts';
import { applyMessage, logProcessed, outcomeText, type Applied, type Appliers, type ReadyMessage } from './apply-message.ts';

/**
 * Ingest of one HL7 v2 message, whatever channel it came by (MLLP, HTTPS, batch file).
 *
 * 1. Parse; a message that cannot be parsed is answered AE/AR and logged as rejected.
 * 2. The sending facility (MSH-4) must be a registered source (and the caller's own source when
 *    the channel authenticates one); otherwise AR.
 * 3. Map to a FHIR transaction Bundle and apply it all-or-nothing through the FHIR API, with
 *    the message's log entry written in the same database transaction, first: AA is returned
 *    only after that transaction has committed. Messages ready at the same time (on several
 *    connections) share one transaction (group commit, apply-message.ts).
 * 4. A message already processed from that source with that control id (MSH-10) finds its log
 *    entry there; it changes nothing and is acknowledged again with the stored ACK.
 * 5. A failure leaves nothing half-written and is answered AE with ERR segments; the raw
 *    message is logged with the error and kept for reprocessing.
 */
export type Channel = 'mllp' | 'mllp-tls' | 'http' | 'file';

export interface IngestDeps extends Appliers {
  db: Database;
  now: () => Date;
  /** Applies a source's merge of two of its records (ADT^A40); returns how many were merged. */
  mergePatients: (merges: MergeInstruction[], sourceOrg: string) => Promise<number>;
  /** Applies a mapped message, with others ready at the same time (group commit); absent, on its own. */
  submit?: ((message: ReadyMessage) => Promise<Applied>) | undefined;
  /**
   * The enabled source of a sending facility, possibly remembered for a few seconds; absent, read
   * each time. A source disabled meanwhile is still refused: the log entry that commits with a
   * message's effects is written only while its source is enabled.
   */
  findSource?: ((facility: string) => Promise<DataSource | null>) | undefined;
}

export interface IngestResult {
  ack: string;
  status: 'processed' | 'error' | 'rejected';
  /** MSA-1 of the ACK: AA, AE or AR. */
  code: 'AA' | 'AE' | 'AR';
}

interface LogEntry {
  sourceOrg: string | null;
  channel: Channel;
  controlId: string | null;
  messageType: string | null;
  status: IngestResult['status'];
  error: string | null;
  raw: string;
  ack: string;
  retryOf: string | null;
}

async function log(db: Database, e: LogEntry): Promise<void> {
  await db.query(
    `insert into inbound_message (source_org, channel, control_id, message_type, status, error, raw, ack, retry_of)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint)`,
    [e.sourceOrg, e.channel, e.controlId, e.messageType, e.status, e.error, e.raw, e.ack, e.retryOf],
  );
}

export interface IngestOptions {
  /** The source authenticated by the channel (HTTPS client, TLS client certificate); MSH-4 must be its facility. */
  callerOrgId?: string | null;
  /** How the channel names that source in a refusal (default: the authenticated source). */
  callerName?: string;
  /** The channel refuses the message whatever it says (a client certificate of no source): AR with this reason, logged as rejected. */
  refusal?: string;
  /** Id of the logged message being reprocessed. */
  retryOf?: string;
}

export async function ingestHl7v2(deps: IngestDeps, raw: string, channel: Channel, opts: IngestOptions = {}): Promise<IngestResult> {
  const now = deps.now();
  const { callerOrgId } = opts;
  const retryOf = opts.retryOf ?? null;
  let msg: Hl7Message;
  try {
    msg = parseMessage(raw);
  } catch (err) {
    if (!isHl7ParseError(err)) throw err;
    const ack = serializeMessage(buildParseFailureAck(raw, err, { now }));
    await log(deps.db, { sourceOrg: null, channel, controlId: null, messageType: null, status: 'rejected', error: err.message, raw, ack, retryOf });
    return { ack, status: 'rejected', code: ack.includes('|AR|') ? 'AR' : 'AE' };
  }
  const reply = (code: 'AA' | 'AE' | 'AR', issues: Hl7Issue[] = []): string => serializeMessage(buildAck(msg, code, { now, errors: issues }));
  const type = `${msg.messageType.code}^${msg.messageType.trigger}`;
  const controlId = msg.controlId || null;
  const reject = async (source: DataSource | null, issue: Hl7Issue, status: 'rejected' | 'error', code: 'AE' | 'AR'): Promise<IngestResult> => {
    const ack = reply(code, [issue]);
    await log(deps.db, { sourceOrg: source?.id ?? null, channel, controlId, messageType: type, status, error: issue.message, raw, ack, retryOf });
    return { ack, status, code };
  };

  if (opts.refusal) return reject(null, { severity: 'E', code: HL7_ERROR.unknownKeyIdentifier, message: opts.refusal }, 'rejected', 'AR');
  const facility = msg.get('MSH-4.1');
  const source = facility ? await (deps.findSource ?? ((f: string) => findSourceByFacility(deps.db, f)))(facility) : null;
  const unknownSource = (): Promise<IngestResult> =>
    reject(null, { severity: 'E', code: HL7_ERROR.unknownKeyIdentifier, message: `Sending facility '${facility}' is not a registered source`, location: { segment: 'MSH', sequence: 1, field: 4 } }, 'rejected', 'AR');
  if (!source) return unknownSource();
  if (callerOrgId !== undefined && callerOrgId !== null && callerOrgId !== source.id) {
    const why = `Sending facility '${facility}' does not belong to ${opts.callerName ?? 'the authenticated source'}`;
    return reject(null, { severity: 'E', code: HL7_ERROR.unknownKeyIdentifier, message: why, location: { segment: 'MSH', sequence: 1, field: 4 } }, 'rejected', 'AR');
  }
  const headerIssues = checkHeader(msg);
  const headerCode = ackCodeFor(headerIssues);
  if (headerCode !== 'AA') return reject(source, headerIssues[0] as Hl7Issue, headerCode === 'AR' ? 'rejected' : 'error', headerCode);

  let bundle: Bundle;
  let merges: MergeInstruction[];
  try {
    const mapped = toFhir(msg, { sourceSystem: source.identifierSystem, sourceOrgId: source.id, now: now.toISOString() });
    bundle = mapped.bundle;
    merges = mapped.merges ?? [];
  } catch (err) {
    if (!isHl7UnsupportedError(err) && !isHl7MappingError(err)) throw err;
    const previous = await previousAck(deps.db, source.id, controlId);
    if (previous !== undefined) return { ack: previous, status: 'processed', code: 'AA' };
    if (isHl7UnsupportedError(err)) return reject(source, { severity: 'E', code: err.hl7Code, message: err.message, location: err.location }, 'rejected', 'AR');
    return reject(source, { severity: 'E', code: err.hl7Code, message: err.message, location: err.location }, 'error', 'AE');
  }
  const actor = { kind: 'system' as const, origin: `hl7v2:${channel}`, orgId: source.id };
  const ack = reply('AA');
  const ready: ReadyMessage = {
    request: { method: 'POST', path: '', query: [], headers: {}, body: bundle, actor },
    entry: { sourceOrg: source.id, channel, controlId, messageType: type, raw, ack, retryOf },
  };
  // Nothing was applied: the message was processed before, or its source was disabled meanwhile.
  const answerAsBefore = async (): Promise<IngestResult> => {
    const previous = await previousAck(deps.db, source.id, controlId);
    if (previous !== undefined) return { ack: previous, status: 'processed', code: 'AA' };
    if (!(await findSourceByFacility(deps.db, facility))) return unknownSource();
    throw new Error('a message logged as processed could not be read back');
  };
  try {
    if (merges.length === 0) {
      const applied = await (deps.submit ? deps.submit(ready) : applyMessage(deps, ready));
      return applied === 'duplicate' ? await answerAsBefore() : { ack, status: 'processed', code: 'AA' };
    }
    // ADT^A40: the merges run in a transaction of their own, after the surviving record is
    // stored, and the message is logged once both have committed.
    if ((await previousAck(deps.db, source.id, controlId)) !== undefined) return await answerAsBefore();
    const res = await deps.dispatch(ready.request);
    if (res.status >= 400) throw new Error(outcomeText(res.body));
    // A resend before the log entry below is written applies the merges again: they are idempotent.
    await deps.mergePatients(merges, source.id);
  } catch (err) {
    const message = isOutcomeError(err) ? outcomeText(err.outcome) : (err as Error).message;
    return reject(source, { severity: 'E', code: HL7_ERROR.applicationInternalError, message }, 'error', 'AE');
  }
  // The same message processed concurrently on another connection may have won the race; its
  // effects are the same (conditional writes), so acknowledge as it did.
  await logProcessed(deps.db, [ready.entry]);
  return { ack, status: 'processed', code: 'AA' };
}

/** The ACK sent for a message already processed from this source with this control id. */
async function previousAck(q: Queryable, sourceOrg: string, controlId: string | null): Promise<string | undefined> {
  if (!controlId) return undefined;
  const seen = await q.query<{ ack: string }>(`select ack from inbound_message where source_org = $1 and control_id = $2 and status = 'processed'`, [sourceOrg, controlId]);
  return seen.rows[0]?.ack;
}
