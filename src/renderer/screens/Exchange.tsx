// Liên thông: this desk's agency code, its inbox and how it connects (a shared folder, the
// public-service mail, the national axis / LGSP), a connection test that really connects, and
// "Đồng bộ", one exchange pass (as `kyso exchange sync`) with what it sent, received and applied.
import { useCallback, useEffect, useState } from 'react';
import type { ConnectionTest, ExchangeView, InboxSetup, SyncResult, TransportKind } from '../../shared/contract-exchange.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { Busy } from '../components/Busy.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { useXT } from '../i18n-exchange.js';
import { Icon } from '../icons.js';
import { call, useShared } from '../state.js';
import { vnDateTime } from '../util.js';

interface Form {
  kind: TransportKind;
  path: string;
  imapUrl: string;
  smtpUrl: string;
  user: string;
  password: string;
  passwordEnv: string;
  ca: string;
  url: string;
  systemId: string;
  secret: string;
  secretEnv: string;
}

const EMPTY: Form = { kind: 'folder', path: '', imapUrl: '', smtpUrl: '', user: '', password: '', passwordEnv: 'KYSO_MAIL_PASSWORD', ca: '', url: '', systemId: '', secret: '', secretEnv: 'KYSO_AXIS_SECRET' };

function formOf(v: ExchangeView): Form {
  const i = v.inbox;
  if (!i) return EMPTY;
  return {
    ...EMPTY,
    kind: i.kind,
    path: i.kind === 'folder' ? i.address : '',
    imapUrl: i.mail?.imapUrl ?? '',
    smtpUrl: i.mail?.smtpUrl ?? '',
    user: i.mail?.user ?? '',
    passwordEnv: i.mail?.passwordEnv || EMPTY.passwordEnv,
    ca: i.mail?.ca ?? '',
    url: i.axis?.url ?? '',
    systemId: i.axis?.systemId ?? '',
    secretEnv: i.axis?.secretEnv || EMPTY.secretEnv,
  };
}

function setupOf(f: Form): InboxSetup {
  if (f.kind === 'folder') return { kind: 'folder', path: f.path.trim() };
  if (f.kind === 'mail')
    return { kind: 'mail', imapUrl: f.imapUrl.trim(), smtpUrl: f.smtpUrl.trim(), user: f.user.trim(), passwordEnv: f.passwordEnv.trim(), ...(f.password ? { password: f.password } : {}), ...(f.ca.trim() ? { ca: f.ca.trim() } : {}) };
  return { kind: 'axis', url: f.url.trim(), systemId: f.systemId.trim(), secretEnv: f.secretEnv.trim(), ...(f.secret ? { secret: f.secret } : {}) };
}

/** "Đồng bộ" and what the last pass did; shared by the exchange, outbox and inbox screens. */
export function SyncButton({ onSynced, onError }: { onSynced?: (r: SyncResult) => void; onError: (e: ErrorPayload | null) => void }) {
  const { x } = useXT();
  const [busy, setBusy] = useState(false);
  return (
    <button
      className="primary"
      data-testid="sync"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        const r = await call(api.exchange.sync({}), onError);
        setBusy(false);
        if (r) onSynced?.(r);
      }}
    >
      <Icon name="refresh" /> {busy ? x('syncing') : x('sync')}
    </button>
  );
}

export function SyncReportView({ report }: { report: SyncResult | null }) {
  const { x, err } = useXT();
  if (!report) return null;
  const bad = report.failed.length > 0 || report.unreadable.length > 0 || report.inboxFailed.length > 0;
  return (
    <div className={`callout ${bad ? 'amber' : 'green'}`} data-testid="sync-report" data-at={report.at} data-sent={report.sent} data-received={report.received} data-statuses={report.statuses}>
      <Icon name={bad ? 'warning' : 'check'} />
      <div>
        <div>{x('syncDone', { time: vnDateTime(report.at), sent: report.sent, received: report.received, statuses: report.statuses, duplicates: report.duplicates, misaddressed: report.misaddressed, failed: report.failed.length })}</div>
        {report.failed.map((f, i) => (
          <div key={`f${i}`} className="small">
            {x('syncFailedLine', { organId: f.organId, code: f.code })} {!f.permanent && `(${x('willRetry')})`}
          </div>
        ))}
        {report.inboxFailed.map((f) => (
          <div key={`i${f.kind}`} className="small" data-testid="sync-inbox-failed" data-kind={f.kind} data-code={f.code}>
            {x(`tr_${f.kind}`)}: {err({ code: f.code as ErrorPayload['code'], details: f.details }).message}
          </div>
        ))}
        {report.unreadable.map((u, i) => (
          <div key={`u${i}`} className="small">
            {x('unreadableLine', { file: u.file, code: u.element ? `${u.code} (${u.element})` : u.code })}
          </div>
        ))}
      </div>
    </div>
  );
}

/** A failed connection test: the catalogue's sentence, and what to check now (nothing was queued or saved). */
function TestError({ error }: { error: ErrorPayload | null }) {
  const { t, x, err } = useXT();
  if (!error) return null;
  const { message, hint } = err(error);
  return (
    <div className="error-box" role="alert" data-testid="error" data-code={error.code}>
      <strong>{t('errorTitle')}</strong>
      <p className="error-message">{message}</p>
      <p className="error-hint">{error.code === 'EXCHANGE_UNREACHABLE' ? x('testHintUnreachable') : hint}</p>
    </div>
  );
}

export function ExchangeScreen() {
  const { t, x } = useXT();
  const { notify } = useShared();
  const [view, setView] = useState<ExchangeView | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [organId, setOrganId] = useState('');
  const [name, setName] = useState('');
  const [form, setForm] = useState<Form>(EMPTY);
  const [testing, setTesting] = useState(false);
  const [tested, setTested] = useState<ConnectionTest | null>(null);
  const [testError, setTestError] = useState<ErrorPayload | null>(null);
  const [report, setReport] = useState<SyncResult | null>(null);

  const load = useCallback(async () => {
    const v = await call(api.exchange.get({}), setError);
    if (!v) return;
    setView(v);
    setOrganId(v.self?.organId ?? '');
    setName(v.self?.name ?? '');
    setForm(formOf(v));
  }, []);
  useEffect(() => void load(), [load]);

  const set = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setTested(null);
    setTestError(null);
  };
  const saveSelf = async () => {
    const v = await call(api.exchange.setSelf({ organId: organId.trim(), name: name.trim() }), setError);
    if (v) {
      setView(v);
      notify(x('selfSaved', { id: v.self?.organId ?? '' }));
    }
  };
  const saveInbox = async () => {
    const v = await call(api.exchange.setInbox(setupOf(form)), setError);
    if (v) {
      setView(v);
      setForm({ ...formOf(v), password: '', secret: '' });
      notify(x('inboxSaved', { kind: x(`tr_${form.kind}`) }));
    }
  };
  /** Stops reading one inbox (asked first); the others, the address book and what came stay. */
  const removeInbox = async (i: ExchangeView['inboxes'][number]) => {
    const kind = x(`tr_${i.kind}`);
    if (!window.confirm(x('inboxRemoveConfirm', { kind, address: i.address }))) return;
    const v = await call(api.exchange.removeInbox({ kind: i.kind }), setError);
    if (v) {
      setView(v);
      setForm({ ...formOf(v), password: '', secret: '' });
      notify(x('inboxRemoved', { kind }));
    }
  };
  const test = async () => {
    setTesting(true);
    setTested(null);
    setTestError(null);
    const r = await api.exchange.test(setupOf(form));
    setTesting(false);
    if (r.ok) setTested(r.value);
    else setTestError(r.error);
  };

  const field = (key: keyof Form, label: string, o: { type?: string; placeholder?: string; hint?: string } = {}) => (
    <label className="grow">
      {label}
      <input type={o.type ?? 'text'} value={form[key]} placeholder={o.placeholder} onChange={(e) => set({ [key]: e.target.value } as Partial<Form>)} data-testid={`x-${key}`} autoComplete={o.type === 'password' ? 'new-password' : 'off'} />
      {o.hint && <span className="muted small">{o.hint}</span>}
    </label>
  );
  const secretKnown = form.kind === 'mail' ? view?.inbox?.mail?.passwordSet : view?.inbox?.axis?.secretSet;
  const canSave = form.kind === 'folder' ? form.path.trim() !== '' : form.kind === 'mail' ? form.imapUrl.trim() && form.smtpUrl.trim() && form.user.trim() : form.url.trim() && form.systemId.trim();

  return (
    <section className="screen" data-testid="screen-exchange">
      <header className="screen-head">
        <div>
          <h1>{x('navExchange')}</h1>
          <p className="screen-sub">{x('exchangeSub')}</p>
        </div>
        <SyncButton
          onError={setError}
          onSynced={(r) => {
            setReport(r);
            void load();
          }}
        />
      </header>
      <ErrorBox error={error} onClose={() => setError(null)} />
      <SyncReportView report={report} />
      <div className="x-grid">
        <div className="card-plain" data-testid="x-self">
          <h2>{x('selfTitle')}</h2>
          {!view?.self && <p className="callout amber small">{x('selfMissing')}</p>}
          <div className="row">
            <label className="grow">
              {x('organId')}
              <input value={organId} onChange={(e) => setOrganId(e.target.value)} placeholder="000.00.31.H41" data-testid="x-organ-id" />
            </label>
            <label className="grow x-wide">
              {x('organName')}
              <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Sở Y tế tỉnh Quảng Ninh" data-testid="x-organ-name" />
            </label>
            <button className="primary" disabled={!organId.trim() || !name.trim()} onClick={() => void saveSelf()} data-testid="x-self-save">
              {t('save')}
            </button>
          </div>
          {view && <p className="muted small" data-testid="x-queue">{x('queueLine', { queued: view.queue.queued, failed: view.queue.failed })}</p>}
        </div>

        <div className="card-plain" data-testid="x-inbox">
          <h2>{x('inboxTitle')}</h2>
          {view && view.inboxes.length > 0 ? (
            <ul className="x-inbox-list muted" data-testid="x-inbox-now">
              {view.inboxes.map((i) => (
                <li key={i.kind} data-testid="x-inbox-row" data-kind={i.kind}>
                  <span>{x('inboxNow', { kind: x(`tr_${i.kind}`), address: i.address })}</span>
                  <button className="danger-text" onClick={() => void removeInbox(i)} data-testid="x-inbox-remove" aria-label={`${x('inboxRemove')} ${x(`tr_${i.kind}`)}`}>
                    {x('inboxRemove')}
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted small" data-testid="x-inbox-now">
              {x('inboxNone')}
            </p>
          )}
          <div className="segmented" role="radiogroup" aria-label={x('transportKind')}>
            {(['folder', 'mail', 'axis'] as const).map((k) => (
              <button key={k} role="radio" aria-checked={form.kind === k} className={form.kind === k ? 'active' : ''} onClick={() => set({ kind: k })} data-testid={`x-kind-${k}`}>
                {x(`tr_${k}`)}
              </button>
            ))}
          </div>
          {form.kind === 'folder' && <div className="row">{field('path', x('folderPath'), { placeholder: '/mnt/vanban/so-y-te', hint: x('folderHint') })}</div>}
          {form.kind === 'mail' && (
            <>
              <div className="row">
                {field('imapUrl', x('imapUrl'), { placeholder: 'imap://mail.quangninh.gov.vn:143' })}
                {field('smtpUrl', x('smtpUrl'), { placeholder: 'smtp://mail.quangninh.gov.vn:587' })}
              </div>
              <div className="row">
                {field('user', x('mailUser'), { placeholder: 'vanthu@syt.quangninh.gov.vn' })}
                {field('password', x('password'), { type: 'password' })}
                {field('passwordEnv', x('passwordEnv'))}
              </div>
              <div className="row">{field('ca', x('caFile'), { placeholder: '/etc/kyso/ca-thu-cong-vu.pem' })}</div>
            </>
          )}
          {form.kind === 'axis' && (
            <>
              <div className="row">
                {field('url', x('axisUrl'), { placeholder: 'https://lgsp.quangninh.gov.vn/vxp' })}
                {field('systemId', x('systemId'), { placeholder: 'SYT-QN' })}
              </div>
              <div className="row">
                {field('secret', x('secret'), { type: 'password' })}
                {field('secretEnv', x('secretEnv'))}
              </div>
            </>
          )}
          {form.kind !== 'folder' && (
            <p className="muted small" data-testid="x-secret-state">
              <Icon name="shield" size={14} /> {x((form.kind === 'mail' ? form.password : form.secret) ? 'passwordTyped' : secretKnown ? 'passwordKnown' : 'passwordUnknown', { name: form.kind === 'mail' ? form.passwordEnv : form.secretEnv })}. {x('secretNote')}
            </p>
          )}
          <div className="row actions-row">
            <button onClick={() => void test()} disabled={testing || !canSave} data-testid="x-test">
              <Icon name="refresh" /> {x('testConnection')}
            </button>
            <button className="primary" onClick={() => void saveInbox()} disabled={!canSave || !view?.self} data-testid="x-inbox-save">
              {t('save')}
            </button>
          </div>
          {testing && <Busy text={x('testing')} />}
          {tested && (
            <div className="callout green" data-testid="x-test-ok">
              <Icon name="check" />
              <div>
                <strong>{x('testOk')}</strong>
                {tested.checks.map((c) => (
                  <div key={c.what} className="small" data-testid="x-test-check" data-what={c.what}>
                    {x(`check_${c.what}`)}: <span className="mono">{c.target}</span>
                    {c.security && ` · ${c.security}`}
                    {c.waiting !== null && ` · ${x('checkWaiting', { n: c.waiting })}`}
                    {c.agencies !== null && ` · ${x('checkAgencies', { n: c.agencies })}`}
                  </div>
                ))}
              </div>
            </div>
          )}
          <div data-testid="x-test-error">
            <TestError error={testError} />
          </div>
        </div>
      </div>
    </section>
  );
}
