// Ký số: the queue of documents, the page as pdf.js draws it with the signer's image dragged onto
// it, the step the document waits for (initials, leader, organisation with number and date), the
// PIN dialog, and batch signing with a progress bar.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DocumentSummary, FileVerdict, ImageKind, Job, Placement, Role, Token } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { Busy } from '../components/Busy.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { ImportDialog } from '../components/ImportDialog.js';
import { DragGhost, imageSize, Palette, useImageDrag, type Dragging } from '../components/Palette.js';
import { clientToPdfRect, PdfPage, type PageTarget, type PlacedImage } from '../components/PdfPage.js';
import { PinDialog } from '../components/PinDialog.js';
import { Stepper } from '../components/Stepper.js';
import { TokenSelect, useTokenChoice } from '../components/TokenSelect.js';
import { VerdictView } from '../components/Verdict.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { fileUrl, openStoredPdf, saveStored } from '../files.js';
import { findText, type PdfDocument } from '../pdf.js';
import { call, useShared } from '../state.js';
import { rememberPngInfo, signedName, vnDate, vnToday } from '../util.js';

const ROLE_IMAGE: Record<Role, ImageKind> = { drafter: 'initials', leader: 'signature', org: 'seal' };
const MAX_PAGE_WIDTH = 620;

/** The page's width: as wide as its column allows, up to a comfortable reading size. */
function useColumnWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(460);
  useEffect(() => {
    if (!ref.current) return;
    const ro = new ResizeObserver(([e]) => {
      if (e) setWidth(Math.max(320, Math.min(MAX_PAGE_WIDTH, Math.floor(e.contentRect.width) - 4)));
    });
    ro.observe(ref.current);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

export function SignScreen() {
  const { t, lang } = useT();
  const { tokens, settings, refreshTokens, notify } = useShared();
  const [docs, setDocs] = useState<DocumentSummary[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [pdf, setPdf] = useState<PdfDocument | null>(null);
  const [page, setPage] = useState(1);
  const [placed, setPlaced] = useState<PlacedImage | null>(null);
  const [anchor, setAnchor] = useState('');
  const [preset, setPreset] = useState('');
  const [number, setNumber] = useState('');
  const [issueDate, setIssueDate] = useState(vnToday());
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [pinFor, setPinFor] = useState<'single' | 'batch' | null>(null);
  /** The token as it was when the PIN dialog opened: pulled out meanwhile, the dialog stays and signing says so. */
  const [pinToken, setPinToken] = useState<Token | null>(null);
  const [pinError, setPinError] = useState<ErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  const [job, setJob] = useState<Job | null>(null);
  const [verdict, setVerdict] = useState<FileVerdict | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [returning, setReturning] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [viewerRef, pageWidth] = useColumnWidth();
  const target = useRef<PageTarget | null>(null);
  const [scale, setScale] = useState(1);

  const doc = docs.find((d) => d.id === selected) ?? null;
  const role = doc?.nextRole ?? null;
  const checkedDocs = docs.filter((d) => checked.has(d.id));
  const batchRole = checkedDocs.length > 0 && checkedDocs.every((d) => d.nextRole === checkedDocs[0]!.nextRole) ? checkedDocs[0]!.nextRole : null;
  const { labelFor, choose } = useTokenChoice(tokens?.tokens ?? []);
  const tokenLabel = labelFor(role);
  const batchLabel = labelFor(batchRole);
  const tokenOf = (label: string): Token | null => tokens?.tokens.find((x) => x.label === label) ?? null;
  const token = tokenOf(tokenLabel);
  const batchToken = tokenOf(batchLabel);
  const openPin = (what: 'single' | 'batch') => {
    setPinToken(what === 'batch' ? batchToken : token);
    setPinError(null);
    setPinFor(what);
  };
  const dialogToken = pinToken ? (tokenOf(pinToken.label) ?? pinToken) : null;

  const reload = useCallback(async () => {
    const list = await call(api.documents.list({}), setError);
    if (list) setDocs(list);
  }, []);
  useEffect(() => void reload(), [reload]);
  useEffect(() => {
    if (settings && !preset) setPreset(settings.preset);
  }, [settings, preset]);

  useEffect(() => {
    setPdf(null);
    setPage(1);
    setPlaced(null);
    setVerdict(null);
    setReturning(null);
    setNumber('');
    setIssueDate(vnToday());
  }, [selected]);
  // The page shows the document's current file, read by ranges: opened again when a signature
  // (or a new draft) makes a new revision.
  const sha256 = doc?.sha256;
  useEffect(() => {
    if (!sha256) return;
    let cancelled = false;
    void openStoredPdf(sha256).then(
      (d) => {
        if (!cancelled) setPdf(d);
      },
      (e: unknown) => setError({ code: 'FILE_READ_FAILED', details: { path: sha256, reason: (e as Error).message } }),
    );
    return () => {
      cancelled = true;
    };
  }, [sha256]);

  const imageOf = (kind: ImageKind): string | null => {
    const image = settings?.images.find((i) => i.person === tokenLabel && i.kind === kind);
    if (!image) return null;
    const url = fileUrl(image.sha256);
    rememberPngInfo(url, image);
    return url;
  };
  const images = { signature: imageOf('signature'), seal: imageOf('seal'), initials: imageOf('initials') };
  const place = (kind: ImageKind, placement: Placement) => setPlaced({ kind, placement, src: imageOf(kind), label: t(`img_${kind}`) });

  const drop = (d: Dragging) => {
    const tg = target.current;
    if (!tg || !role) return;
    const rect = clientToPdfRect(tg, d.x, d.y, d.size[0], d.size[1]);
    if (rect) place(d.kind, { page: tg.page, rect });
  };
  const { dragging, start } = useImageDrag(drop);

  const placeByAnchor = async () => {
    if (!pdf || !role) return;
    const hit = await findText(pdf, anchor);
    if (!hit) {
      setError({ code: 'ANCHOR_NOT_FOUND', details: { anchor, where: '1–' + pdf.numPages } });
      return;
    }
    const kind = ROLE_IMAGE[role];
    const [w, h] = imageSize(kind, imageOf(kind));
    const view = (await pdf.getPage(hit.page)).view;
    setPage(hit.page);
    // Under the line found, centred on it: where a signature goes below its title.
    place(kind, { page: hit.page, rect: [Math.round(hit.x + hit.width / 2 - w / 2 - view[0]!), Math.round(hit.y - h - 4 - view[1]!), w, h] });
  };

  const afterSigning = async (_id: string) => {
    await reload();
  };

  const signOne = async (pin: string) => {
    const token = dialogToken;
    if (!doc || !role || !token) return;
    setBusy(true);
    const r = await api.documents.sign({
      id: doc.id,
      role,
      token: { label: token.label, serial: token.serial },
      pin,
      placement: placed?.placement,
      image: placed?.kind,
      preset: preset || undefined,
      number: role === 'org' && number.trim() ? number.trim() : undefined,
      issueDate: role === 'org' ? issueDate : undefined,
    });
    setBusy(false);
    void refreshTokens();
    if (!r.ok) {
      if (r.error.code.startsWith('TOKEN_PIN')) setPinError(r.error);
      else {
        setPinFor(null);
        setPinError(null);
        setError(r.error);
      }
      return;
    }
    setPinFor(null);
    setPinError(null);
    setError(null);
    setPlaced(null);
    setNumber('');
    // What the certificate check could not establish is said, not hidden (TT 15/2025: warn when unknown).
    const warned = r.value.warnings?.map((w) => (lang === 'en' ? w.en : w.vi)).join(' ');
    notify(`${t('signedOk', { title: r.value.title, step: t(`step_${role}`) })}${warned ? ` ${warned}` : ''}`, warned ? 'warn' : 'ok');
    await afterSigning(doc.id);
  };

  const signBatch = async (pin: string) => {
    const ids = checkedDocs.map((d) => d.id);
    const token = dialogToken;
    if (!batchRole || !token) return;
    setPinFor(null);
    setPinError(null);
    const started = await call(
      api.documents.signBatch({
        ids,
        role: batchRole,
        token: { label: token.label, serial: token.serial },
        pin,
        preset: preset || undefined,
        issueDate: batchRole === 'org' ? issueDate : undefined,
      }),
      setError,
    );
    if (!started) return;
    for (;;) {
      const j = await call(api.jobs.get({ id: started.jobId }), setError);
      if (!j) return;
      setJob(j);
      if (j.finished) {
        const firstError = j.results.find((x) => x.error)?.error;
        if (firstError) setError(firstError);
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    setChecked(new Set());
    void refreshTokens();
    await reload();
  };

  const sendBack = async () => {
    if (!doc || !returning?.trim()) return;
    const d = await call(api.documents.return({ id: doc.id, comment: returning.trim() }), setError);
    if (d) {
      setReturning(null);
      await afterSigning(doc.id);
    }
  };

  const download = () => {
    if (doc) saveStored(doc.sha256, doc.signatures.length ? signedName(doc.fileName) : doc.fileName);
  };

  const verify = async () => {
    if (!doc) return;
    setVerifying(true);
    const v = await call(api.documents.verify({ id: doc.id }), setError);
    setVerifying(false);
    if (v) setVerdict(v);
  };

  return (
    <section className="screen sign-screen" data-testid="screen-sign">
      <header className="screen-head">
        <div>
          <h1>{t('navSign')}</h1>
          <p className="screen-sub">{t('signSub')}</p>
        </div>
        <button className="primary" onClick={() => setImporting(true)} data-testid="import-open">
          <Icon name="plus" /> {t('importDraft')}
        </button>
      </header>
      <ErrorBox error={error} onClose={() => setError(null)} />
      <div className="sign-layout">
        <aside className="queue card-plain">
          <h2>{t('queue')}</h2>
          {docs.length === 0 && <p className="empty">{t('queueEmpty')}</p>}
          <ul className="doc-list">
            {docs.map((d) => (
              <li key={d.id} className={`doc ${d.id === selected ? 'selected' : ''}`} data-testid="doc-item" data-state={d.state} onClick={() => setSelected(d.id)}>
                {d.nextRole ? (
                  <input
                    type="checkbox"
                    aria-label={t('selectForBatch')}
                    title={t('selectForBatch')}
                    checked={checked.has(d.id)}
                    data-testid="doc-check"
                    onClick={(e) => e.stopPropagation()}
                    onChange={(e) => {
                      const next = new Set(checked);
                      if (e.target.checked) next.add(d.id);
                      else next.delete(d.id);
                      setChecked(next);
                    }}
                  />
                ) : (
                  <span className="no-check" />
                )}
                <div className="doc-body">
                  <div className="doc-title">{d.title}</div>
                  <div className="doc-meta">
                    {d.urgency !== 'normal' && <span className="stamp">{t(`urg_${d.urgency}`)}</span>}
                    <span className={`badge state-${d.state}`}>{t(`state_${d.state}`)}</span>
                    {d.number && <span className="small">{d.number}</span>}
                  </div>
                  {d.nextRole && <div className="doc-next small">{t('waitsFor', { step: t(`step_${d.nextRole}`) })}</div>}
                </div>
              </li>
            ))}
          </ul>
          {checked.size > 0 && (
            <div className="batch" data-testid="batch">
              <p className="small">
                {batchRole ? t('batchFor', { n: checked.size, step: t(`step_${batchRole}`) }) : t('batchMixed')}
              </p>
              {batchRole && <TokenSelect tokens={tokens} value={batchLabel} onChange={(l) => choose(batchRole, l)} testId="batch-token" />}
              <button className="primary" disabled={!batchRole || !batchToken || busy || (job !== null && !job.finished)} onClick={() => openPin('batch')} data-testid="batch-sign">
                {t('signBatch', { n: checked.size })}
              </button>
            </div>
          )}
          {job && (
            <div className="job" data-testid="job" data-finished={job.finished}>
              <progress max={job.total} value={job.done} />
              <span>{job.finished ? t('batchDone', { ok: job.done - job.failed, total: job.total, failed: job.failed }) : t('progress', { done: job.done, total: job.total })}</span>
            </div>
          )}
        </aside>

        <div className="viewer" ref={viewerRef}>
          {!doc && (
            <div className="viewer-empty">
              <Icon name="file" size={40} />
              <p>{t('noDocument')}</p>
            </div>
          )}
          {doc && !pdf && <Busy text={t('loading')} />}
          {doc && pdf && (
            <>
              <div className="pager">
                <button disabled={page <= 1} onClick={() => setPage(page - 1)} aria-label={t('prevPage')}>
                  ‹
                </button>
                <span>{t('pageOf', { page, pages: pdf.numPages })}</span>
                <button disabled={page >= pdf.numPages} onClick={() => setPage(page + 1)} aria-label={t('nextPage')}>
                  ›
                </button>
              </div>
              <PdfPage
                doc={pdf}
                page={page}
                width={pageWidth}
                placed={placed}
                onMove={role ? (p) => placed && place(placed.kind, p) : undefined}
                onTarget={(tg) => {
                  target.current = tg;
                  if (tg) setScale(tg.viewport.scale);
                }}
                highlight={dragging !== null}
              />
            </>
          )}
        </div>

        {doc && (
          <aside className="panel card-plain" data-testid="sign-panel">
            <h2 className="doc-heading">{doc.title}</h2>
            <p className="muted small doc-file">
              {doc.fileName}
              {doc.number && (
                <>
                  {' · '}
                  <strong className="ink">{t('numberShort', { number: doc.number })}</strong> {doc.issueDate && t('issuedOn', { date: vnDate(doc.issueDate) })}
                </>
              )}
            </p>
            <Stepper doc={doc} />
            {doc.comment && (
              <p className="callout amber">
                <strong>{t('sentBackWith')}</strong> {doc.comment}
              </p>
            )}
            {role ? (
              <div className="step-form" data-testid="next-step" data-role={role}>
                <h3>{t(`step_${role}`)}</h3>
                <TokenSelect tokens={tokens} value={tokenLabel} onChange={(l) => choose(role, l)} />
                <div className="field-label">{t('images')}</div>
                <Palette images={images} suggested={ROLE_IMAGE[role]} onStart={start} person={tokenLabel || '—'} />
                <p className="placement small" data-testid="placement" data-page={placed?.placement.page ?? ''} data-rect={placed ? placed.placement.rect.join(',') : ''}>
                  {placed ? (
                    <>
                      <Icon name="check" size={14} /> {t('placedAt', { kind: t(`img_${placed.kind}`), page: placed.placement.page, x: Math.round(placed.placement.rect[0]), y: Math.round(placed.placement.rect[1]) })}{' '}
                      <button className="link" onClick={() => setPlaced(null)}>
                        {t('clearPlacement')}
                      </button>
                    </>
                  ) : (
                    t(`placedNone_${role}`)
                  )}
                </p>
                <details className="more">
                  <summary>{t('placeOther')}</summary>
                  <label>
                    {t('preset')}
                    <select value={preset} onChange={(e) => setPreset(e.target.value)} data-testid="preset">
                      {settings?.presets.map((p) => (
                        <option key={p.name} value={p.name}>
                          {p.label}
                        </option>
                      ))}
                    </select>
                  </label>
                  <div className="row">
                    <label className="grow">
                      {t('anchor')}
                      <input value={anchor} onChange={(e) => setAnchor(e.target.value)} placeholder="GIÁM ĐỐC" data-testid="anchor-text" />
                    </label>
                    <button disabled={!anchor.trim()} onClick={() => void placeByAnchor()} data-testid="anchor-find">
                      {t('anchorFind')}
                    </button>
                  </div>
                </details>
                {role === 'org' && (
                  <div className="row org-fields">
                    <label className="grow">
                      {t('number')}
                      <input value={number} onChange={(e) => setNumber(e.target.value)} placeholder="203/QĐ-SYT" data-testid="doc-number" />
                    </label>
                    <label>
                      {t('issueDate')}
                      <input type="date" value={issueDate} onChange={(e) => setIssueDate(e.target.value)} data-testid="issue-date" />
                    </label>
                    <p className="muted small">
                      {t('issueDateRule')} {t('numberAuto')}
                    </p>
                  </div>
                )}
                <button className="primary big" disabled={!token || busy} onClick={() => openPin('single')} data-testid="sign-button">
                  <Icon name="sign" /> {t(`signAs_${role}`)}
                </button>
                {role === 'leader' && doc.method === 3 && (
                  <div className="send-back">
                    {returning === null ? (
                      <button className="link" onClick={() => setReturning('')}>
                        {t('sendBack')}
                      </button>
                    ) : (
                      <>
                        <textarea value={returning} onChange={(e) => setReturning(e.target.value)} placeholder={t('comment')} />
                        <button onClick={() => void sendBack()} disabled={!returning.trim()}>
                          {t('sendBack')}
                        </button>
                      </>
                    )}
                  </div>
                )}
              </div>
            ) : (
              <p className="callout green" data-testid="issued">
                <Icon name="check" /> {t('issuedDone')}
              </p>
            )}
            <div className="row actions-row">
              <button onClick={() => void download()} data-testid="download">
                <Icon name="download" /> {doc.signatures.length ? t('downloadSigned') : t('downloadFile')}
              </button>
              {doc.signatures.length > 0 && (
                <button onClick={() => void verify()} disabled={verifying} data-testid="verify">
                  <Icon name="shield" /> {t('verdict')}
                </button>
              )}
            </div>
            {verifying && <Busy text={t('verifying')} />}
            {verdict && <VerdictView verdict={verdict} />}
          </aside>
        )}
      </div>
      {dragging && <DragGhost dragging={dragging} scale={scale} label={t(`img_${dragging.kind}`)} />}
      {importing && (
        <ImportDialog
          onClose={() => setImporting(false)}
          onImported={(d) => {
            setImporting(false);
            notify(t('imported', { title: d.title }));
            void reload();
            setSelected(d.id);
          }}
        />
      )}
      {pinFor && dialogToken && (
        <PinDialog
          token={dialogToken}
          busy={busy}
          error={pinError}
          what={pinFor === 'batch' ? t('signBatch', { n: checked.size }) : doc ? `${t(`step_${role ?? 'org'}`)}: ${doc.title}` : ''}
          onCancel={() => {
            setPinFor(null);
            setPinError(null);
          }}
          onSubmit={(pin) => void (pinFor === 'single' ? signOne(pin) : signBatch(pin))}
        />
      )}
    </section>
  );
}
