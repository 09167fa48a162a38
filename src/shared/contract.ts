// The one contract between the renderer and the main process: every call, its input and its
// output as zod schemas. The Electron preload, the web client and the dispatcher in
// src/main/api are all generated from this table, so a call exists on both transports or on
// neither, and every value is checked where it crosses (input in main, output in the client).
//
// Everything here is JSON: dates are ISO 8601 strings. Files never travel in a call: they are
// named by SHA-256. The page sends a file's raw bytes beside the calls (web mode: PUT /files; the
// desktop app: files.pick, the main process's own dialog) and reads stored files by URL with
// ranges (/files/<sha256>: HTTP in web mode, the kyso:// scheme in the desktop app).
// Errors never cross as thrown objects: a call answers { ok: false, error: { code, details } }
// and the renderer shows renderError(code, details, lang) from src/shared/errors.ts.
import { z } from 'zod';
import { ERROR_CODES, type ErrorPayload } from './errors.js';
import { ConnectionTest, ExchangeView, IncomingStep, InboxSetup, PeerInput, SyncResult, TransportKind } from './contract-exchange.js';

// ---------------------------------------------------------------------------------------------
// Vocabulary

/** Độ khẩn: thường, khẩn, thượng khẩn, hỏa tốc (edXML Priority 0–3). */
export const Urgency = z.enum(['normal', 'urgent', 'very-urgent', 'flash']);
export type Urgency = z.infer<typeof Urgency>;
/** The signing methods of QN Đ14.2: 1 organisation only, 2 leader + organisation, 3 drafter + leader + organisation. */
export const Method = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type Method = z.infer<typeof Method>;
/** Who signs: chuyên viên (ký nháy), người có thẩm quyền (ký phê duyệt), văn thư (ký phát hành, chữ ký cơ quan). */
export const Role = z.enum(['drafter', 'leader', 'org']);
export type Role = z.infer<typeof Role>;
export const ImageKind = z.enum(['signature', 'seal', 'initials']);
export type ImageKind = z.infer<typeof ImageKind>;
export const Lang = z.enum(['vi', 'en']);

/** A file's SHA-256, lower-case hex: how files are named across the boundary. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 (64 lower-case hex digits)');
const IsoTime = z.string();
const FileName = z.string().min(1).max(255);
const Id = z.string().min(1).max(100);

export const ErrorPayloadSchema = z.object({
  code: z.enum(ERROR_CODES),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]).optional()).optional(),
});

/** A file the page sent beforehand (PUT /files or files.pick), by its name and SHA-256. */
export const FileRef = z.object({ name: FileName, sha256: Sha256 });
export type FileRef = z.infer<typeof FileRef>;
/** What receiving a file answers: its SHA-256 and size (PUT /files; files.pick adds the name). */
export const ReceivedFile = z.object({ sha256: Sha256, size: z.number().int().nonnegative() });
export type ReceivedFile = z.infer<typeof ReceivedFile>;
/** The kinds of file the desktop app's dialog offers. */
export const FileKind = z.enum(['pdf', 'png', 'certificate', 'crl']);
export type FileKind = z.infer<typeof FileKind>;

/** [x, y, width, height] in PDF points from the lower-left corner of the page's crop box. */
export const Rect = z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]);
export const Placement = z.object({ page: z.number().int().min(1), rect: Rect });
export type Placement = z.infer<typeof Placement>;

// ---------------------------------------------------------------------------------------------
// Tokens and certificates

export const Certificate = z.object({
  id: z.string(),
  label: z.string(),
  subject: z.string(),
  commonName: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  notBefore: IsoTime,
  notAfter: IsoTime,
  isCa: z.boolean(),
  hasPrivateKey: z.boolean().nullable(),
});
export type Certificate = z.infer<typeof Certificate>;

export const Token = z.object({
  slotId: z.string(),
  label: z.string(),
  serial: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  flags: z.object({
    loginRequired: z.boolean(),
    userPinCountLow: z.boolean(),
    userPinFinalTry: z.boolean(),
    userPinLocked: z.boolean(),
  }),
  certificates: z.array(Certificate),
  readError: z.string().optional(),
  /** What is known of the PIN: tries left before locking when the driver's vendor documents it. */
  pin: z.object({
    lockAfter: z.number().int().nullable(),
    wrongSinceLogin: z.number().int(),
    triesLeft: z.number().int().nullable(),
  }),
});
export type Token = z.infer<typeof Token>;

export const TokenList = z.object({
  module: z.string().nullable(),
  tokens: z.array(Token),
  /** Set when the driver cannot be loaded: the list is empty and this says why. */
  error: ErrorPayloadSchema.optional(),
  checkedAt: IsoTime,
});
export type TokenList = z.infer<typeof TokenList>;

export const TokenRef = z.object({ label: z.string().min(1), serial: z.string().optional() });

// ---------------------------------------------------------------------------------------------
// Verification

export const Indication = z.enum(['TOTAL_PASSED', 'INDETERMINATE', 'TOTAL_FAILED']);
export type Indication = z.infer<typeof Indication>;
export const Messages = z.object({ vi: z.string(), en: z.string() });

export const SignatureVerdict = z.object({
  index: z.number().int(),
  field: z.string(),
  /** A signature, or a document timestamp (a TSA's token over the file: /DocTimeStamp). */
  kind: z.enum(['signature', 'document-timestamp']).default('signature'),
  signer: z
    .object({ commonName: z.string(), organization: z.string().optional(), issuer: z.string(), notBefore: IsoTime, notAfter: IsoTime })
    .nullable(),
  signedAt: IsoTime.nullable(),
  signedAtSource: z.string().nullable(),
  integrity: z.enum(['valid', 'invalid']),
  chain: z.string(),
  certificate: z.string(),
  modificationsAfter: z.string(),
  indication: Indication,
  subIndication: z.string().nullable(),
  messages: Messages,
});
export type SignatureVerdict = z.infer<typeof SignatureVerdict>;

export const FileVerdict = z.object({
  indication: Indication,
  subIndication: z.string().nullable(),
  messages: Messages,
  signatures: z.array(SignatureVerdict),
  verifiedAt: IsoTime,
});
export type FileVerdict = z.infer<typeof FileVerdict>;

// ---------------------------------------------------------------------------------------------
// Documents (the signing desk), inbox, outbox, archive

export const DocState = z.enum(['draft', 'initialled', 'approved', 'issued', 'returned']);
export type DocState = z.infer<typeof DocState>;

export const DocSignature = z.object({ role: Role, signer: z.string(), at: IsoTime });

export const DocumentSummary = z.object({
  id: Id,
  title: z.string(),
  fileName: z.string(),
  method: Method,
  urgency: Urgency,
  state: DocState,
  /** Whose signature the document waits for; null once issued. */
  nextRole: Role.nullable(),
  /** Số và ký hiệu, e.g. "15/QĐ-BNV", once the clerk filled it. */
  number: z.string().nullable(),
  issueDate: z.string().nullable(),
  signatures: z.array(DocSignature),
  comment: z.string().nullable(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  /** The current file (the latest revision), read at /files/<sha256>. */
  sha256: Sha256,
  size: z.number().int().nonnegative(),
  /** After a signing step: what the signer's certificate check could not establish (revocation unknown, no trusted path). */
  warnings: z.array(z.object({ vi: z.string(), en: z.string() })).optional(),
});
export type DocumentSummary = z.infer<typeof DocumentSummary>;

export const SignRequest = z.object({
  id: Id,
  role: Role,
  token: TokenRef,
  /** Goes to the token's driver and nowhere else; never logged, never stored. */
  pin: z.string().min(1).max(64),
  /** Where the image goes; absent = the preset decides (or an invisible signature for the drafter). */
  placement: Placement.optional(),
  image: ImageKind.optional(),
  preset: z.string().optional(),
  /** The clerk's number and symbol (org step), e.g. "15/QĐ-UBND". */
  number: z.string().max(60).optional(),
  /** Issue date YYYY-MM-DD (org step): must be the signing day. */
  issueDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});
export type SignRequest = z.infer<typeof SignRequest>;

export const Job = z.object({
  id: Id,
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  current: z.string().nullable(),
  finished: z.boolean(),
  results: z.array(z.object({ id: Id, ok: z.boolean(), error: ErrorPayloadSchema.optional() })),
});
export type Job = z.infer<typeof Job>;

export const InboxStatus = z.enum(['new', 'accepted', 'rejected']);
/** Dấu mức độ mật seen on a document (it should not have come electronically: QN Đ1.1). */
export const Secrecy = z.enum(['none', 'mat', 'toi-mat', 'tuyet-mat']);
export const InboxItem = z.object({
  id: Id,
  fileName: z.string(),
  receivedAt: IsoTime,
  /** Số đến, given when the document is accepted (registered). */
  incomingNumber: z.number().int().nullable(),
  status: InboxStatus,
  reason: z.string().nullable(),
  verdict: FileVerdict,
  /** Trích yếu (the file name when the sender gave none). */
  title: z.string(),
  /** The sending organisation: as given, else the organisation of the last signature. */
  sender: z.string().nullable(),
  number: z.string().nullable(),
  /** Ngày tháng văn bản (yyyy-mm-dd) and tên loại: from the edXML envelope, else read from page 1, or as the clerk corrected them. */
  issueDate: z.string().nullable().optional(),
  docType: z.string().nullable().optional(),
  urgency: Urgency,
  secrecy: Secrecy,
  /** Signers' names, in the order they signed. */
  signers: z.array(z.string()),
  decidedAt: IsoTime.nullable(),
  /** The received file, read at /files/<sha256>. */
  sha256: Sha256,
  /** Received through the exchange (edXML): the sender's agency code and the package's DocumentId. */
  organId: z.string().nullable().optional(),
  documentId: z.string().nullable().optional(),
  exchange: z
    .object({
      progress: z.string(),
      frozen: z.string().nullable(),
      frozenReason: z.string().nullable(),
      replacedBy: z.string().nullable(),
      businessDocType: z.number().int(),
      envelopeSignature: z.object({ status: z.string(), signer: z.string().nullable(), reason: z.string().nullable() }),
    })
    .optional(),
  /** The envelope signature judged with the trust store and CRLs/OCSP: valid, invalid, untrusted, revoked or missing, with a sentence. */
  envelope: z
    .object({ status: z.enum(['valid', 'invalid', 'untrusted', 'revoked', 'missing']), vi: z.string(), en: z.string(), signer: z.string().nullable(), problems: z.array(z.string()) })
    .optional(),
  /** The clerk's books: the ĐẾN stamp and its routing (Chuyển, Lưu hồ sơ số); the file as it now is. */
  books: z
    .object({
      currentSha256: Sha256,
      stamped: z.boolean(),
      passedTo: z.string().nullable(),
      recordNumber: z.string().nullable(),
    })
    .optional(),
});

export type InboxItem = z.infer<typeof InboxItem>;

/** What the outbox warns about an unsent document: urgent ones go at once; others the signing day, at the latest the next working morning. */
export const SendWarning = z.enum(['send-now', 'not-sent-same-day', 'late']);
export type SendWarning = z.infer<typeof SendWarning>;
export const OutboxItem = z.object({
  documentId: Id,
  title: z.string(),
  number: z.string().nullable(),
  urgency: Urgency,
  issuedAt: IsoTime,
  /** recalled (thu hồi): frozen, the recipients asked to destroy it (NĐ30 Appendix VI). */
  status: z.enum(['waiting', 'sent', 'recalled']),
  /** When it must be sent at the latest: urgent at once, otherwise the next working morning. */
  sendBy: IsoTime,
  late: z.boolean(),
  warning: SendWarning.nullable(),
  /** A paper copy must be sent as well (QN Đ8.2). */
  paperCopyRequired: z.boolean(),
  /** Nơi nhận, each with its status (pending, sent, received, recall-requested…). */
  recipients: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      /** Reached through the exchange: the agency code and the last status it sent back (01…16). */
      organId: z.string().optional(),
      statusCode: z.string().nullable().optional(),
      description: z.string().nullable().optional(),
      at: IsoTime.nullable().optional(),
      history: z.array(z.object({ statusCode: z.string(), description: z.string().nullable(), at: IsoTime })).optional(),
    }),
  ),
  sentAt: IsoTime.nullable(),
  recalledAt: IsoTime.nullable(),
  recallReason: z.string().nullable(),
  /** The issued file, read at /files/<sha256>. */
  sha256: Sha256,
});
export type OutboxItem = z.infer<typeof OutboxItem>;

export const ArchiveEntry = z.object({
  id: Id,
  recordCode: z.string(),
  recordTitle: z.string(),
  retention: z.string(),
  source: z.enum(['outgoing', 'incoming']),
  sourceId: Id,
  title: z.string(),
  number: z.string().nullable(),
  signers: z.array(z.string()),
  date: IsoTime,
  /** The exact file filed (SHA-256), and when. */
  sha256: z.string(),
  filedAt: IsoTime,
});
export type ArchiveEntry = z.infer<typeof ArchiveEntry>;

/** The audit log's hash chain, walked from the first entry (tampering is evident). */
export const AuditCheck = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  /** The last entry's hash: written down, it reveals a truncated tail later. */
  head: z.string(),
  problems: z.array(z.object({ seq: z.number().int(), problem: z.string(), detail: z.string() })),
});
export type AuditCheck = z.infer<typeof AuditCheck>;

// ---------------------------------------------------------------------------------------------
// Settings

export const Settings = z.object({
  language: Lang,
  /** PKCS#11 driver file; null = the catalogue's first driver found on this machine. */
  modulePath: z.string().nullable(),
  onlineRevocation: z.boolean(),
  preset: z.string(),
  /** Wrong PINs after which this office's tokens lock, when the driver catalogue does not say; null = unknown. */
  pinLockAfter: z.number().int().nullable(),
  presets: z.array(z.object({ name: z.string(), label: z.string() })),
  /** source: added in Settings (removable) or named by the KYSO_TRUST variable (set by the administrator). */
  trustAnchors: z.array(z.object({ name: z.string(), subject: z.string(), notAfter: IsoTime, source: z.enum(['settings', 'environment']) })),
  crls: z.array(z.object({ name: z.string(), size: z.number().int() })),
  /** The catalogue of Vietnamese CA certificates (native/ca-catalogue.json): trusted once downloaded or imported with the listed fingerprint. */
  catalogue: z.array(z.object({ id: z.string(), name: z.string(), kind: z.enum(['root', 'intermediate']), url: z.string(), sha256: z.string(), trusted: z.boolean() })),
  /**
   * Images per person (the token label names the person), read at /files/<sha256>; their pixel size
   * and printed resolution (pHYs, null when not stated) size them on the page beforehand.
   */
  images: z.array(z.object({ person: z.string(), kind: ImageKind, sha256: Sha256, width: z.number().int(), height: z.number().int(), dpi: z.number().nullable() })),
});
export type Settings = z.infer<typeof Settings>;

export const SettingsPatch = z.object({
  language: Lang.optional(),
  modulePath: z.string().nullable().optional(),
  onlineRevocation: z.boolean().optional(),
  preset: z.string().optional(),
  pinLockAfter: z.number().int().min(1).max(99).nullable().optional(),
});

// ---------------------------------------------------------------------------------------------
// The clerk's books: registers, the exchange report, the incoming stamp, electronic copies

export const RegisterKind = z.enum(['outgoing', 'incoming']);
export const RegisterView = z.object({
  kind: RegisterKind,
  year: z.number().int(),
  title: z.string(),
  /** The 10 columns of NĐ30 Phụ lục IV, in Vietnamese and English. */
  columns: z.array(z.object({ vi: z.string(), en: z.string() })),
  rows: z.array(z.array(z.string())),
});
export type RegisterView = z.infer<typeof RegisterView>;

const Count = z.object({ label: z.string(), count: z.number().int() });
export const ExchangeReportView = z.object({
  from: z.string(),
  to: z.string(),
  sent: z.object({ total: z.number().int(), byType: z.array(Count), byCounterpart: z.array(Count) }),
  received: z.object({ total: z.number().int(), byType: z.array(Count), bySender: z.array(Count) }),
  months: z.array(z.object({ month: z.string(), sent: z.number().int(), received: z.number().int() })),
  paperCopies: z.array(z.object({ number: z.string(), title: z.string(), recipients: z.string(), why: z.string() })),
  late: z.array(z.object({ number: z.string(), title: z.string(), issuedAt: z.string(), sendBy: z.string(), sentAt: z.string().nullable(), urgency: z.string() })),
  rejections: z.array(z.object({ direction: z.enum(['incoming', 'outgoing']), number: z.string(), title: z.string(), counterpart: z.string(), at: z.string(), reason: z.string() })),
  recalls: z.array(z.object({ number: z.string(), title: z.string(), at: z.string(), reason: z.string() })),
});
export type ExchangeReportView = z.infer<typeof ExchangeReportView>;

export const CopyForm = z.enum(['SAO Y', 'SAO LỤC', 'TRÍCH SAO']);
export const CopyItem = z.object({
  id: Id,
  form: CopyForm,
  source: z.enum(['outgoing', 'incoming']),
  originalId: Id,
  pages: z.string().nullable(),
  number: z.string(),
  title: z.string(),
  /** The signed copy, read at /files/<sha256>. */
  sha256: z.string(),
  createdAt: z.string(),
});
export type CopyItem = z.infer<typeof CopyItem>;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** A register or report written for download: read at /files/<sha256>?download=<name>. */
export const BookFile = z.object({ name: FileName, sha256: Sha256, size: z.number().int().nonnegative() });
export type BookFile = z.infer<typeof BookFile>;
export const BookFormat = z.enum(['pdf', 'xlsx']);
/** A document issued on paper, registered in the outgoing register (its number from the year's one series). */
export const PaperOutgoing = z
  .object({
    title: z.string().min(1).max(500),
    /** "12/QĐ-SYT" (that number, when free) or "/QĐ-SYT" (the next number). */
    number: z.string().min(1).max(100),
    issueDate: Day.optional(),
    type: z.string().max(100).optional(),
    signer: z.string().max(200).optional(),
    recipients: z.array(z.string().min(1).max(300)).max(100).optional(),
    copies: z.number().int().min(1).max(100000).optional(),
    note: z.string().max(1000).optional(),
  })
  .strict();
/** A paper document received, registered in the incoming register with the next số đến. */
export const PaperIncoming = z
  .object({
    title: z.string().min(1).max(500),
    sender: z.string().min(1).max(300),
    number: z.string().max(100).optional(),
    issueDate: Day.optional(),
    type: z.string().max(100).optional(),
    urgency: Urgency.optional(),
    passedTo: z.string().max(300).optional(),
    recordNumber: z.string().max(100).optional(),
    note: z.string().max(1000).optional(),
  })
  .strict();
/** An earlier arrival (paper or electronic) with the same number, symbol and issuer: warned about. */
export const EarlierArrival = z.object({
  kind: z.enum(['electronic', 'paper']),
  id: z.string(),
  receivedAt: z.string(),
  title: z.string(),
  incomingNumber: z.number().int().nullable(),
  status: z.string(),
});
export type EarlierArrival = z.infer<typeof EarlierArrival>;
export const PaperEntry = z.object({ id: Id, number: z.string(), date: z.string(), year: z.number().int(), duplicates: z.array(EarlierArrival).optional() });
export type PaperEntry = z.infer<typeof PaperEntry>;

// ---------------------------------------------------------------------------------------------
// The signing service (issue 16): the app serves the VGCA service's functions at
// wss://127.0.0.1:PORT when enabled in Settings; the requests that wait for the user are polled
// (service.pending) and answered here, in Kyso's own window — never in the requesting page.

/** A web origin, e.g. https://qlvb.example.gov.vn. */
const WebOrigin = z.string().min(1).max(300);
export const ServiceStatus = z.object({
  enabled: z.boolean(),
  /** The port set in Settings (the VGCA service's is 8987). */
  port: z.number().int(),
  /** Listening now, and on which port. */
  running: z.boolean(),
  /** Why the service does not run although enabled (the port is taken…). */
  error: ErrorPayloadSchema.nullable(),
  /** The pages allowed to ask for signatures. */
  origins: z.array(z.string()),
  /** Kyso's local CA (made at first start): its file and SHA-256 fingerprint; null before. */
  ca: z.object({ path: z.string(), sha256: z.string() }).nullable(),
});
export type ServiceStatus = z.infer<typeof ServiceStatus>;

export const ServicePending = z.discriminatedUnion('kind', [
  /** A page not yet allowed asks to use Kyso: allow (remembered) or refuse. */
  z.object({ kind: z.literal('origin'), id: Id, origin: z.string(), askedAt: IsoTime }),
  /** A page asks for a signature: the document's first page at /files/<sha256>, the token and PIN asked here. */
  z.object({
    kind: z.literal('signing'),
    id: Id,
    origin: z.string(),
    /** The service function: SignApproved, SignIssued, SignIncome, SignAppendix, SignCopy; or a data function (SignXML, SignMsg, SignHash, SignJson, SignFiles, Comment). */
    function: z.string(),
    /** A data function's payload, shown in place of (or, for Comment, beside) a first page: its kind, size, SHA-256, first characters, and the files of a SignFiles batch. */
    data: z
      .object({ kind: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string(), preview: z.string(), files: z.array(z.string()).optional() })
      .nullable(),
    /** The request named no file: Kyso asks the user to choose one first. */
    needsFile: z.boolean(),
    fileName: z.string().nullable(),
    sha256: Sha256.nullable(),
    docNumber: z.string().nullable(),
    issued: z.string().nullable(),
    /** The PIN given last was wrong (with the tries left): asked again. */
    pinError: ErrorPayloadSchema.nullable(),
    askedAt: IsoTime,
  }),
]);
export type ServicePending = z.infer<typeof ServicePending>;

/** How a signing answered in Kyso's window ended: signed and sent, the PIN asked again, or failed (the page got Status ≠ 0). */
export const ServiceOutcome = z.object({
  outcome: z.enum(['signed', 'pin-wrong', 'failed', 'cancelled']),
  error: ErrorPayloadSchema.nullable(),
  /** What the page's upload handler answered (FileServer), when signed. */
  fileServer: z.string().nullable(),
});
export type ServiceOutcome = z.infer<typeof ServiceOutcome>;

// ---------------------------------------------------------------------------------------------
// The table

const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
const None = z.object({}).strict();
const ById = z.object({ id: Id });
const Ok = z.object({ ok: z.literal(true) });

export const contract = {
  app: {
    info: call(None, z.object({ version: z.string(), transport: z.enum(['electron', 'web']), dataDir: z.string() })),
  },
  files: {
    /**
     * The desktop app's own file dialog: the main process streams the chosen file into its uploads
     * and answers its reference (null when the dialog was cancelled). Web mode answers
     * FILE_PICK_UNAVAILABLE: the page sends the file with PUT /files instead.
     */
    pick: call(z.object({ kind: FileKind }), FileRef.extend({ size: z.number().int().nonnegative() }).nullable()),
  },
  tokens: {
    list: call(z.object({ rescan: z.boolean().optional() }), TokenList),
  },
  documents: {
    list: call(None, z.array(DocumentSummary)),
    import: call(
      z.object({ file: FileRef, title: z.string().min(1).max(500), method: Method, urgency: Urgency }),
      DocumentSummary,
    ),
    sign: call(SignRequest, DocumentSummary),
    /** Signs many documents with one PIN entry; answers a job to poll (jobs.get). */
    signBatch: call(SignRequest.omit({ id: true, placement: true }).extend({ ids: z.array(Id).min(1) }), z.object({ jobId: Id })),
    return: call(z.object({ id: Id, comment: z.string().min(1).max(2000) }), DocumentSummary),
    verify: call(ById, FileVerdict),
  },
  jobs: {
    get: call(ById, Job),
  },
  inbox: {
    /** Urgent first, then the newest; text searches title, number, sender and signers. */
    list: call(z.object({ text: z.string().max(200).optional() }).strict(), z.array(InboxItem)),
    import: call(z.object({ file: FileRef }), InboxItem),
    accept: call(ById, InboxItem),
    reject: call(z.object({ id: Id, reason: z.string().min(1).max(2000) }), InboxItem),
    /** Accepts (when new) and adds the "ĐẾN" stamp, signed by the organisation's token. */
    stamp: call(z.object({ id: Id, token: TokenRef, pin: z.string().min(1).max(64), organisation: z.string().max(200).optional() }), InboxItem),
    /** Chuyển and Lưu hồ sơ số; on a stamped document written into the stamp by a further signed revision (token and PIN). */
    route: call(
      z.object({ id: Id, passedTo: z.string().max(300).optional(), recordNumber: z.string().max(100).optional(), token: TokenRef.optional(), pin: z.string().min(1).max(64).optional() }).strict(),
      InboxItem,
    ),
    /** The clerk corrects the register's fields (trích yếu, số/ký hiệu, ngày, tác giả, tên loại), before or after accepting; audited. */
    edit: call(
      z
        .object({
          id: Id,
          title: z.string().max(500).optional(),
          number: z.string().max(100).optional(),
          issueDate: z.union([Day, z.literal('')]).optional(),
          sender: z.string().max(300).optional(),
          docType: z.string().max(100).optional(),
        })
        .strict(),
      InboxItem,
    ),
  },
  books: {
    /** The outgoing or incoming register of a year, filtered by words (diacritics folded). */
    register: call(z.object({ kind: RegisterKind, year: z.number().int().min(1900).max(9999), search: z.string().max(200).optional() }).strict(), RegisterView),
    /** The exchange report (QN Đ11) of a period. */
    report: call(z.object({ from: Day, to: Day }).strict(), ExchangeReportView),
    /** Makes an electronic copy (cell 14), signed by the organisation's token. */
    copy: call(
      z.object({ source: z.enum(['outgoing', 'incoming']), id: Id, form: CopyForm, pages: z.string().max(100).optional(), token: TokenRef, pin: z.string().min(1).max(64) }),
      CopyItem,
    ),
    copies: call(None, z.array(CopyItem)),
    /** The register of a year (the whole bound book) as PDF or XLSX, for download by reference. */
    exportRegister: call(z.object({ kind: RegisterKind, year: z.number().int().min(1900).max(9999), format: BookFormat }).strict(), BookFile),
    /** The exchange report of a period as PDF or XLSX, for download by reference. */
    exportReport: call(z.object({ from: Day, to: Day, format: BookFormat }).strict(), BookFile),
    registerPaper: call(PaperOutgoing, PaperEntry),
    registerPaperIncoming: call(PaperIncoming, PaperEntry),
  },
  outbox: {
    list: call(None, z.array(OutboxItem)),
    markSent: call(z.object({ documentId: Id }), OutboxItem),
    /** Thu hồi: the document is frozen and the recipients asked to destroy it; the reason is kept. */
    recall: call(z.object({ documentId: Id, reason: z.string().min(1).max(2000), token: TokenRef.optional(), pin: z.string().min(1).max(64).optional() }), OutboxItem),
    /**
     * Rút lại (status 13): taken back from recipients that have not processed it yet (all of them,
     * or those named in `to`); the 13 envelopes signed with the organisation's token.
     */
    withdraw: call(
      z.object({
        documentId: Id,
        reason: z.string().trim().min(1).max(2000),
        to: z.array(z.string().min(1).max(100)).max(200).optional(),
        token: TokenRef.optional(),
        pin: z.string().min(1).max(64).optional(),
      }),
      z.object({ item: OutboxItem, asked: z.array(z.string()), cancelled: z.array(z.string()) }),
    ),
  },
  /** Liên thông (issue 13): agency code, inbox, address book, connection test, sync; see contract-exchange.ts. */
  exchange: {
    get: call(None, ExchangeView),
    setSelf: call(z.object({ organId: z.string().trim().min(1).max(100), name: z.string().trim().min(1).max(300) }), ExchangeView),
    setInbox: call(InboxSetup, ExchangeView),
    /** Really connects (writes and removes a file in the folder, logs in to IMAP and SMTP, asks the axis its agency list). */
    test: call(InboxSetup, ConnectionTest),
    savePeer: call(PeerInput, ExchangeView),
    removePeer: call(z.object({ organId: z.string().min(1).max(100) }), ExchangeView),
    /** Stops reading one inbox (as `kyso exchange inbox remove KIND`); the others stay. */
    removeInbox: call(z.object({ kind: TransportKind }), ExchangeView),
    /** The axis's agency list into the address book (new agencies added, names of axis peers updated). */
    importAgencies: call(None, z.object({ added: z.number().int(), updated: z.number().int(), view: ExchangeView })),
    /** One pass, as `kyso exchange sync`: send what is queued, receive, apply statuses. */
    sync: call(None, SyncResult),
    /** Queues the issued document to agencies of the address book (a new one, or one that updates / replaces an earlier one). */
    send: call(
      z.object({
        documentId: Id,
        to: z.array(z.string().min(1).max(100)).min(1).max(200),
        token: TokenRef.optional(),
        pin: z.string().min(1).max(64).optional(),
        replaces: Id.optional(),
        updates: Id.optional(),
        reason: z.string().max(2000).optional(),
      }),
      OutboxItem,
    ),
    /** 04 assigned, 05 in process, 06 done: recorded and answered to the sender. */
    progress: call(z.object({ id: Id, step: IncomingStep, note: z.string().max(2000).optional() }), InboxItem),
  },
  archive: {
    add: call(
      z.object({ source: z.enum(['outgoing', 'incoming']), sourceId: Id, recordCode: z.string().min(1).max(100), recordTitle: z.string().min(1).max(500), retention: z.string().min(1).max(40) }),
      ArchiveEntry,
    ),
    search: call(z.object({ text: z.string().max(200) }), z.array(ArchiveEntry)),
    /** The entry and its file's verdict; the file itself is read at /files/<entry.sha256>. */
    open: call(ById, z.object({ entry: ArchiveEntry, verdict: FileVerdict })),
  },
  audit: {
    verify: call(None, AuditCheck),
  },
  settings: {
    get: call(None, Settings),
    update: call(SettingsPatch, Settings),
    addTrustAnchor: call(z.object({ file: FileRef }), Settings),
    removeTrustAnchor: call(z.object({ name: FileName }), Settings),
    addCrl: call(z.object({ file: FileRef }), Settings),
    removeCrl: call(z.object({ name: FileName }), Settings),
    /** Downloads a catalogue certificate from its official address; kept only when the fingerprint matches. */
    trustCatalogue: call(z.object({ id: z.string().regex(/^[a-z0-9-]{1,40}$/) }), Settings),
    setImage: call(z.object({ person: z.string().min(1).max(100), kind: ImageKind, file: FileRef }), Settings),
    removeImage: call(z.object({ person: z.string().min(1).max(100), kind: ImageKind }), Settings),
  },
  service: {
    status: call(None, ServiceStatus),
    /** Turns the service on or off, or moves it to another port (it restarts). */
    configure: call(z.object({ enabled: z.boolean().optional(), port: z.number().int().min(1).max(65535).optional() }).strict(), ServiceStatus),
    addOrigin: call(z.object({ origin: WebOrigin }), ServiceStatus),
    removeOrigin: call(z.object({ origin: WebOrigin }), ServiceStatus),
    /** Puts the local CA into this user's trust stores (browsers then trust wss://127.0.0.1), or takes it out. */
    installCa: call(None, z.object({ status: ServiceStatus, stores: z.array(z.object({ store: z.string(), ok: z.boolean() })) })),
    removeCa: call(None, z.object({ status: ServiceStatus, stores: z.array(z.object({ store: z.string(), ok: z.boolean() })) })),
    /** What waits for the user now (polled by the window). */
    pending: call(None, z.array(ServicePending)),
    answerOrigin: call(z.object({ id: Id, allow: z.boolean() }), Ok),
    /** The file to sign, when the request named none (sent beforehand: PUT /files or files.pick). */
    chooseFile: call(z.object({ id: Id, file: FileRef }), Ok),
    /** Signs with this token and PIN; answers once the signature is sent, failed, or the PIN is asked again. */
    answerSigning: call(z.object({ id: Id, token: TokenRef, pin: z.string().min(1).max(64) }), ServiceOutcome),
    /** Cancels a signing (the page gets Status 11). */
    cancel: call(ById, Ok),
  },
} as const;

export type Contract = typeof contract;
export type Group = keyof Contract;
export type CallName = { [G in Group]: `${G & string}.${keyof Contract[G] & string}` }[Group];

type Entry<N extends CallName> = N extends `${infer G}.${infer M}`
  ? G extends Group
    ? M extends keyof Contract[G]
      ? Contract[G][M]
      : never
    : never
  : never;
type AnyCall = { input: z.ZodType; output: z.ZodType };
export type InputOf<N extends CallName> = Entry<N> extends AnyCall ? z.input<Entry<N>['input']> : never;
export type ParsedInputOf<N extends CallName> = Entry<N> extends AnyCall ? z.output<Entry<N>['input']> : never;
export type OutputOf<N extends CallName> = Entry<N> extends AnyCall ? z.output<Entry<N>['output']> : never;

/** The one IPC channel of the desktop app: (name, input) in, Result out. */
export const IPC_CHANNEL = 'kyso:call';

/** What every call answers, on every transport. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

/** The API object the renderer holds: api.documents.sign({...}) → Promise<Result<DocumentSummary>>. */
export type KysoApi = {
  [G in Group]: {
    [M in keyof Contract[G]]: Contract[G][M] extends AnyCall
      ? (input: z.input<Contract[G][M]['input']>) => Promise<Result<z.output<Contract[G][M]['output']>>>
      : never;
  };
};

/** Every call name, in the table's order. */
export const CALL_NAMES: readonly CallName[] = Object.entries(contract).flatMap(([g, calls]) =>
  Object.keys(calls).map((m) => `${g}.${m}` as CallName),
);

/** The schemas of one call, or undefined for a name the contract does not have. */
export function lookupCall(name: string): AnyCall | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  const g = name.slice(0, dot);
  const m = name.slice(dot + 1);
  if (!Object.hasOwn(contract, g)) return undefined;
  const calls = contract[g as Group] as Record<string, AnyCall>;
  return Object.hasOwn(calls, m) ? calls[m] : undefined;
}

/** Builds the typed API object over any transport that carries (name, input) and answers a Result. */
export function makeApi(invoke: (name: CallName, input: unknown) => Promise<unknown>): KysoApi {
  const api: Record<string, Record<string, (input: unknown) => Promise<unknown>>> = {};
  for (const name of CALL_NAMES) {
    const [g, m] = name.split('.') as [string, string];
    const schemas = lookupCall(name)!;
    (api[g] ??= {})[m] = async (input: unknown) => checkResult(schemas.output, await invoke(name, input ?? {}));
  }
  return api as unknown as KysoApi;
}

const ResultEnvelope = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorPayloadSchema }),
]);

/** Checks what came back over the transport: a well-formed Result whose value matches the output schema. */
function checkResult(output: z.ZodType, raw: unknown): Result<unknown> {
  const env = ResultEnvelope.safeParse(raw);
  if (!env.success) return { ok: false, error: { code: 'INTERNAL', details: { reason: 'malformed answer from the main process' } } };
  if (!env.data.ok) return env.data as Result<unknown>;
  const v = output.safeParse(env.data.value);
  if (!v.success) return { ok: false, error: { code: 'INTERNAL', details: { reason: `answer does not match the contract: ${v.error.issues[0]?.message ?? ''}` } } };
  return { ok: true, value: v.data };
}
