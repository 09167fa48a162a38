// Sổ văn bản: the outgoing and incoming registers of a year (the 10 columns of NĐ30 Phụ lục IV),
// searched as the clerk types and filtered by year and kind; and the exchange report of a period
// (QN Đ11) with its figures. Printing and the XLSX copy are on the command line (kyso register,
// kyso report), which writes the bound book.
import { useCallback, useEffect, useState } from 'react';
import type { ExchangeReportView, RegisterView } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { call } from '../state.js';

const thisYear = (): number => new Date(Date.now() + 7 * 3600_000).getUTCFullYear();

export function BooksScreen() {
  const { t, lang } = useT();
  const [kind, setKind] = useState<'outgoing' | 'incoming'>('outgoing');
  const [year, setYear] = useState(thisYear());
  const [text, setText] = useState('');
  const [reg, setReg] = useState<RegisterView | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [from, setFrom] = useState(`${thisYear()}-01-01`);
  const [to, setTo] = useState(new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10));
  const [report, setReport] = useState<ExchangeReportView | null>(null);

  const load = useCallback(async () => {
    const r = await call(api.books.register({ kind, year, search: text.trim() || undefined }), setError);
    if (r) setReg(r);
  }, [kind, year, text]);
  useEffect(() => {
    const timer = setTimeout(() => void load(), 200);
    return () => clearTimeout(timer);
  }, [load]);

  const runReport = async () => {
    const r = await call(api.books.report({ from, to }), setError);
    if (r) setReport(r);
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
      <div className="row actions-row">
        <div className="lang-switch" role="group" aria-label={t('registerKind')}>
          {(['outgoing', 'incoming'] as const).map((k) => (
            <button key={k} className={kind === k ? 'active' : ''} aria-pressed={kind === k} onClick={() => setKind(k)} data-testid={`books-${k}`}>
              {t(k === 'outgoing' ? 'registerOutgoing' : 'registerIncoming')}
            </button>
          ))}
        </div>
        <label>
          {t('year')}{' '}
          <input type="number" min={1900} max={9999} value={year} onChange={(e) => setYear(Number(e.target.value) || thisYear())} data-testid="books-year" style={{ width: '6em' }} />
        </label>
        {reg && <span className="muted small">{t('docCount', { n: reg.rows.length })}</span>}
      </div>
      {reg && (
        <div className="card-plain" style={{ overflowX: 'auto' }}>
          <h2>
            {reg.title} — {reg.year}
          </h2>
          <table className="table list" data-testid="books-register">
            <thead>
              <tr>
                {reg.columns.map((c, i) => (
                  <th key={i} className="small">
                    {lang === 'vi' ? c.vi : c.en}
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
                    <td key={k} className="small">
                      {c}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="card-plain">
        <h2>{t('reportTitle')}</h2>
        <div className="row actions-row">
          <label>
            {t('fromDay')} <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="report-from" />
          </label>
          <label>
            {t('toDay')} <input type="date" value={to} onChange={(e) => setTo(e.target.value)} data-testid="report-to" />
          </label>
          <button onClick={() => void runReport()} data-testid="report-run">
            <Icon name="search" /> {t('reportRun')}
          </button>
        </div>
        {report && (
          <div data-testid="report-result">
            <ul>
              <li>{t('reportSent', { n: report.sent.total })}</li>
              <li>{t('reportReceived', { n: report.received.total })}</li>
              <li>{t('reportPaper', { n: report.paperCopies.length })}</li>
              <li>{t('reportLate', { n: report.late.length })}</li>
              <li>{t('reportRejected', { n: report.rejections.length })}</li>
              <li>{t('reportRecalled', { n: report.recalls.length })}</li>
            </ul>
            {report.months.length > 0 && (
              <div className="row" aria-hidden="true" style={{ alignItems: 'flex-end', gap: '1em', height: '120px' }}>
                {report.months.map((m) => {
                  const max = Math.max(1, ...report.months.flatMap((x) => [x.sent, x.received]));
                  return (
                    <div key={m.month} style={{ textAlign: 'center' }}>
                      <div className="row" style={{ alignItems: 'flex-end', gap: '3px', height: '90px' }}>
                        <div title={`${m.sent}`} style={{ width: '16px', height: `${(m.sent / max) * 90}px`, background: '#2a5aa6' }} />
                        <div title={`${m.received}`} style={{ width: '16px', height: `${(m.received / max) * 90}px`, background: '#cc5a1a' }} />
                      </div>
                      <div className="small muted">{m.month}</div>
                    </div>
                  );
                })}
              </div>
            )}
            {report.rejections.length > 0 && (
              <table className="table list">
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
    </section>
  );
}
