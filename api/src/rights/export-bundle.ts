/**
 * What a citizen's export holds (PDPL 2025, the right of access and portability; issue 15 item 2):
 * everything the vault holds about them, in a machine-readable form that carries its own evidence.
 * Records come with their custodian, version and salted commitment (the salt lets the citizen
 * recompute the commitment anchored on the ledger); consents with their signed artefacts; access
 * events with the exact log entry and an RFC 6962 inclusion proof against the signed tree head
 * included here; licences whose use touched their data, with what the citizen earned from them.
 */

export const EXPORT_FORMAT = 'citizen-vault-export/v1';

export interface ExportTreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
  anchor: { transactionId: string; blockNumber: number } | null;
}

export interface ExportRecord {
  id: string;
  category: string;
  version: number;
  custodian: { id: string; name: string };
  depositedAt: string;
  /** The decrypted values: the citizen's own data. */
  fields: Record<string, unknown>;
  commitment: string;
  /** base64 salt of the commitment. */
  salt: string;
}

export interface ExportConsent {
  id: string;
  consumer: { id: string; name: string };
  purpose: string;
  status: string;
  requestedFields: string[];
  grantedFields: string[];
  mode: string;
  validFrom: string;
  validUntil: string;
  retentionDays: number;
  onwardTransfer: boolean;
  crossBorder: boolean;
  justification: string;
  requestedAt: string;
  decidedAt: string | null;
  artefactHash: string;
  /** The consent record as a JWS (ES256) signed by the vault: evidence the citizen can keep. */
  signedArtefact: string;
}

export interface ExportAccessEvent {
  id: string;
  consentId: string;
  consumer: { id: string; name: string };
  purpose: string;
  fields: string[];
  outcome: 'GRANTED' | 'DENIED';
  reason: string | null;
  at: string;
  leafIndex: number;
  /** The exact bytes of the log leaf (canonical JSON): its SHA-256 with a 0x00 prefix is `inclusionProof.leafHash`. */
  logEntry: string;
  inclusionProof: { treeSize: number; leafHash: string; auditPath: string[] };
}

export interface ExportLicence {
  licenceId: string;
  product: { id: string; kind: string; title: { vi: string; en: string } };
  buyer: { id: string; name: string };
  purpose: string;
  /** Metered uses of this licence that read the citizen's records, up to the export's snapshot. */
  uses: number;
  records: number;
  firstUseAt: string;
  lastUseAt: string;
  /** The citizen's share of each month's statement, apportioned by records read. */
  earnings: { period: string; records: number; amountDong: string }[];
  earnedDong: string;
}

export interface ExportBundle {
  format: typeof EXPORT_FORMAT;
  requestId: string;
  subjectId: string;
  generatedAt: string;
  /** The time of the signed tree head the access history is proven against. */
  asOf: string;
  log: { treeHead: ExportTreeHead | null; publicKey: { keyId: string; jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string } } };
  records: ExportRecord[];
  consents: ExportConsent[];
  accessEvents: ExportAccessEvent[];
  licences: ExportLicence[];
  totals: { records: number; consents: number; accessEvents: number; licences: number; earnedDong: string };
}

/** Puts the sections together with their totals; pure. */
export function assembleBundle(parts: Omit<ExportBundle, 'format' | 'totals'>): ExportBundle {
  return {
    format: EXPORT_FORMAT,
    ...parts,
    totals: {
      records: parts.records.length,
      consents: parts.consents.length,
      accessEvents: parts.accessEvents.length,
      licences: parts.licences.length,
      earnedDong: parts.licences.reduce((sum, l) => sum + BigInt(l.earnedDong), 0n).toString(),
    },
  };
}
