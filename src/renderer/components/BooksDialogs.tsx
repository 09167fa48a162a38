// The dialogs of the "Sổ văn bản" screen: registering a paper document (issued: the next number of
// the year's one outgoing series; received: the next số đến), and making an electronic copy (SAO Y,
// SAO LỤC, TRÍCH SAO with its pages) of an issued or accepted document, signed by the organisation's
// token with the PIN asked here.
import { useEffect, useState } from 'react';
import type { CopyItem, PaperEntry, Token } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { call, useShared } from '../state.js';
import { ErrorBox } from './ErrorBox.js';
import { PinDialog } from './PinDialog.js';
import { TokenSelect, useTokenChoice } from './TokenSelect.js';

const todayVn = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

export function PaperDialog({ kind, onDone, onClose }: { kind: 'outgoing' | 'incoming'; onDone: (e: PaperEntry) => void; onClose: () => void }) {
  const { t } = useT();
  const [title, setTitle] = useState('');
  const [number, setNumber] = useState('');
  const [issued, setIssued] = useState(kind === 'outgoing' ? todayVn() : '');
  const [signer, setSigner] = useState('');
  const [recipients, setRecipients] = useState('');
  const [copies, setCopies] = useState('');
  const [sender, setSender] = useState('');
  const [passedTo, setPassedTo] = useState('');
  const [record, setRecord] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const opt = (v: string) => (v.trim() ? v.trim() : undefined);

  const submit = async () => {
    setBusy(true);
    const r =
      kind === 'outgoing'
        ? await call(
            api.books.registerPaper({
              title: title.trim(),
              number: number.trim(),
              issueDate: opt(issued),
              signer: opt(signer),
              recipients: recipients.split('\n').map((x) => x.trim()).filter(Boolean),
              copies: copies.trim() ? Number(copies) : undefined,
              note: opt(note),
            }),
            setError,
          )
        : await call(
            api.books.registerPaperIncoming({ title: title.trim(), sender: sender.trim(), number: opt(number), issueDate: opt(issued), passedTo: opt(passedTo), recordNumber: opt(record), note: opt(note) }),
            setError,
          );
    setBusy(false);
    if (r) onDone(r);
  };
  const ready = title.trim() !== '' && (kind === 'outgoing' ? number.trim() !== '' : sender.trim() !== '');
  return (
    <div className="modal-backdrop">
      <form
        className="modal wide"
        data-testid="paper-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready && !busy) void submit();
        }}
      >
        <h2>
          <Icon name="file" /> {t(kind === 'outgoing' ? 'paperOutTitle' : 'paperInTitle')}
        </h2>
        <p className="muted small">{t(kind === 'outgoing' ? 'paperOutHint' : 'paperInHint')}</p>
        {kind === 'incoming' && (
          <label>
            {t('paperSender')}
            <input value={sender} onChange={(e) => setSender(e.target.value)} data-testid="paper-sender" />
          </label>
        )}
        <label>
          {t('paperTitle')}
          <input value={title} onChange={(e) => setTitle(e.target.value)} data-testid="paper-title" />
        </label>
        <div className="row">
          <label className="grow">
            {t('paperNumber')}
            <input value={number} onChange={(e) => setNumber(e.target.value)} placeholder={kind === 'outgoing' ? '/QĐ-SYT' : '45/UBND-VP'} data-testid="paper-number" />
          </label>
          <label>
            {t('paperIssued')}
            <input type="date" value={issued} onChange={(e) => setIssued(e.target.value)} data-testid="paper-issued" />
          </label>
        </div>
        {kind === 'outgoing' ? (
          <>
            <div className="row">
              <label className="grow">
                {t('paperSigner')}
                <input value={signer} onChange={(e) => setSigner(e.target.value)} data-testid="paper-signer" />
              </label>
              <label>
                {t('paperCopies')}
                <input type="number" min={1} value={copies} onChange={(e) => setCopies(e.target.value)} data-testid="paper-copies" style={{ width: '7em' }} />
              </label>
            </div>
            <label>
              {t('paperRecipients')}
              <textarea rows={2} value={recipients} onChange={(e) => setRecipients(e.target.value)} data-testid="paper-recipients" />
            </label>
          </>
        ) : (
          <div className="row">
            <label className="grow">
              {t('paperPassedTo')}
              <input value={passedTo} onChange={(e) => setPassedTo(e.target.value)} data-testid="paper-passed-to" />
            </label>
            <label>
              {t('paperRecord')}
              <input value={record} onChange={(e) => setRecord(e.target.value)} data-testid="paper-record" style={{ width: '9em' }} />
            </label>
          </div>
        )}
        <label>
          {t('paperNote')}
          <input value={note} onChange={(e) => setNote(e.target.value)} data-testid="paper-note" />
        </label>
        <ErrorBox error={error} onClose={() => setError(null)} />
        <div className="actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t('cancel')}
          </button>
          <button type="submit" className="primary" disabled={!ready || busy} data-testid="paper-submit">
            <Icon name="check" /> {t('paperSubmit')}
          </button>
        </div>
      </form>
    </div>
  );
}

interface Source {
  key: string;
  source: 'outgoing' | 'incoming';
  id: string;
  label: string;
  title: string;
}

const FORMS = ['SAO Y', 'SAO LỤC', 'TRÍCH SAO'] as const;

export function CopyDialog({ onDone, onClose }: { onDone: (c: CopyItem) => void; onClose: () => void }) {
  const { t } = useT();
  const { tokens, refreshTokens } = useShared();
  const { labelFor, choose } = useTokenChoice(tokens?.tokens ?? []);
  const tokenLabel = labelFor('org');
  const [sources, setSources] = useState<Source[] | null>(null);
  const [key, setKey] = useState('');
  const [form, setForm] = useState<(typeof FORMS)[number]>('SAO Y');
  const [pages, setPages] = useState('');
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [pinError, setPinError] = useState<ErrorPayload | null>(null);

  useEffect(() => {
    void (async () => {
      const docs = (await call(api.documents.list({}), setError)) ?? [];
      const inbox = (await call(api.inbox.list({}), setError)) ?? [];
      const list: Source[] = [
        ...docs.filter((d) => d.state === 'issued').map((d) => ({ key: `outgoing:${d.id}`, source: 'outgoing' as const, id: d.id, title: d.title, label: `${t('copySourceOut')} · ${d.number ?? ''} · ${d.title}` })),
        ...inbox.filter((x) => x.status === 'accepted').map((x) => ({ key: `incoming:${x.id}`, source: 'incoming' as const, id: x.id, title: x.title, label: `${t('copySourceIn')} · ${x.number ?? `#${x.incomingNumber ?? ''}`} · ${x.title}` })),
      ];
      setSources(list);
      setKey((k) => k || (list[0]?.key ?? ''));
    })();
  }, []);
  const chosen = sources?.find((s) => s.key === key) ?? null;
  const token: Token | null = tokens?.tokens.find((x) => x.label === tokenLabel) ?? null;

  const sign = async (pin: string) => {
    if (!chosen || !token) return;
    setBusy(true);
    setPinError(null);
    const r = await call(api.books.copy({ source: chosen.source, id: chosen.id, form, pages: form === 'TRÍCH SAO' ? pages.trim() : undefined, token: { label: token.label, serial: token.serial }, pin }), setPinError);
    setBusy(false);
    void refreshTokens();
    if (r) {
      setAsking(false);
      onDone(r);
    }
  };

  return (
    <div className="modal-backdrop">
      <div className="modal wide" data-testid="copy-dialog">
        <h2>
          <Icon name="file" /> {t('copyDialogTitle')}
        </h2>
        <p className="muted small">{t('copyHint')}</p>
        {sources !== null && sources.length === 0 && <p className="callout amber">{t('copyNoSource')}</p>}
        <label>
          {t('copySource')}
          <select value={key} onChange={(e) => setKey(e.target.value)} data-testid="copy-source" disabled={!sources?.length}>
            {(sources ?? []).map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <div className="field-label">{t('copyForm')}</div>
        <div className="row copy-forms" role="radiogroup" aria-label={t('copyForm')}>
          {FORMS.map((f) => (
            <label key={f} className="check">
              <input type="radio" name="copy-form" checked={form === f} onChange={() => setForm(f)} data-testid={`copy-form-${f === 'SAO Y' ? 'sy' : f === 'SAO LỤC' ? 'sl' : 'ts'}`} /> <span className="stamp">{f}</span>
            </label>
          ))}
        </div>
        {form === 'TRÍCH SAO' && (
          <label>
            {t('copyPages')}
            <input value={pages} onChange={(e) => setPages(e.target.value)} placeholder="1-2" data-testid="copy-pages" />
          </label>
        )}
        <TokenSelect tokens={tokens} value={tokenLabel} onChange={(l) => choose('org', l)} testId="copy-token" />
        <ErrorBox error={error} onClose={() => setError(null)} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('cancel')}
          </button>
          <button className="primary" disabled={!chosen || !token || (form === 'TRÍCH SAO' && !pages.trim())} onClick={() => setAsking(true)} data-testid="copy-sign">
            <Icon name="sign" /> {t('copySign')}
          </button>
        </div>
      </div>
      {asking && token && chosen && (
        <PinDialog
          token={token}
          busy={busy}
          error={pinError}
          what={t('copyWhat', { form, title: chosen.title })}
          onSubmit={(pin) => void sign(pin)}
          onCancel={() => {
            setAsking(false);
            setPinError(null);
          }}
        />
      )}
    </div>
  );
}
