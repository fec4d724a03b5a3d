// What a citizen checks about an object (docs/protocol.md REQ-CKP.1): who owns it, in what
// shares, with how many mortgages and arrests, at which version. A statement is derived from the
// object's record at a checkpoint; its leaf is what the statement tree hashes, and a compact
// proof (compact.ts) carries the statement's fields so a verifier can rebuild that leaf.
import { encode, hexToBytes } from '../codec/index.js';
import { sha256 } from '../crypto/index.js';
import type { PropertyObject } from '../modules/property/types.js';

export const STATEMENT_TAG = 'property/v1';
/** The kinds in the order a compact proof names them by index (REQ-CKP.3). */
export const STATEMENT_KINDS = ['land', 'building', 'apartment', 'premises', 'parking', 'other'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

export interface StatementOwner {
  /** The owner's public key, lowercase hex. */
  key: string;
  share: readonly [number, number];
}

export interface PropertyStatement {
  id: string;
  version: number;
  kind: StatementKind;
  areaDm2: number;
  owners: readonly StatementOwner[];
  mortgages: number;
  arrests: number;
}

/** The statement of an object's record (its owners in the record's order). */
export function propertyStatement(object: PropertyObject): PropertyStatement {
  return {
    id: object.id,
    version: object.version,
    kind: object.kind,
    areaDm2: object.areaDm2,
    owners: object.owners.map((owner) => ({ key: owner.key, share: [owner.share[0], owner.share[1]] as const })),
    mortgages: object.encumbrances.filter((item) => item.kind === 'mortgage').length,
    arrests: object.encumbrances.filter((item) => item.kind === 'arrest').length,
  };
}

/** The owners as a compact proof carries them: `[[key bytes(32), numerator, denominator], …]`. */
export function ownersWire(owners: readonly StatementOwner[]): [Uint8Array, number, number][] {
  return owners.map((owner) => [hexToBytes(owner.key), owner.share[0], owner.share[1]]);
}

/** sha256(CBOR(owners as the wire carries them)): the leaf holds this, not the list. */
export function ownersHash(owners: readonly StatementOwner[]): Uint8Array {
  return sha256(encode(ownersWire(owners)));
}

/** The fields of a leaf; the owners may be known only by their hash and count. */
export interface StatementLeafFields {
  id: string;
  version: number;
  kind: StatementKind;
  areaDm2: number;
  ownersCount: number;
  ownersHash: Uint8Array;
  mortgages: number;
  arrests: number;
}

export function leafFields(statement: PropertyStatement): StatementLeafFields {
  return {
    id: statement.id,
    version: statement.version,
    kind: statement.kind,
    areaDm2: statement.areaDm2,
    ownersCount: statement.owners.length,
    ownersHash: ownersHash(statement.owners),
    mortgages: statement.mortgages,
    arrests: statement.arrests,
  };
}

/** The leaf bytes the statement tree hashes (RFC 6962 leaf: sha256(0x00 ‖ these bytes)). */
export function statementLeaf(fields: StatementLeafFields): Uint8Array {
  return encode([
    STATEMENT_TAG,
    fields.id,
    fields.version,
    fields.kind,
    fields.areaDm2,
    fields.ownersCount,
    fields.ownersHash,
    fields.mortgages,
    fields.arrests,
  ]);
}
