/**
 * Runs every message of shared/data/hl7v2 and shared/data/hl7v2-more (see their READMEs):
 * well-formed ones parse and, when supported, map to a Bundle; the rest fail with a typed error.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildAck, buildParseFailureAck, ackCodeFor } from './ack.ts';
import { parseBatch } from './batch.ts';
import { Hl7MappingError, Hl7ParseError, Hl7UnsupportedError } from './errors.ts';
import { parseMessage, serializeMessage } from './parse.ts';
import { toFhir } from './to-fhir/index.ts';
import { checkHeader } from './validate.ts';

const root = process.env.KENNEBEC_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const dirs = ['hl7v2', 'hl7v2-more'].map((d) => join(root, d));

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : f.endsWith('.hl7') ? [p] : [];
  });
}

export interface Outcome {
  file: string;
  result: 'mapped' | 'unsupported' | 'header-error' | 'parse-error' | 'mapping-error' | 'batch';
  detail?: string;
}

function run(file: string): Outcome {
  const bytes = readFileSync(file);
  if (file.includes('/batch/')) {
    const b = parseBatch(bytes);
    for (const m of b.messages) toFhir(m, { sourceSystem: 'urn:test', now: '2024-01-01T00:00:00Z' });
    return { file, result: 'batch', detail: `${b.messages.length} message(s)` };
  }
  let msg;
  try {
    msg = parseMessage(bytes);
  } catch (err) {
    if (!(err instanceof Hl7ParseError)) throw err;
    expect(buildParseFailureAck(bytes, err).segment('MSA')).toBeDefined();
    return { file, result: 'parse-error', detail: err.message };
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (/^MSH/.test(text) && !text.includes('\uFFFD')) expect(serializeMessage(msg)).toBe(text.replace(/\r?\n/g, '\r').replace(/\r+$/, '') + '\r');
  const issues = checkHeader(msg);
  if (issues.some((i) => i.severity === 'E')) {
    const ack = buildAck(msg, ackCodeFor(issues), { errors: issues });
    expect(ack.get('MSA-2')).toBe(msg.controlId);
    return { file, result: 'header-error', detail: issues.map((i) => i.message).join('; ') };
  }
  try {
    const r = toFhir(msg, { sourceSystem: 'urn:test', now: '2024-01-01T00:00:00Z' });
    expect(r.bundle.resourceType).toBe('Bundle');
    expect(r.bundle.entry?.length).toBeGreaterThan(0);
    return { file, result: 'mapped', detail: `${msg.type} ${r.bundle.entry?.length} entries, ${r.issues.length} issues` };
  } catch (err) {
    if (err instanceof Hl7UnsupportedError) return { file, result: 'unsupported', detail: err.message };
    if (err instanceof Hl7MappingError) return { file, result: 'mapping-error', detail: err.message };
    throw err;
  }
}

const all = dirs.flatMap(files);

describe.skipIf(all.length === 0)('shared HL7 v2 data', () => {
  it('parses, maps or rejects every file with a typed outcome', () => {
    const outcomes = all.map(run);
    const counts: Record<string, number> = {};
    for (const o of outcomes) counts[o.result] = (counts[o.result] ?? 0) + 1;
    console.log(`shared HL7 v2 files: ${all.length}`, counts);
    for (const o of outcomes.filter((x) => x.result !== 'mapped' && x.result !== 'unsupported')) console.log(o.result, o.file.slice(root.length), o.detail);
    expect(outcomes.length).toBe(all.length);
    // Every file in malformed/ ends in a typed failure: parse error, header error (AE/AR), or an unsupported type (AR).
    const malformed = outcomes.filter((o) => o.file.includes('/malformed/'));
    expect(malformed.length).toBe(12);
    expect(malformed.filter((o) => o.result === 'mapped')).toEqual([]);
  });
});
