// Sổ văn bản: the outgoing and incoming registers of a year (the 10 columns of NĐ30 Phụ lục IV),
// searched as the clerk types and filtered by year and kind, downloaded as the bound book (PDF) or
// a workbook (XLSX); paper documents registered in the same number series; electronic copies (SAO Y,
// SAO LỤC, TRÍCH SAO) made and listed; the exchange report (QN Đ11) of a period with its figures,
// downloaded as PDF or XLSX. Files go by reference: the engine writes them, the page downloads
// /files/<sha256>.
import { useCallback, useEffect, useState } from 'react';
import type { CopyItem, ExchangeReportView, PaperEntry, RegisterView } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { Busy } from '../components/Busy.js';
import { CopyDialog, PaperDialog } from '../components/BooksDialogs.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { saveStored } from '../files.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { call, useShared } from '../state.js';
import { vnDateTime } from '../util.js';

const thisYear = (): number => new Date(Date.now() + 7 * 3600_000).getUTCFullYear();
const todayVn = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

export function BooksScreen() {
  const { t, lang } = useT();
  const { notify } = useShared();
  const [kind, setKind] = useState<'outgoing' | 'incoming'>('outgoing');
  const [year, setYear] = useState(thisYear());
  const [text, setText] = useState('');
  const [reg, setReg] = useState<RegisterView | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [from, setFrom] = useState(`${thisYear()}-01-01`);
  const [to, setTo] = useState(todayVn());
  const [report, setReport] = useState<ExchangeReportView | null>(null);
  const [copies, setCopies] = useState<CopyItem[]>([]);
  const [writing, setWriting] = useState(false);
  const [dialog, setDialog] = useState<'paper' | 'copy' | null>(null);
  // A paper arrival whose number + symbol + issuer was registered before: the earlier ones named.
  const [earlier, setEarlier] = useState<NonNullable<PaperEntry['duplicates']>>([]);

  const load = useCallback(async () => {
    const r = await call(api.books.register({ kind, year, search: text.trim() || undefined }), setError);
    if (r) setReg(r);
  }, [kind, year, text]);
  useEffect(() => {
    const timer = setTimeout(() => void load(), 200);
    return () => clearTimeout(timer);
  }, [load]);
  const loadCopies = useCallback(async () => {
    const r = await call(api.books.copies({}), setError);
    if (r) setCopies(r);
  }, []);
  useEffect(() => void loadCopies(), [loadCopies]);

  const runReport = async () => {
    const r = await call(api.books.report({ from, to }), setError);
    if (r) setReport(r);
  };
  /** The engine writes the file (kept by its SHA-256); the page downloads it by reference. */
  const download = async (what: 'register' | 'report', format: 'pdf' | 'xlsx') => {
    setWriting(true);
    const f = await call(what === 'register' ? api.books.exportRegister({ kind, year, format }) : api.books.exportReport({ from, to, format }), setError);
    setWriting(false);
    if (f) {
      saveStored(f.sha256, f.name);
      notify(t('booksDownloaded', { name: f.name }));
    }
  };

  return (
    <section className="screen" data-testid="screen-books">
      <header className="screen-head">
        <div>
          <h1>{t('navBooks')}</h1>
          <p className="screen-sub">{t('booksSub')}</p>
        </div>
        <label className="search">
          <Icon name="search" />
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t('search')} aria-label={t('search')} data-testid="books-search" />
        </label>
      </header>
      <ErrorBox error={error} onClose={() => setError(null)} />
      {earlier.length > 0 && (
        <div className="callout amber" data-testid="paper-duplicate" style={{ display: 'block' }}>
          <p>
            <Icon name="warning" /> {t('paperDuplicate')}
          </p>
          <ul style={{ margin: '6px 0 8px' }}>
            {earlier.map((d) => (
              <li key={`${d.kind}:${d.id}`} data-testid="paper-duplicate-earlier">
                {t('earlierLine', { kind: t(d.kind === 'paper' ? 'earlierPaper' : 'earlierElectronic'), n: d.incomingNumber ?? '—', date: vnDateTime(d.receivedAt, false), title: d.title })}
              </li>
            ))}
          </ul>
          <button onClick={() => setEarlier([])}>{t('close')}</button>
        </div>
      )}
      {writing && <Busy text={t('booksWriting')} />}
      <div className="row actions-row books-toolbar">
        <div className="segmented" role="group" aria-label={t('registerKind')}>
          {(['outgoing', 'incoming'] as const).map((k) => (
            <button key={k} className={kind === k ? 'active' : ''} aria-pressed={kind === k} onClick={() => setKind(k)} data-testid={`books-${k}`}>
              {t(k === 'outgoing' ? 'registerOutgoing' : 'registerIncoming')}
            </button>
          ))}
        </div>
        <label className="inline">
          {t('year')}
          <input type="number" min={1900} max={9999} value={year} onChange={(e) => setYear(Number(e.target.value) || thisYear())} data-testid="books-year" style={{ width: '6.5em' }} />
        </label>
        {reg && (
          <span className="muted small" data-testid="books-count">
            {t('docCount', { n: reg.rows.length })}
          </span>
        )}
        <div className="books-downloads">
          <button onClick={() => setDialog('paper')} data-testid="paper-open">
            <Icon name="plus" /> {t('paperOpen')}
          </button>
          <button onClick={() => void download('register', 'pdf')} disabled={writing} data-testid="register-pdf">
            <Icon name="download" /> {t('booksDownloadPdf')}
          </button>
          <button onClick={() => void download('register', 'xlsx')} disabled={writing} data-testid="register-xlsx">
            <Icon name="download" /> {t('booksDownloadXlsx')}
          </button>
        </div>
      </div>
      {reg && (
        <div className="card-plain table-wrap" data-testid="books-register-card">
          <h2 className="table-title">
            {reg.title} — {t('year')} {reg.year}
          </h2>
          <table className="table register-table" data-testid="books-register" data-kind={reg.kind}>
            <thead>
              <tr>
                {reg.columns.map((c, i) => (
                  <th key={i}>
                    {lang === 'vi' ? c.vi : c.en}
                    <span className="col-n">({i + 1})</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {reg.rows.length === 0 && (
                <tr>
                  <td colSpan={reg.columns.length} className="empty">
                    {text.trim() ? t('archiveNoMatch', { text }) : t('registerEmpty')}
                  </td>
                </tr>
              )}
              {reg.rows.map((r, i) => (
                <tr key={i} data-testid="books-row">
                  {r.map((c, k) => (
                    // Dates and numbers with their symbol (one word) are not broken across lines.
                    <td key={k} className={c.length <= 18 && !/\s/.test(c) ? 'nowrap' : undefined}>
                      {c}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <div className="card-plain books-section" data-testid="copies">
        <div className="row actions-row">
          <h2 className="grow">{t('copiesTitle')}</h2>
          <button className="primary" onClick={() => setDialog('copy')} data-testid="copy-open">
            <Icon name="plus" /> {t('copyOpen')}
          </button>
        </div>
        <table className="table">
          <thead>
            <tr>
              <th>{t('copyNumber')}</th>
              <th>{t('copyForm')}</th>
              <th>{t('copyOriginal')}</th>
              <th>{t('copyMade')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {copies.length === 0 && (
              <tr>
                <td colSpan={5} className="empty">
                  {t('copiesEmpty')}
                </td>
              </tr>
            )}
            {copies.map((c) => (
              <tr key={c.id} data-testid="copy-item" data-form={c.form}>
                <td className="nowrap">{c.number}</td>
                <td className="nowrap">
                  <span className="stamp">{c.form}</span>
                  {c.pages && <span className="small muted"> {t('copyPagesShort', { p: c.pages })}</span>}
                </td>
                <td>
                  {c.title}
                  <div className="small muted">{t(c.source === 'outgoing' ? 'copySourceOut' : 'copySourceIn')}</div>
                </td>
                <td className="nowrap">{vnDateTime(c.createdAt)}</td>
                <td>
                  <button onClick={() => saveStored(c.sha256, `${c.number.replace(/\//g, '-')}.pdf`)} data-testid="copy-download">
                    <Icon name="download" /> {t('downloadFile')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="card-plain books-section" data-testid="report">
        <h2>{t('reportTitle')}</h2>
        <div className="row actions-row">
          <label className="inline">
            {t('fromDay')} <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="report-from" />
          </label>
          <label className="inline">
            {t('toDay')} <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="report-to" />
          </label>
          <button onClick={() => void runReport()} data-testid="report-run">
            <Icon name="search" /> {t('reportRun')}
          </button>
          <div className="books-downloads">
            <button onClick={() => void download('report', 'pdf')} disabled={writing} data-testid="report-pdf">
              <Icon name="download" /> {t('reportDownloadPdf')}
            </button>
            <button onClick={() => void download('report', 'xlsx')} disabled={writing} data-testid="report-xlsx">
              <Icon name="download" /> {t('reportDownloadXlsx')}
            </button>
          </div>
        </div>
        {report && (
          <div data-testid="report-result">
            <div className="report-figures">
              <div>
                <strong>{report.sent.total}</strong> {t('reportSent', { n: '' }).replace(/:\s*$/, '')}
              </div>
              <div>
                <strong>{report.received.total}</strong> {t('reportReceived', { n: '' }).replace(/:\s*$/, '')}
              </div>
              <div>
                <strong>{report.paperCopies.length}</strong> {t('reportPaper', { n: '' }).replace(/:\s*$/, '')}
              </div>
              <div>
                <strong>{report.late.length}</strong> {t('reportLate', { n: '' }).replace(/:\s*$/, '')}
              </div>
              <div>
                <strong>{report.rejections.length}</strong> {t('reportRejected', { n: '' }).replace(/:\s*$/, '')}
              </div>
              <div>
                <strong>{report.recalls.length}</strong> {t('reportRecalled', { n: '' }).replace(/:\s*$/, '')}
              </div>
            </div>
            {report.months.length > 0 && (
              <div className="row" aria-hidden="true" style={{ alignItems: 'flex-end', gap: '1em', height: '120px' }}>
                {report.months.map((m) => {
                  const max = Math.max(1, ...report.months.flatMap((x) => [x.sent, x.received]));
                  return (
                    <div key={m.month} style={{ textAlign: 'center' }}>
                      <div className="row" style={{ alignItems: 'flex-end', gap: '3px', height: '90px', flexWrap: 'nowrap' }}>
                        {[
                          [m.sent, '#2a5aa6'],
                          [m.received, '#cc5a1a'],
                        ].map(([n, colour], k) => (
                          <div key={k} style={{ width: '22px', textAlign: 'center' }}>
                            <div className="small">{n}</div>
                            <div title={String(n)} style={{ height: `${(Number(n) / max) * 72}px`, background: String(colour) }} />
                          </div>
                        ))}
                      </div>
                      <div className="small muted">{m.month}</div>
                    </div>
                  );
                })}
              </div>
            )}
            {report.months.length > 0 && (
              <div className="chart-legend">
                <span>
                  <i style={{ background: '#2a5aa6' }} />
                  {t('chartSent')}
                </span>
                <span>
                  <i style={{ background: '#cc5a1a' }} />
                  {t('chartReceived')}
                </span>
              </div>
            )}
            {report.rejections.length > 0 && (
              <table className="table">
                <tbody>
                  {report.rejections.map((r, i) => (
                    <tr key={i}>
                      <td className="small">{r.number}</td>
                      <td className="small">{r.title}</td>
                      <td className="small">{r.counterpart}</td>
                      <td className="small">{r.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        )}
      </div>
      {dialog === 'paper' && (
        <PaperDialog
          kind={kind}
          onClose={() => setDialog(null)}
          onDone={(e) => {
            setDialog(null);
            notify(t(kind === 'outgoing' ? 'paperDoneOut' : 'paperDoneIn', { n: e.number }));
            setEarlier(e.duplicates ?? []);
            if (e.year !== year) setYear(e.year);
            else void load();
          }}
        />
      )}
      {dialog === 'copy' && (
        <CopyDialog
          onClose={() => setDialog(null)}
          onDone={(c) => {
            setDialog(null);
            notify(t('copyDone', { form: c.form, n: c.number }));
            void loadCopies();
            void load();
          }}
        />
      )}
    </section>
  );
}
