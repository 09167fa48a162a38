// The service table behind the contract: one handler per call, over the engine (tokens, signing,
// verification) and the desk (documents, inbox, outbox, archive). Both transports — Electron's
// IPC and the web mode's HTTP — dispatch into the same table.
import { readFileSync } from 'node:fs';

import type { FileVerdict, ImageKind, Role, SignRequest } from '../../shared/contract.js';
import { KysoError } from '../../shared/errors.js';
import { getPreset } from '../appearance/presets.js';
import { signVisible } from '../sign/visible.js';
import type { TokenSigner } from '../token/index.js';
import { verifyPdf } from '../verify/verify.js';
import { createDispatcher, type Dispatch, type ErrorLog, type Handlers } from './dispatch.js';
import { LocalDesk } from './desk.js';
import { Jobs } from './jobs.js';
import { SettingsStore } from './settings.js';
import { TokenService } from './tokens.js';
import { toVerdict } from './verdict.js';

export interface AppContext {
  dataDir: string;
  transport: 'electron' | 'web';
  version: string;
}

const DEFAULT_IMAGE: Record<Role, ImageKind> = { drafter: 'initials', leader: 'signature', org: 'seal' };

function fromBase64(data: string): Buffer {
  return Buffer.from(data, 'base64');
}

export function createServices(ctx: AppContext): { handlers: Handlers; settings: SettingsStore; tokens: TokenService; desk: LocalDesk } {
  const settings = new SettingsStore(ctx.dataDir);
  const tokens = new TokenService(ctx.dataDir, () => settings.stored());
  const desk = new LocalDesk(ctx.dataDir);
  const jobs = new Jobs();

  const verify = async (path: string): Promise<FileVerdict> => {
    const s = settings.stored();
    const report = await verifyPdf(path, { trust: settings.trustStore(), crls: settings.crls(), online: s.onlineRevocation, timeoutMs: 5000 });
    return toVerdict(report);
  };

  /**
   * Refuses, before the PIN is used, an organisation signature that would go over the leader's with
   * no seal to draw (the engine needs the image to size and place it).
   */
  const checkImages = (req: Omit<SignRequest, 'id' | 'pin'>, tokenLabel: string): void => {
    if (req.role !== 'org' || req.placement) return;
    const kind = req.image ?? DEFAULT_IMAGE.org;
    if (getPreset(req.preset ?? settings.stored().preset).org.placement === 'over-leader' && !settings.image(tokenLabel, kind))
      throw new KysoError('SEAL_IMAGE_MISSING', { person: tokenLabel });
  };

  /** One signing step of one document with a signer already logged in. */
  const signWith = (signer: TokenSigner, req: Omit<SignRequest, 'id' | 'pin'>, id: string, tokenLabel: string) =>
    desk.signStep(id, req.role, { number: req.number, issueDate: req.issueDate }, async (input, output) => {
      const kind = req.image ?? DEFAULT_IMAGE[req.role];
      const png = settings.image(tokenLabel, kind);
      const result = await signVisible({
        input,
        output,
        signer,
        reason: req.role === 'drafter' ? 'Ký nháy' : req.role === 'leader' ? 'Ký phê duyệt' : 'Ký phát hành',
        visible: {
          role: req.role,
          preset: req.preset ?? settings.stored().preset,
          image: png ? { bytes: png, source: `${tokenLabel}/${kind}.png` } : undefined,
          page: req.placement?.page,
          rect: req.placement?.rect,
          docNumber: req.role === 'org' ? req.number : undefined,
          issued: req.role === 'org' ? req.issueDate : undefined,
        },
      });
      return { output: result.output, signer: result.signer.commonName };
    });

  const handlers: Handlers = {
    'app.info': () => ({ version: ctx.version, transport: ctx.transport, dataDir: ctx.dataDir }),
    'tokens.list': (i) => tokens.list(i.rescan ?? false),

    'documents.list': () => desk.listDocuments(),
    'documents.import': (i) => desk.importDocument({ fileName: i.file.name, bytes: fromBase64(i.file.data), title: i.title, method: i.method, urgency: i.urgency }),
    'documents.content': (i) => ({ data: readFileSync(desk.documentPath(i.id)).toString('base64') }),
    'documents.sign': async (i) => {
      desk.checkStep(i.id, i.role);
      const { pin, id, ...req } = i;
      checkImages(req, i.token.label);
      return tokens.withSigner(i.token, pin, (signer) => signWith(signer, req, id, i.token.label));
    },
    'documents.signBatch': (i) => {
      const { pin, ids, ...req } = i;
      for (const id of ids) desk.checkStep(id, req.role);
      checkImages(req, i.token.label);
      const jobId = jobs.start<TokenSigner>(
        ids,
        (loop) => tokens.withSigner(i.token, pin, loop),
        async (signer, id) => {
          await signWith(signer, req, id, i.token.label);
        },
      );
      return { jobId };
    },
    'documents.return': (i) => desk.returnDocument(i.id, i.comment),
    'documents.verify': (i) => verify(desk.documentPath(i.id)),
    'jobs.get': (i) => jobs.get(i.id),

    'inbox.list': () => desk.listInbox(),
    'inbox.import': (i) => desk.importIncoming(i.file.name, fromBase64(i.file.data), verify),
    'inbox.accept': (i) => desk.decideIncoming(i.id, { accept: true }),
    'inbox.reject': (i) => desk.decideIncoming(i.id, { accept: false, reason: i.reason }),
    'inbox.content': (i) => ({ data: readFileSync(desk.inboxPath(i.id)).toString('base64') }),

    'outbox.list': () => desk.listOutbox(),
    'outbox.markSent': (i) => desk.markSent(i.documentId),

    'archive.add': (i) => desk.archive(i),
    'archive.search': (i) => desk.searchArchive(i.text),
    'archive.open': async (i) => {
      const { entry, path } = desk.archiveEntry(i.id);
      return { entry, data: readFileSync(path).toString('base64'), verdict: await verify(path) };
    },

    'settings.get': () => settings.view(),
    'settings.update': (i) => settings.update(i),
    'settings.addTrustAnchor': (i) => settings.addTrustAnchor(i.file.name, fromBase64(i.file.data)),
    'settings.removeTrustAnchor': (i) => settings.removeTrustAnchor(i.name),
    'settings.addCrl': (i) => settings.addCrl(i.file.name, fromBase64(i.file.data)),
    'settings.removeCrl': (i) => settings.removeCrl(i.name),
    'settings.setImage': (i) => settings.setImage(i.person, i.kind, i.file.name, fromBase64(i.file.data)),
    'settings.removeImage': (i) => settings.removeImage(i.person, i.kind),
  };
  return { handlers, settings, tokens, desk };
}

/** The dispatcher of a running app: the service table behind the contract's checks. */
export function createApp(ctx: AppContext, log?: ErrorLog): { dispatch: Dispatch; services: ReturnType<typeof createServices> } {
  const services = createServices(ctx);
  return { dispatch: createDispatcher(services.handlers, log), services };
}

