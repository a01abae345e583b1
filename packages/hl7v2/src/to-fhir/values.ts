/**
 * OBX-5 by OBX-2 value type → Observation.value[x]
 * (https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-segment-obx-to-observation.html, OBX-5 rows).
 * A value that does not fit its declared type is kept as valueString with a warning, never dropped.
 */
import type { Observation, Quantity } from 'fhir/r4';
import { HL7_ERROR } from '../errors.ts';
import type { Hl7Segment, Hl7Value } from '../message.ts';
import type { MappingContext } from './context.ts';
import { toCodeableConcept, toDateTime } from './datatypes.ts';

type ObservationValue = Pick<Observation, 'valueQuantity' | 'valueString' | 'valueCodeableConcept' | 'valueDateTime' | 'valueTime' | 'valueRange' | 'valueRatio'>;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const UCUM = 'http://unitsofmeasure.org';

/** OBX-6 (CWE) → Quantity unit; UCUM when the coding system says so (CWE.3 = UCUM, or alternate CWE.6). */
export function unitOf(v: Hl7Value): Quantity | undefined {
  if (v.isEmpty) return undefined;
  const code = v.get(1);
  const text = v.get(2) || code;
  for (const [c, sys] of [
    [1, 3],
    [4, 6],
  ] as const) {
    if (v.get(sys).toUpperCase() === 'UCUM') return { unit: text, system: UCUM, code: v.get(c) };
  }
  return text ? { unit: text } : undefined;
}

function quantity(n: string, unit: Quantity | undefined): Quantity {
  return { value: Number(n), ...unit };
}

/** SN: comparator ^ num1 ^ separator ^ num2 (v2.5.1 2.A.73). */
function structuredNumeric(v: Hl7Value, unit: Quantity | undefined): ObservationValue | undefined {
  const comparator = v.get(1);
  const n1 = v.get(2);
  const sep = v.get(3);
  const n2 = v.get(4);
  if (!NUMBER.test(n1)) return undefined;
  if (sep === ':' || sep === '/') return NUMBER.test(n2) ? { valueRatio: { numerator: { value: Number(n1) }, denominator: { value: Number(n2) } } } : undefined;
  if (sep === '-') return NUMBER.test(n2) ? { valueRange: { low: quantity(n1, unit), high: quantity(n2, unit) } } : undefined;
  if (sep === '+') return { valueString: `${n1}+` };
  const q = quantity(n1, unit);
  if (comparator === '<' || comparator === '>' || comparator === '<=' || comparator === '>=') q.comparator = comparator;
  else if (comparator === '<>') return { valueString: `<>${n1}` };
  return { valueQuantity: q };
}

export function observationValue(ctx: MappingContext, obx: Hl7Segment): { value: ObservationValue; unit?: Quantity } {
  const type = obx.get(2).toUpperCase();
  const reps = obx.repetitions(5).filter((r) => !r.isEmpty);
  const unit = unitOf(obx.field(6));
  const first = reps[0];
  const out = (value: ObservationValue): { value: ObservationValue; unit?: Quantity } => ({ value, ...(unit ? { unit } : {}) });
  if (!first) return out({});
  const where = { segment: 'OBX', field: 5, line: obx.line };
  const asText = (): ObservationValue => ({ valueString: reps.map((r) => r.text()).join('\n') });
  switch (type) {
    case 'NM': {
      const n = first.get(1).trim();
      if (NUMBER.test(n)) return out({ valueQuantity: quantity(n, unit) });
      ctx.warn(`OBX-5 "${n}" is not numeric although OBX-2 is NM`, where, HL7_ERROR.dataTypeError);
      return out({ valueString: n });
    }
    case 'SN': {
      const sn = structuredNumeric(first, unit);
      if (sn) return out(sn);
      ctx.warn(`OBX-5 is not a valid SN`, where, HL7_ERROR.dataTypeError);
      return out({ valueString: first.text() });
    }
    case 'CE':
    case 'CWE':
    case 'CNE':
    case 'CF': {
      const cc = toCodeableConcept(first);
      return out(cc ? { valueCodeableConcept: cc } : {});
    }
    case 'DT':
    case 'TS':
    case 'DTM': {
      const dt = toDateTime(first.get(1), ctx.options.defaultTimezone);
      if (dt) return out({ valueDateTime: dt });
      ctx.warn(`OBX-5 "${first.get(1)}" is not a valid ${type}`, where, HL7_ERROR.dataTypeError);
      return out({ valueString: first.get(1) });
    }
    case 'TM': {
      const m = /^(\d{2})(\d{2})?(\d{2})?/.exec(first.get(1));
      return out(m ? { valueTime: `${m[1]}:${m[2] ?? '00'}:${m[3] ?? '00'}` } : { valueString: first.get(1) });
    }
    case 'ED':
    case 'RP':
      // Embedded data has no Observation.value[x] in R4; the data belongs in a DocumentReference (MDM).
      return out({ valueString: `[${type} data, ${first.get(2) || 'unknown type'}/${first.get(3) || ''}]` });
    case 'ST':
    case 'TX':
    case 'FT':
      return out(asText());
    default:
      if (type !== '') ctx.warn(`OBX-2 value type "${type}" is not mapped; OBX-5 kept as text`, { segment: 'OBX', field: 2, line: obx.line }, HL7_ERROR.tableValueNotFound);
      return out(asText());
  }
}
