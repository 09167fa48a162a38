// Lưu trữ: filed documents by record (hồ sơ), searched by number, summary, signer or date, and
// opened with their verification report, checked again now; and the check of the audit log's
// hash chain (every step of every document is recorded there, and tampering shows).
import { useCallback, useEffect, useState } from 'react';
import type { ArchiveEntry, AuditCheck, FileVerdict } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { retentionLabel } from '../components/ArchiveForm.js';
import { Busy } from '../components/Busy.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { PdfPage } from '../components/PdfPage.js';
import { IndicationBadge, VerdictView } from '../components/Verdict.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { openStoredPdf, saveStored } from '../files.js';
import { type PdfDocument } from '../pdf.js';
import { call } from '../state.js';
import { vnDateTime } from '../util.js';

interface Opened {
  entry: ArchiveEntry;
  verdict: FileVerdict;
  pdf: PdfDocument;
}

export function ArchiveScreen() {
  const { t, lang } = useT();
  const [text, setText] = useState('');
  const [audit, setAudit] = useState<AuditCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const [entries, setEntries] = useState<ArchiveEntry[] | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [opened, setOpened] = useState<Opened | null>(null);

  const search = useCallback(async (q: string) => {
    const r = await call(api.archive.search({ text: q }), setError);
    if (r) setEntries(r);
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => void search(text), 200);
    return () => clearTimeout(timer);
  }, [text, search]);

  const open = async (id: string) => {
    setOpening(id);
    const r = await call(api.archive.open({ id }), setError);
    if (r) setOpened({ entry: r.entry, verdict: r.verdict, pdf: await openStoredPdf(r.entry.sha256) });
    setOpening(null);
  };

  const checkAudit = async () => {
    setChecking(true);
    const r = await call(api.audit.verify({}), setError);
    setChecking(false);
    if (r) setAudit(r);
  };

  const list = entries ?? [];
  const records = [...new Map(list.map((e) => [e.recordCode, e])).values()];
  return (
    <section className="screen" data-testid="screen-archive">
      <header className="screen-head">
        <div>
          <h1>{t('navArchive')}</h1>
          <p className="screen-sub">{t('archiveSub')}</p>
        </div>
        <label className="search">
          <Icon name="search" />
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t('search')} aria-label={t('search')} data-testid="archive-search" />
        </label>
      </header>
      <ErrorBox error={error} onClose={() => setError(null)} />
      <div className="audit-row">
        <button onClick={() => void checkAudit()} disabled={checking} data-testid="audit-check">
          <Icon name="shield" /> {t('auditCheck')}
        </button>
        {checking && <Busy text={t('auditChecking')} />}
        {audit && !checking && (
          <p className={`callout ${audit.ok ? 'green' : 'red'}`} data-testid="audit-result" data-ok={audit.ok}>
            <Icon name={audit.ok ? 'check' : 'warning'} />
            <span>
              {audit.ok ? t('auditOk', { n: audit.entries }) : t('auditBroken', { n: audit.problems.length, seq: audit.problems.map((p) => p.seq).slice(0, 10).join(', ') })}{' '}
              <span className="muted small mono">{t('auditHead', { head: audit.head.slice(0, 16) })}</span>
            </span>
          </p>
        )}
      </div>
      {entries && list.length === 0 && <p className="empty">{text.trim() ? t('archiveNoMatch', { text }) : t('archiveEmpty')}</p>}
      <div className="split">
        <div>
          {records.map((r) => {
            const docs = list.filter((e) => e.recordCode === r.recordCode);
            return (
              <div key={r.recordCode} className="record card-plain" data-testid="archive-record">
                <h2>
                  <Icon name="folder" /> <span className="record-code">{r.recordCode}</span> {r.recordTitle}
                </h2>
                <p className="muted small">
                  {t('retention')}: {retentionLabel(r.retention, t, lang)} · {t('docCount', { n: docs.length })}
                </p>
                <table className="table list">
                  <thead>
                    <tr>
                      <th>{t('number')}</th>
                      <th>{t('title')}</th>
                      <th>{t('signersCol')}</th>
                      <th>{t('dateCol')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {docs.map((e) => (
                      <tr key={e.id} onClick={() => void open(e.id)} data-testid="archive-item" className={opened?.entry.id === e.id ? 'selected' : ''}>
                        <td className="nowrap">{e.number ?? '—'}</td>
                        <td>
                          {e.title} <span className="muted small">({t(`src_${e.source}`)})</span>
                        </td>
                        <td className="small">{e.signers.join(', ')}</td>
                        <td className="nowrap small">{vnDateTime(e.date, false)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            );
          })}
        </div>
        {(opened || opening) && (
          <div className="detail card-plain" data-testid="archive-detail">
            {opening && <Busy text={t('verifying')} />}
            {opened && (
              <>
                <h2>{opened.entry.title}</h2>
                <p className="muted small">
                  {opened.entry.recordCode} · {opened.entry.number ?? '—'} · <IndicationBadge indication={opened.verdict.indication} />
                </p>
                <p className="muted small mono wrap-anywhere" data-testid="archive-sha256">
                  SHA-256 {opened.entry.sha256} · {t('filedOn', { time: vnDateTime(opened.entry.filedAt) })}
                </p>
                <h3>{t('report')}</h3>
                <VerdictView verdict={opened.verdict} />
                <div className="row actions-row">
                  <button onClick={() => saveStored(opened.entry.sha256, `${(opened.entry.number ?? opened.entry.title).replace(/[\\/:*?"<>|]+/g, '-')}.pdf`)}>
                    <Icon name="download" /> {t('downloadFile')}
                  </button>
                </div>
                <div className="preview">
                  <PdfPage doc={opened.pdf} page={1} width={420} />
                </div>
              </>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
