import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { TEST_BASE_URL } from './app.ts';

/**
 * A software authenticator for tests: what a browser and a platform authenticator together
 * return from navigator.credentials.create() and .get(), as the JSON the server receives. Keys
 * are EC P-256 (ES256) made with node:crypto; authenticator data, attestation objects ('none')
 * and COSE keys are built here byte by byte (WebAuthn Level 3 §6.1, §6.5, §8.7; RFC 9053), with
 * a small CBOR encoder, independently of the server's WebAuthn library.
 */

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** CBOR (RFC 8949 §3) for the few types WebAuthn uses: integers, byte and text strings, arrays, maps in insertion order. */
export function cborEncode(v: Cbor): Buffer {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error('only integers');
    return v >= 0 ? head(0, v) : head(1, -1 - v);
  }
  if (typeof v === 'string') {
    const bytes = Buffer.from(v, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cborEncode)]);
  return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cborEncode(k), cborEncode(x)])]);
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Authenticator data flags (§6.1). */
export const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

export interface SoftCredential {
  id: string;
  rpId: string;
  /** The user handle, base64url, as the options gave it. */
  userHandle: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  signCount: number;
}

/** What each ceremony may be told to get wrong, for tests of refusals. */
export interface CeremonyOverrides {
  origin?: string;
  challenge?: string;
  rpId?: string;
  type?: string;
  /** Leave the UV flag off (no PIN or biometric). */
  noUserVerification?: boolean;
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string };
  user: { id: string };
}

interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

/** COSE_Key of an EC2 P-256 public key for ES256 (RFC 9053 §7.1.1, alg -7). */
function coseKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return cborEncode(
    new Map<Cbor, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x ?? '', 'base64url')],
      [-3, Buffer.from(jwk.y ?? '', 'base64url')],
    ]),
  );
}

function authData(rpId: string, flags: number, signCount: number, attested?: Buffer): Buffer {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(signCount);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter, ...(attested ? [attested] : [])]);
}

export class SoftwareAuthenticator {
  readonly credentials: SoftCredential[] = [];

  constructor(readonly origin: string = TEST_BASE_URL) {}

  /**
   * navigator.credentials.create(): a new discoverable ES256 credential, attestation 'none'
   * (or, with `reuse`, the same credential presented again).
   */
  create(options: CreationOptions, o: CeremonyOverrides & { reuse?: SoftCredential } = {}) {
    const rpId = o.rpId ?? options.rp.id ?? new URL(this.origin).hostname;
    const { privateKey, publicKey } = o.reuse ?? generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = o.reuse ? Buffer.from(o.reuse.id, 'base64url') : randomBytes(16);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const aaguid = Buffer.alloc(16);
    const attested = Buffer.concat([aaguid, idLength, id, coseKey(publicKey)]);
    const flags = FLAG.UP | FLAG.AT | (o.noUserVerification ? 0 : FLAG.UV);
    const attestationObject = cborEncode(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData(rpId, flags, 0, attested)],
      ]),
    );
    const clientDataJSON = JSON.stringify({ type: o.type ?? 'webauthn.create', challenge: o.challenge ?? options.challenge, origin: o.origin ?? this.origin, crossOrigin: false });
    const credential: SoftCredential = o.reuse ?? { id: b64url(id), rpId, userHandle: options.user.id, privateKey, publicKey, signCount: 0 };
    if (!o.reuse) this.credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal', 'hybrid'] },
    };
  }

  /**
   * navigator.credentials.get(): signs with `credential` (else the first allowed one it holds,
   * else, for a discoverable request, the first it holds for the RP). The counter goes up by one,
   * or is set to `signCount`.
   */
  get(options: RequestOptions, o: CeremonyOverrides & { credential?: SoftCredential; signCount?: number; userHandle?: string | null } = {}) {
    const requested = options.rpId ?? new URL(this.origin).hostname;
    const rpId = o.rpId ?? requested;
    const allowed = options.allowCredentials ?? [];
    const credential =
      o.credential ??
      (allowed.length > 0 ? this.credentials.find((c) => allowed.some((a) => a.id === c.id)) : this.credentials.find((c) => c.rpId === requested));
    if (!credential) throw new Error('no credential for this request');
    credential.signCount = o.signCount ?? credential.signCount + 1;
    const data = authData(rpId, FLAG.UP | (o.noUserVerification ? 0 : FLAG.UV), credential.signCount);
    const clientDataJSON = JSON.stringify({ type: o.type ?? 'webauthn.get', challenge: o.challenge ?? options.challenge, origin: o.origin ?? this.origin, crossOrigin: false });
    // ES256 signatures are ASN.1 DER, which is what node:crypto gives for EC keys (§6.5.5).
    const signature = sign('sha256', Buffer.concat([data, sha256(clientDataJSON)]), credential.privateKey);
    const userHandle = o.userHandle === undefined ? credential.userHandle : o.userHandle;
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(data),
        signature: b64url(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
    };
  }
}
