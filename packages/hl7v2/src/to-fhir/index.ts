/**
 * v2 → FHIR R4 entry point: one transaction Bundle per message, following HL7's
 * v2-to-FHIR IG (https://build.fhir.org/ig/HL7/v2-to-fhir/). The mapping decisions that the IG
 * leaves open (keys, statuses per trigger, time zones) are documented in each mapper.
 */
import { HL7_ERROR, Hl7UnsupportedError } from '../errors.ts';
import type { Hl7Message } from '../message.ts';
import { isSupportedVersion } from '../validate.ts';
import { ADT_TRIGGERS, mapAdt } from './adt.ts';
import { MappingContext, type MergeInstruction, type ToFhirOptions, type ToFhirResult } from './context.ts';
import { mapMdm } from './mdm.ts';
import { mapOru } from './oru.ts';
import { mapRas, mapRde } from './pharmacy.ts';
import { mapSiu } from './siu.ts';
import { mapVxu } from './vxu.ts';

export type { MergeInstruction, ToFhirOptions, ToFhirResult };

type Mapper = (ctx: MappingContext, trigger: string) => MergeInstruction[] | undefined | void;

const MAPPERS: Record<string, Mapper> = {
  ORU: (ctx, t) => (t === 'R01' ? mapOru(ctx) : unsupported(ctx)),
  VXU: (ctx, t) => (t === 'V04' ? mapVxu(ctx) : unsupported(ctx)),
  MDM: (ctx, t) => (t === 'T02' ? mapMdm(ctx) : unsupported(ctx)),
  RDE: (ctx, t) => (t === 'O11' ? mapRde(ctx) : unsupported(ctx)),
  RAS: (ctx, t) => (t === 'O17' ? mapRas(ctx) : unsupported(ctx)),
  SIU: (ctx, t) => (t === 'S12' ? mapSiu(ctx) : unsupported(ctx)),
  ADT: (ctx, t) => (ADT_TRIGGERS.has(t) ? mapAdt(ctx, t) : unsupported(ctx)),
};

export const SUPPORTED_MESSAGE_TYPES: readonly string[] = [
  ...[...ADT_TRIGGERS].map((t) => `ADT^${t}`),
  'ORU^R01',
  'VXU^V04',
  'MDM^T02',
  'RDE^O11',
  'RAS^O17',
  'SIU^S12',
];

function unsupported(ctx: MappingContext): never {
  const t = ctx.msg.messageType;
  throw new Hl7UnsupportedError(`${t.code}^${t.trigger}`, HL7_ERROR.unsupportedEventCode, `Unsupported trigger event ${t.code}^${t.trigger}`);
}

/**
 * Maps a parsed message. Throws Hl7UnsupportedError (answer AR) for types or versions not handled,
 * Hl7MappingError (answer AE) when a required segment is missing; content problems become `issues`.
 */
export function toFhir(msg: Hl7Message, options: ToFhirOptions): ToFhirResult {
  const { code, trigger } = msg.messageType;
  const type = `${code}^${trigger}`;
  if (msg.version !== '' && !isSupportedVersion(msg.version)) throw new Hl7UnsupportedError(type, HL7_ERROR.unsupportedVersionId, `Unsupported HL7 version ${msg.version}`);
  const mapper = MAPPERS[code];
  if (!mapper) throw new Hl7UnsupportedError(type, HL7_ERROR.unsupportedMessageType);
  const ctx = new MappingContext(msg, options);
  const merges = mapper(ctx, trigger);
  return { messageType: type, bundle: ctx.bundle(), issues: ctx.issues, ...(merges ? { merges } : {}) };
}

/** The key the server de-duplicates on: the same MSH-10 from the same source is the same message. */
export function idempotencyKey(source: string, msg: Hl7Message): string {
  return `${source}|${msg.controlId}`;
}
