// The exchange's part of the contract (issue 13): this desk's agency code and inbox, the address
// book of agencies, the connection test, one sync pass. Kept apart from contract.ts, which adds
// these schemas to its table (group `exchange`). Secrets (the mail password, the axis secret) go
// in one direction only: the page may send one, no answer ever carries it back.
import { z } from 'zod';

export const TransportKind = z.enum(['folder', 'mail', 'axis']);
export type TransportKind = z.infer<typeof TransportKind>;

/** The NAME of an environment variable (the engine keeps secrets there, never in files). */
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'an environment variable name (letters, digits, _)');
const OrganId = z.string().trim().min(1).max(100);
const Text = z.string().trim().min(1).max(1000);

/** An agency of the address book and how its documents reach it. */
export const Peer = z.object({
  organId: z.string(),
  name: z.string(),
  transport: TransportKind,
  /** A folder path, a mail address, or the agency code itself (axis). */
  address: z.string(),
  updatedAt: z.string(),
});
export type Peer = z.infer<typeof Peer>;

export const PeerInput = z.object({
  organId: OrganId,
  name: z.string().trim().min(1).max(300),
  transport: TransportKind,
  /** Folder path or mail address; ignored for the axis (the agency code is the address). */
  address: z.string().trim().max(1000).default(''),
  /** Editing a peer under a new code: the code it had. */
  previousOrganId: OrganId.optional(),
});

/** What the settings screen shows; a secret only as "known or not" (passwordSet / secretSet). */
export const ExchangeView = z.object({
  self: z.object({ organId: z.string(), name: z.string(), changeAnswers: z.enum(['15-16', '03-02']) }).nullable(),
  inbox: z
    .object({
      kind: TransportKind,
      address: z.string(),
      mail: z.object({ imapUrl: z.string(), smtpUrl: z.string(), user: z.string(), passwordEnv: z.string(), ca: z.string().nullable(), passwordSet: z.boolean() }).optional(),
      axis: z.object({ url: z.string(), systemId: z.string(), secretEnv: z.string(), secretSet: z.boolean() }).optional(),
    })
    .nullable(),
  /** Every inbox the desk reads (one per kind; `inbox` above is the one set last, shown in the form). */
  inboxes: z.array(z.object({ kind: TransportKind, address: z.string(), secretSet: z.boolean().nullable() })),
  peers: z.array(Peer),
  /** Packages waiting to leave, and those the far side refused (not retried as they are). */
  queue: z.object({ queued: z.number().int(), failed: z.number().int() }),
});
export type ExchangeView = z.infer<typeof ExchangeView>;

/** This desk's inbox as the settings form gives it (also what "Test connection" tries). */
export const InboxSetup = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder'), path: Text }),
  z.object({
    kind: z.literal('mail'),
    imapUrl: Text,
    smtpUrl: Text,
    user: Text,
    /** Typed in the form: kept in the running app's memory under passwordEnv, never written to disk. */
    password: z.string().min(1).max(500).optional(),
    passwordEnv: EnvName.default('KYSO_MAIL_PASSWORD'),
    ca: z.string().trim().max(1000).optional(),
  }),
  z.object({
    kind: z.literal('axis'),
    url: Text,
    systemId: Text,
    secret: z.string().min(1).max(500).optional(),
    secretEnv: EnvName.default('KYSO_AXIS_SECRET'),
  }),
]);
export type InboxSetup = z.input<typeof InboxSetup>;

/** A connection test that passed: what was reached, one line each. */
export const ConnectionTest = z.object({
  kind: TransportKind,
  /** What was reached: the folder / server / axis, how (TLS, STARTTLS), and the packages waiting there when it says. */
  checks: z.array(z.object({ what: z.enum(['folder', 'SMTP', 'IMAP', 'axis']), target: z.string(), security: z.string().nullable(), waiting: z.number().int().nullable(), agencies: z.number().int().nullable() })),
});
export type ConnectionTest = z.infer<typeof ConnectionTest>;

/** One sync pass: as `kyso exchange sync --json`, with the time it ended. */
export const SyncResult = z.object({
  sent: z.number().int(),
  received: z.number().int(),
  statuses: z.number().int(),
  duplicates: z.number().int(),
  /** Packages addressed to another agency: not registered, answered 02. */
  misaddressed: z.number().int(),
  failed: z.array(z.object({ organId: z.string(), code: z.string(), permanent: z.boolean() })),
  unreadable: z.array(z.object({ file: z.string(), code: z.string(), element: z.string().optional() })),
  /** Inboxes that could not be read this pass (the others were), with the error to show. */
  inboxFailed: z.array(z.object({ kind: TransportKind, code: z.string(), details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])) })),
  at: z.string(),
});
export type SyncResult = z.infer<typeof SyncResult>;

export const IncomingStep = z.enum(['assigned', 'processing', 'done']);
