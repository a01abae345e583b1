/**
 * The parsed form of an HL7 v2 message (ER7 encoding, v2.5.1 chapter 2.6). Fields are kept
 * as their raw (escaped) text so serialization round-trips byte for byte; repetitions,
 * components and subcomponents are split lazily and decoded on read.
 */
import { type EncodingCharacters, unescapeText } from './encoding.ts';

/** Segments whose fields 1 and 2 are the delimiters themselves (the MSH numbering quirk, 2.14.9.1). */
const HEADER_SEGMENTS = new Set(['MSH', 'FHS', 'BHS']);

/** One repetition of a field: a value of some (possibly composite) data type. */
export class Hl7Value {
  readonly raw: string;
  private readonly enc: EncodingCharacters;
  private readonly literal: boolean;
  private comps: string[] | undefined;

  constructor(raw: string, enc: EncodingCharacters, literal = false) {
    this.raw = raw;
    this.enc = enc;
    this.literal = literal;
  }

  /** True when empty or the HL7 explicit null `""` (2.5.3, "delete the value"). */
  get isEmpty(): boolean {
    return this.raw === '' || this.raw === '""';
  }

  /** Raw text of each component. */
  components(): string[] {
    if (this.comps === undefined) this.comps = this.literal ? [this.raw] : this.raw.split(this.enc.component);
    return this.comps;
  }

  /** Decoded text of component `c`, subcomponent `s` (1-based); '' when absent or null. */
  get(c = 1, s = 1): string {
    const comp = this.components()[c - 1];
    if (comp === undefined || comp === '') return '';
    if (this.literal) return comp;
    let part: string | undefined = comp;
    if (comp.includes(this.enc.subcomponent)) part = comp.split(this.enc.subcomponent)[s - 1];
    else if (s !== 1) part = undefined;
    if (part === undefined || part === '""') return '';
    return unescapeText(part, this.enc);
  }

  /** Decoded whole value, for simple (single-component) data types such as ST, TX, FT. */
  text(): string {
    if (this.isEmpty) return '';
    return this.literal ? this.raw : unescapeText(this.raw, this.enc);
  }
}

const EMPTY_ENC: EncodingCharacters = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };
const EMPTY_VALUE = new Hl7Value('', EMPTY_ENC);

export class Hl7Segment {
  readonly name: string;
  /** Raw field text, indexed by HL7 field number; index 0 holds the segment id. */
  readonly fields: readonly string[];
  readonly encoding: EncodingCharacters;
  /** 1-based line in the source text (0 for built segments). */
  readonly line: number;
  private readonly reps: (Hl7Value[] | undefined)[] = [];

  constructor(name: string, fields: readonly string[], encoding: EncodingCharacters, line = 0) {
    this.name = name;
    this.fields = fields;
    this.encoding = encoding;
    this.line = line;
  }

  /** Raw text of field `n` ('' when absent). */
  raw(n: number): string {
    return this.fields[n] ?? '';
  }

  /** Number of the last field present. */
  get fieldCount(): number {
    return this.fields.length - 1;
  }

  /** Every repetition of field `n`; empty when the field is empty. */
  repetitions(n: number): Hl7Value[] {
    const cached = this.reps[n];
    if (cached) return cached;
    const raw = this.raw(n);
    let list: Hl7Value[];
    if (raw === '') list = [];
    else if (HEADER_SEGMENTS.has(this.name) && n <= 2) list = [new Hl7Value(raw, this.encoding, true)];
    else list = raw.split(this.encoding.repetition).map((r) => new Hl7Value(r, this.encoding));
    this.reps[n] = list;
    return list;
  }

  /** Repetition `r` (1-based) of field `n`, or an empty value. */
  field(n: number, r = 1): Hl7Value {
    return this.repetitions(n)[r - 1] ?? EMPTY_VALUE;
  }

  /** Decoded text of field `n`, component `c`, subcomponent `s`, repetition `r`. */
  get(n: number, c = 1, s = 1, r = 1): string {
    return this.field(n, r).get(c, s);
  }
}

export interface MessageType {
  /** MSH-9.1, e.g. ADT. */
  code: string;
  /** MSH-9.2, e.g. A01. */
  trigger: string;
  /** MSH-9.3 (v2.3.1+), e.g. ADT_A01; '' in the two-component v2.3 form. */
  structure: string;
}

export interface Hl7Path {
  segment: string;
  occurrence: number;
  field?: number;
  repetition: number;
  component?: number;
  subcomponent?: number;
}

const PATH = /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?(?:-(\d+)(?:\[(\d+)\])?(?:\.(\d+)(?:\.(\d+))?)?)?$/;
const pathCache = new Map<string, Hl7Path>();

/** Parses a terser-style path: `PID-3[2].4.2` = 2nd repetition of PID-3, component 4, subcomponent 2; `OBX[2]-5`. */
export function parsePath(path: string): Hl7Path {
  const hit = pathCache.get(path);
  if (hit) return hit;
  const m = PATH.exec(path);
  if (!m) throw new TypeError(`Invalid HL7 path "${path}" (expected e.g. PID-3[2].4.2)`);
  const p: Hl7Path = {
    segment: m[1] as string,
    occurrence: m[2] ? Number(m[2]) : 1,
    repetition: m[4] ? Number(m[4]) : 1,
    ...(m[3] ? { field: Number(m[3]) } : {}),
    ...(m[5] ? { component: Number(m[5]) } : {}),
    ...(m[6] ? { subcomponent: Number(m[6]) } : {}),
  };
  if (pathCache.size < 10_000) pathCache.set(path, p);
  return p;
}

export class Hl7Message {
  readonly segments: readonly Hl7Segment[];
  readonly encoding: EncodingCharacters;

  constructor(segments: readonly Hl7Segment[], encoding: EncodingCharacters) {
    this.segments = segments;
    this.encoding = encoding;
  }

  /** The MSH segment (parseMessage guarantees it is first). */
  get header(): Hl7Segment {
    const msh = this.segments[0];
    if (!msh) throw new Error('message has no segments');
    return msh;
  }

  /** The `occurrence`-th segment with this id. */
  segment(name: string, occurrence = 1): Hl7Segment | undefined {
    let seen = 0;
    for (const s of this.segments) {
      if (s.name === name && ++seen === occurrence) return s;
    }
    return undefined;
  }

  all(name: string): Hl7Segment[] {
    return this.segments.filter((s) => s.name === name);
  }

  /** Decoded value at a terser-style path ('' when absent); a path without a component reads component 1. */
  get(path: string): string {
    const p = parsePath(path);
    const seg = this.segment(p.segment, p.occurrence);
    if (!seg || p.field === undefined) return '';
    return seg.get(p.field, p.component ?? 1, p.subcomponent ?? 1, p.repetition);
  }

  /** MSH-12.1, e.g. "2.5.1" ('' when missing). */
  get version(): string {
    return this.header.get(12).trim();
  }

  /** MSH-10. */
  get controlId(): string {
    return this.header.get(10);
  }

  /** MSH-9, accepting the v2.3 two-component form and the occasional `ADT_A01` written in one component. */
  get messageType(): MessageType {
    const msh9 = this.header.field(9);
    let code = msh9.get(1).trim();
    let trigger = msh9.get(2).trim();
    const structure = msh9.get(3).trim();
    if (trigger === '' && /^[A-Z0-9]{3}_[A-Z0-9]{3}$/.test(code)) [code, trigger] = code.split('_') as [string, string];
    return { code, trigger, structure };
  }

  /** `CODE^TRIGGER`, e.g. `ORU^R01`. */
  get type(): string {
    const t = this.messageType;
    return `${t.code}^${t.trigger}`;
  }
}
