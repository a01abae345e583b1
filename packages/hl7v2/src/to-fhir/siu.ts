/**
 * SIU^S12 → Appointment (https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-message-siu-s12-to-bundle.html,
 * ConceptMap-segment-sch-to-appointment.html). Keyed on the filler appointment id (SCH-2), else the placer's (SCH-1).
 */
import type { Appointment, AppointmentParticipant } from 'fhir/r4';
import type { Hl7Segment } from '../message.ts';
import type { MappingContext } from './context.ts';
import { eiToIdentifier, toCodeableConcept, toInstant, xcnToReference } from './datatypes.ts';
import { missing } from './adt.ts';
import { addPatient } from './patient.ts';
import { APPOINTMENT_STATUS } from './tables.ts';

function minutes(amount: string, unit: string): number | undefined {
  const n = Number(amount);
  if (!amount || !Number.isFinite(n) || n <= 0) return undefined;
  const u = unit.toLowerCase();
  if (u.startsWith('h')) return n * 60;
  if (u === 's' || u.startsWith('sec')) return Math.max(1, Math.round(n / 60));
  return n;
}

export function mapSiu(ctx: MappingContext): void {
  const tz = ctx.options.defaultTimezone;
  const msg = ctx.msg;
  const sch = msg.segment('SCH');
  if (!sch) throw missing('SCH');
  const pid = msg.segment('PID');
  if (!pid) throw missing('PID');
  const patient = addPatient(ctx, pid);
  const base = ctx.options.sourceSystem;
  const ids = [eiToIdentifier(sch.field(2), base, 'filler-appointment', 'FILL'), eiToIdentifier(sch.field(1), base, 'placer-appointment', 'PLAC')].filter((x) => x !== undefined);
  const filler = sch.get(25).toUpperCase();
  const participant: AppointmentParticipant[] = [{ actor: patient.reference, status: 'accepted' }];
  const resourceSegs = (name: string): Hl7Segment[] => msg.all(name);
  for (const aip of resourceSegs('AIP')) {
    const who = xcnToReference(aip.field(3), base);
    if (who) participant.push({ actor: who, status: 'accepted', ...(toCodeableConcept(aip.field(4)) ? { type: [toCodeableConcept(aip.field(4)) ?? {}] } : {}) });
  }
  for (const ail of resourceSegs('AIL')) {
    const pl = ail.field(3);
    const display = [pl.get(4), pl.get(1), pl.get(2), pl.get(3)].filter((p) => p).join(' ');
    if (display) participant.push({ actor: { display }, status: 'accepted' });
  }
  const appt: Appointment = { resourceType: 'Appointment', status: APPOINTMENT_STATUS[filler] ?? 'booked', participant };
  if (ids.length > 0) appt.identifier = ids;
  const reason = toCodeableConcept(sch.field(7));
  if (reason) appt.reasonCode = [reason];
  const type = toCodeableConcept(sch.field(8));
  if (type) appt.appointmentType = type;
  const ais = msg.segment('AIS');
  const service = ais ? toCodeableConcept(ais.field(3)) : undefined;
  if (service) appt.serviceType = [service];
  // Start/end: SCH-11 TQ.4/TQ.5 (v2.3–2.5; withdrawn later), else AIS-4 start with AIS-7 duration.
  const start = toInstant(sch.get(11, 4), tz) ?? (ais ? toInstant(ais.get(4), tz) : undefined);
  let end = toInstant(sch.get(11, 5), tz);
  const duration = minutes(sch.get(9), sch.get(10, 1)) ?? (ais ? minutes(ais.get(7), ais.get(8, 1)) : undefined);
  if (start) appt.start = start;
  if (!end && start && duration) end = new Date(Date.parse(start) + duration * 60_000).toISOString();
  if (end) appt.end = end;
  if (duration) appt.minutesDuration = duration;
  if (!start && !['proposed', 'cancelled', 'waitlist'].includes(appt.status)) {
    // app-3: only proposed, cancelled or waitlisted appointments may lack start and end.
    ctx.warn('SIU without a usable start time (SCH-11.4 / AIS-4); Appointment recorded as proposed', { segment: 'SCH', field: 11 }, 101);
    appt.status = 'proposed';
  }
  const description = sch.get(6, 2) || sch.get(6, 1);
  if (description) appt.description = description;
  const note = msg.all('NTE').map((n) => n.repetitions(3).map((r) => r.text()).join('\n')).filter((t) => t);
  if (note.length > 0) appt.comment = note.join('\n');
  ctx.add(appt, ids[0]);
}
