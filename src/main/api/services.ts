// The service table behind the contract: one handler per call, over the engine (tokens, settings)
// and the clerk's desk — the workflow service over the SQLite store (src/main/workflow), the same
// store the command line opens (`kyso --data DIR doc …`). Both transports — Electron's IPC and
// the web mode's HTTP — dispatch into the same table.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CopyItem, FileKind, FileRef, ImageKind, InboxItem, Method, OutboxItem, Role, SignRequest } from '../../shared/contract.js';
import { KysoError } from '../../shared/errors.js';
import { getPreset } from '../appearance/presets.js';
import { storedPath } from '../store/files.js';
import { Uploads } from '../store/uploads.js';
import { inboxBooksState } from '../store/books.js';
import type { TokenSigner } from '../token/index.js';
import type { CopyView, InboxView, OutboxView, StepRequest } from '../workflow/service.js';
import type { IncomingBooksView } from '../workflow/incoming-books.js';
import { WorkflowService } from '../workflow/service.js';
import { createDispatcher, type Dispatch, type ErrorLog, type Handlers } from './dispatch.js';
import { Jobs } from './jobs.js';
import { SettingsStore } from './settings.js';
import { AppSigningService } from './signing-service.js';
import { TokenService } from './tokens.js';
import { answerAccepted, decideExchanged } from '../exchange/engine.js';
import { exchangeHandlers, Secrets } from './exchange.js';
import { parseId } from '../workflow/context.js';

export interface AppContext {
  dataDir: string;
  transport: 'electron' | 'web';
  version: string;
  /**
   * The desktop shell's own file dialog: the path the user chose, or null when cancelled. Absent in
   * web mode, where the page sends files with PUT /files.
   */
  pickFile?: (kind: FileKind) => Promise<string | null>;
}

/** Settings files (certificates, CRLs, images) are small: a larger upload is not one of them. */
const SMALL_FILE = 16 * 1024 * 1024;

const DEFAULT_IMAGE: Record<Role, ImageKind> = { drafter: 'initials', leader: 'signature', org: 'seal' };

/** What a signing call asks of one document, whoever carried it (one document or a batch). */
type StepInput = Pick<SignRequest, 'role' | 'placement' | 'image' | 'preset' | 'number' | 'issueDate'>;


/** The contract's outbox item: the view without the command line's extra name for its status. */
function outboxItem(v: OutboxView): OutboxItem {
  const { state: _state, ...item } = v;
  return item;
}

function copyItem(c: CopyView): CopyItem {
  return { id: c.id, form: c.form, source: c.source, originalId: c.originalId, pages: c.pages, number: c.number, title: c.title, sha256: c.sha256, createdAt: c.createdAt };
}

/** The contract's inbox item (the view, whose file the page reads by its SHA-256). */
function inboxItem(v: InboxView | IncomingBooksView): InboxItem {
  if (!('currentSha256' in v)) return v;
  const { currentSha256, stamped, passedTo, recordNumber, passedAt: _p, revisions: _r, duplicates: _d, paperDuplicates: _pd, ...item } = v;
  return { ...item, books: { currentSha256, stamped, passedTo, recordNumber } };
}

/** Where the app's downloads of registers and reports are kept (named by SHA-256, with their extension). */
const EXPORTS = 'exports';
const EXPORT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
const organisation = (): string => process.env.KYSO_ORGANISATION ?? '';
/** The organisation the stamp and copies name: as asked, else the office's (KYSO_ORGANISATION), else the certificate's. */
const stampOrganisation = (asked?: string): string | undefined => asked || process.env.KYSO_ORGANISATION || undefined;

/** Files the shells serve to the page (GET /files/<sha256>, kyso://app/files/<sha256>) and receive from it. */
export interface FileAccess {
  uploads: Uploads;
  /** A stored file (a revision, a received file) or a finished upload, by SHA-256; undefined if none. */
  locate(sha256: string): { path: string; size: number; contentType?: string } | undefined;
}

export interface Services {
  handlers: Handlers;
  files: FileAccess;
  settings: SettingsStore;
  tokens: TokenService;
  /** The desk of the data folder, opened at its first use (a store that cannot open is an error of that call, not of the start). */
  desk: () => WorkflowService;
  /** The VGCA signing service, run by the app when enabled in Settings (issue 16). */
  signingService: AppSigningService;
  /** Closes the store; later calls are refused. */
  close: () => void;
}

export function createServices(ctx: AppContext): Services {
  const settings = new SettingsStore(ctx.dataDir);
  const tokens = new TokenService(ctx.dataDir, () => settings.stored());
  const jobs = new Jobs();
  const uploads = new Uploads(join(ctx.dataDir, 'uploads'));
  uploads.sweep();
  const files: FileAccess = {
    uploads,
    locate(sha256) {
      if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
      for (const p of [storedPath(join(ctx.dataDir, 'files'), sha256), uploads.find(sha256)]) {
        if (p && existsSync(p)) return { path: p, size: statSync(p).size };
      }
      // The registers and reports written for download.
      for (const ext of Object.keys(EXPORT_TYPES)) {
        const p = join(ctx.dataDir, EXPORTS, `${sha256}.${ext}`);
        if (existsSync(p)) return { path: p, size: statSync(p).size, contentType: EXPORT_TYPES[ext] };
      }
      // The signature, seal and initials images of Settings.
      const image = settings.imagePath(sha256);
      if (image) return { path: image, size: statSync(image).size };
      // The document a page asks to sign, shown in the signing service's confirmation panel.
      return signingService.locate(sha256);
    },
  };
  /** Runs `use` on an upload's path; the upload is gone afterwards, used or refused. */
  const takeUpload = async <T>(ref: FileRef, use: (path: string) => Promise<T> | T): Promise<T> => {
    const path = uploads.require(ref.sha256);
    try {
      return await use(path);
    } finally {
      uploads.remove(ref.sha256);
    }
  };
  /** A settings file's bytes (a certificate, a CRL, a PNG): small, read whole. */
  const smallUpload = (ref: FileRef): Promise<Buffer> =>
    takeUpload(ref, (path) => {
      const size = statSync(path).size;
      if (size > SMALL_FILE) throw new KysoError('SETTINGS_INVALID_FILE', { name: ref.name, reason: `${size} bytes: too large` });
      return readFileSync(path);
    });

  let opened: WorkflowService | undefined;
  let closed = false;
  const desk = (): WorkflowService => {
    if (closed) throw new KysoError('STORE_OPEN_FAILED', { path: ctx.dataDir, reason: 'Kyso is closing' });
    return (opened ??= WorkflowService.open({
      dataDir: ctx.dataDir,
      // Read at each verification: a root or CRL added in Settings applies at once.
      trust: () => settings.trustStore(),
      crls: () => settings.crls(),
      online: () => settings.stored().onlineRevocation,
      cacheDir: join(ctx.dataDir, 'cache', 'revocation'),
    }));
  };
  const signingService = new AppSigningService({
    dataDir: ctx.dataDir,
    settings,
    tokens,
    uploads,
    audit: (e) => void desk().store.audit({ at: new Date().toISOString(), ...e }),
    log: (line) => void process.stderr.write(`[kyso service] ${line}\n`),
  });
  const close = (): void => {
    closed = true;
    void signingService.stop();
    opened?.close();
    opened = undefined;
  };

  /**
   * The workflow's step request for one document: the person's image for the role, the place
   * dragged on the page or the preset's. Method 1 has no leader's signature for the seal to cover:
   * when the preset would put it there, the workflow's own choice (under the number) applies.
   */
  const stepRequest = (req: StepInput, method: Method, tokenLabel: string): StepRequest => {
    const kind = req.image ?? DEFAULT_IMAGE[req.role];
    const png = settings.image(tokenLabel, kind);
    const chosen = req.preset ?? settings.stored().preset;
    const overLeader = req.role === 'org' && !req.placement && getPreset(chosen).org.placement === 'over-leader';
    const preset = overLeader && method === 1 ? undefined : chosen;
    return {
      role: req.role,
      number: req.role === 'org' ? req.number : undefined,
      issueDate: req.role === 'org' ? req.issueDate : undefined,
      image: png ? { bytes: png, source: `${tokenLabel}/${kind}.png` } : undefined,
      preset,
      page: req.placement?.page,
      rect: req.placement?.rect,
    };
  };

  /**
   * One signing step of one document; `signer` opens the token (once, and only when the step's
   * checks have passed). An organisation signature that would go over the leader's with no seal to
   * draw is refused before the token is asked for (the engine needs the image to size and place it).
   */
  const signOne = async (id: string, req: StepInput, tokenLabel: string, signer: () => Promise<TokenSigner>) => {
    const d = desk();
    const doc = d.getDocument(id);
    const step = stepRequest(req, doc.method, tokenLabel);
    if (doc.nextRole === 'org' && req.role === 'org' && !step.rect && step.preset !== undefined && getPreset(step.preset).org.placement === 'over-leader' && !step.image)
      throw new KysoError('SEAL_IMAGE_MISSING', { person: tokenLabel });
    return d.signStep(id, step, signer);
  };

  const outboxOne = (documentId: string): OutboxItem => {
    const item = desk().listOutbox().find((x) => x.documentId === documentId);
    if (!item) throw new KysoError('DOCUMENT_NOT_FOUND', { id: documentId });
    return outboxItem(item);
  };
  const inboxOne = (id: string): InboxItem => {
    const item = desk().listInbox({ limit: 100_000 }).find((x) => x.id === id);
    if (!item) throw new KysoError('DOCUMENT_NOT_FOUND', { id });
    return inboxItem(item);
  };

  const handlers: Handlers = {
    'app.info': () => ({ version: ctx.version, transport: ctx.transport, dataDir: ctx.dataDir }),
    'files.pick': async (i) => {
      if (!ctx.pickFile) throw new KysoError('FILE_PICK_UNAVAILABLE', { transport: ctx.transport });
      const path = await ctx.pickFile(i.kind);
      if (path === null) return null;
      const got = await uploads.receiveFile(path);
      return { name: basename(path), ...got };
    },
    'tokens.list': (i) => tokens.list(i.rescan ?? false),

    'documents.list': () => desk().listDocuments(),
    'documents.import': (i) =>
      takeUpload(i.file, (upload) => desk().importDocument({ fileName: i.file.name, upload, title: i.title, method: i.method, urgency: i.urgency })),
    'documents.sign': (i) => {
      const { pin, id, token, ...req } = i;
      return tokens.withSigner(token, pin, (signer) => signOne(id, req, token.label, signer));
    },
    'documents.signBatch': (i) => {
      const { pin, ids, token, ...req } = i;
      desk();
      // One login for the whole batch; each document is its own step, and one failure (a step out
      // of order, a broken earlier signature) does not stop the others.
      const jobId = jobs.start<() => Promise<TokenSigner>>(
        ids,
        (loop) => tokens.withSigner(token, pin, loop),
        async (signer, id) => {
          await signOne(id, req, token.label, signer);
        },
      );
      return { jobId };
    },
    'documents.return': (i) => desk().returnDocument(i.id, i.comment),
    'documents.verify': (i) => desk().verifyDocument(i.id),
    'jobs.get': (i) => jobs.get(i.id),

    'inbox.list': (i) => {
      const list = desk().listInbox({ text: i.text, limit: 1000 });
      const books = inboxBooksState(desk().context.store.db, list.filter((v) => v.status === 'accepted').map((v) => Number(v.id)));
      return list.map((v) => {
        const b = books.get(Number(v.id));
        return b ? { ...inboxItem(v), books: { currentSha256: b.sha256 ?? v.sha256, stamped: b.stamped, passedTo: b.passed_to, recordNumber: b.record_number } } : inboxItem(v);
      });
    },
    'inbox.import': async (i) => inboxItem(await takeUpload(i.file, (upload) => desk().importIncomingUpload(i.file.name, upload))),
    // Through the exchange engine: an item that came by edXML is answered to its sender (03 / 02).
    'inbox.accept': (i) => inboxItem(decideExchanged(desk().context, parseId(i.id), { accept: true })),
    'inbox.reject': (i) => inboxItem(decideExchanged(desk().context, parseId(i.id), { accept: false, reason: i.reason })),
    'inbox.stamp': (i) =>
      tokens.withSigner(i.token, i.pin, async (signer) => {
        const d = desk();
        const item = d.listInbox({ limit: 1000 }).find((x) => x.id === i.id);
        const o = { organisation: stampOrganisation(i.organisation) };
        if (item?.status !== 'new') return inboxItem(await d.stampIncoming(i.id, signer, o));
        const stamped = await d.acceptAndStamp(i.id, signer, o);
        // Came through the exchange: the sender is told it was accepted (03), as `inbox accept --stamp` does.
        answerAccepted(d.context, parseId(stamped.id));
        return inboxItem(stamped);
      }),

    'books.register': (i) => {
      const r = desk().register(i.kind, i.year, { search: i.search });
      return { kind: r.kind, year: r.year, title: r.title, columns: r.columns.map((c) => ({ vi: c.vi, en: c.en })), rows: r.rows };
    },
    'books.report': (i) => desk().exchangeReport(i.from, i.to),
    'books.copy': (i) => tokens.withSigner(i.token, i.pin, async (signer) => copyItem(await desk().makeCopy({ source: i.source, id: i.id, form: i.form, pages: i.pages, organisation: stampOrganisation(), place: process.env.KYSO_PLACE }, signer))),
    'books.copies': () => desk().listCopies().map(copyItem),
    'books.exportRegister': async (i) => {
      const f = await desk().storeRegister(i.kind, i.year, i.format, { organisation: organisation() });
      return { name: `so-van-ban-${i.kind === 'outgoing' ? 'di' : 'den'}-${i.year}.${i.format}`, sha256: f.sha256, size: f.size };
    },
    'books.exportReport': async (i) => {
      const f = await desk().storeReport(i.from, i.to, i.format, { organisation: organisation() });
      return { name: `bao-cao-gui-nhan-${i.from}_${i.to}.${i.format}`, sha256: f.sha256, size: f.size };
    },
    'books.registerPaper': (i) => {
      const r = desk().registerPaper(i);
      return { id: String(r.id), number: r.number_symbol, date: r.issue_date, year: r.issue_year };
    },
    'books.registerPaperIncoming': (i) => {
      const r = desk().registerPaperIncoming(i);
      return {
        id: String(r.id),
        number: String(r.incoming_number),
        date: r.received_at,
        year: r.incoming_year,
        duplicates: r.duplicates.map((d) => ({ kind: d.kind, id: String(d.id), receivedAt: d.received_at, title: d.title, incomingNumber: d.incoming_number, status: d.status })),
      };
    },
    'inbox.edit': (i) => inboxItem(desk().editIncoming(i.id, { title: i.title, numberSymbol: i.number, issueDate: i.issueDate, sender: i.sender, docType: i.docType })),
    'inbox.route': async (i) => {
      const route = { passedTo: i.passedTo, recordNumber: i.recordNumber };
      const v = i.token && i.pin ? await tokens.withSigner(i.token, i.pin, (signer) => desk().routeIncoming(i.id, route, signer)) : await desk().routeIncoming(i.id, route);
      return inboxItem(v);
    },

    'outbox.list': () => desk().listOutbox().map(outboxItem),
    'outbox.markSent': (i) => outboxItem(desk().markSent(i.documentId)),
    ...exchangeHandlers({ desk, tokens, secrets: new Secrets(), outboxItem: outboxOne, inboxItem: inboxOne }),

    'archive.add': (i) => desk().archive(i),
    'archive.search': (i) => desk().searchArchive(i.text),
    'archive.open': async (i) => {
      const { entry, path } = desk().archiveEntry(i.id);
      return { entry, verdict: await desk().verifyFile(path) };
    },

    'audit.verify': () => desk().verifyAudit(),

    'settings.get': () => settings.view(),
    'settings.update': (i) => settings.update(i),
    'settings.addTrustAnchor': async (i) => settings.addTrustAnchor(i.file.name, await smallUpload(i.file)),
    'settings.removeTrustAnchor': (i) => settings.removeTrustAnchor(i.name),
    'settings.addCrl': async (i) => settings.addCrl(i.file.name, await smallUpload(i.file)),
    'settings.removeCrl': (i) => settings.removeCrl(i.name),
    'settings.trustCatalogue': (i) => settings.trustCatalogue(i.id),
    'settings.setImage': async (i) => settings.setImage(i.person, i.kind, i.file.name, await smallUpload(i.file)),
    'settings.removeImage': (i) => settings.removeImage(i.person, i.kind),

    'service.status': () => signingService.status(),
    'service.configure': (i) => signingService.configure(i),
    'service.addOrigin': (i) => signingService.addOrigin(i.origin),
    'service.removeOrigin': (i) => signingService.removeOrigin(i.origin),
    'service.installCa': () => signingService.trustCa('install'),
    'service.removeCa': () => signingService.trustCa('remove'),
    'service.pending': () => signingService.pending(),
    'service.answerOrigin': (i) => (signingService.answerOrigin(i.id, i.allow), { ok: true as const }),
    'service.chooseFile': (i) => (signingService.chooseFile(i.id, i.file), { ok: true as const }),
    'service.answerSigning': (i) => signingService.answerSigning(i.id, i.token, i.pin),
    'service.cancel': (i) => (signingService.cancel(i.id), { ok: true as const }),
  };
  return { handlers, files, settings, tokens, desk, signingService, close };
}

/** The dispatcher of a running app: the service table behind the contract's checks. */
export function createApp(ctx: AppContext, log?: ErrorLog): { dispatch: Dispatch; services: Services } {
  const services = createServices(ctx);
  return { dispatch: createDispatcher(services.handlers, log), services };
}
