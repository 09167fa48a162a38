// What a document-management page asks of Kyso through the signing service (issue 16), answered in
// Kyso's own window whichever screen is open: a new page's origin (allow and remember, or refuse),
// and each signing — who asks, the function, the document's first page, the token — then the PIN
// in the PIN dialog; the page never sees the PIN. Cancelling answers the page Status 11. The
// window polls service.pending, as it polls the tokens.
import { useCallback, useEffect, useState } from 'react';
import type { ServicePending } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { openStoredPdf } from '../files.js';
import { useT, type TextKey } from '../i18n.js';
import { Icon } from '../icons.js';
import type { PdfDocument } from '../pdf.js';
import { call, useShared } from '../state.js';
import { ErrorBox } from './ErrorBox.js';
import { FileChooser } from './FileChooser.js';
import { PdfPage } from './PdfPage.js';
import { PinDialog } from './PinDialog.js';
import { TokenSelect } from './TokenSelect.js';

export const SERVICE_POLL_MS = 1000;

type Signing = Extract<ServicePending, { kind: 'signing' }>;
type OriginQuestion = Extract<ServicePending, { kind: 'origin' }>;

const FUNCTION_KEYS: Record<string, TextKey> = {
  SignApproved: 'svc_SignApproved',
  SignIssued: 'svc_SignIssued',
  SignIncome: 'svc_SignIncome',
  SignAppendix: 'svc_SignAppendix',
  SignCopy: 'svc_SignCopy',
};

/** The last token chosen for the service on this machine. */
const TOKEN_KEY = 'kyso.serviceToken';

function OriginDialog({ q, onDone }: { q: OriginQuestion; onDone: () => void }) {
  const { t } = useT();
  const [error, setError] = useState<ErrorPayload | null>(null);
  const answer = async (allow: boolean) => {
    if ((await call(api.service.answerOrigin({ id: q.id, allow }), setError)) !== undefined) onDone();
  };
  return (
    <div className="modal-backdrop">
      <div className="modal service-origin" role="dialog" aria-modal="true" data-testid="service-origin-question" data-origin={q.origin}>
        <h2>
          <Icon name="shield" /> {t('svcAskTitle')}
        </h2>
        <p className="service-question">{t('svcAsk', { origin: q.origin })}</p>
        <p className="muted small">{t('svcAskHint')}</p>
        <ErrorBox error={error} />
        <div className="actions">
          <button onClick={() => void answer(false)} data-testid="service-origin-deny">
            {t('svcDeny')}
          </button>
          <button className="primary" onClick={() => void answer(true)} data-testid="service-origin-allow">
            {t('svcAllow')}
          </button>
        </div>
      </div>
    </div>
  );
}

function SigningPanel({ s, onDone }: { s: Signing; onDone: () => void }) {
  const { t } = useT();
  const { tokens, refreshTokens, notify } = useShared();
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [doc, setDoc] = useState<PdfDocument | null>(null);
  const [label, setLabel] = useState(() => localStorage.getItem(TOKEN_KEY) ?? '');
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [pinError, setPinError] = useState<ErrorPayload | null>(null);
  const list = tokens?.tokens ?? [];
  const chosen = label || list[0]?.label || '';
  const token = list.find((x) => x.label === chosen);
  const fnName = FUNCTION_KEYS[s.function] ? t(FUNCTION_KEYS[s.function]!) : s.function;

  useEffect(() => {
    setDoc(null);
    if (!s.sha256) return;
    let cancelled = false;
    void openStoredPdf(s.sha256).then(
      (d) => !cancelled && setDoc(d),
      (e: unknown) => setError({ code: 'FILE_READ_FAILED', details: { path: s.fileName ?? '', reason: (e as Error).message } }),
    );
    return () => {
      cancelled = true;
    };
  }, [s.sha256, s.fileName]);
  // Asked again after a wrong PIN (the main process says so too, with the tries left).
  useEffect(() => {
    if (s.pinError) {
      setPinError(s.pinError);
      setAsking(true);
    }
  }, [s.pinError]);

  const cancel = async () => {
    if ((await call(api.service.cancel({ id: s.id }), setError)) !== undefined) {
      notify(t('svcCancelled', { origin: s.origin }), 'info');
      onDone();
    }
  };
  const sign = async (pin: string) => {
    if (!token) return;
    setBusy(true);
    localStorage.setItem(TOKEN_KEY, token.label);
    const r = await call(api.service.answerSigning({ id: s.id, token: { label: token.label, serial: token.serial }, pin }), setError);
    setBusy(false);
    if (!r) return setAsking(false);
    if (r.outcome === 'pin-wrong') {
      setPinError(r.error);
      await refreshTokens();
      return;
    }
    setAsking(false);
    if (r.outcome === 'signed') {
      notify(t('svcSigned', { file: s.fileName ?? '', origin: s.origin }));
      onDone();
    } else if (r.outcome === 'cancelled') {
      notify(t('svcCancelled', { origin: s.origin }), 'info');
      onDone();
    } else {
      setError(r.error);
    }
  };

  return (
    <div className="modal-backdrop">
      <div className="modal service-signing" role="dialog" aria-modal="true" data-testid="service-signing" data-function={s.function} data-origin={s.origin}>
        <h2>
          <Icon name="sign" /> {t('svcSignTitle')}
        </h2>
        <div className="service-body">
          <div className="service-page" aria-label={t('svcFirstPage')}>
            {doc ? <PdfPage doc={doc} page={1} width={300} /> : s.needsFile ? <div className="service-nofile"><Icon name="file" size={40} /></div> : <p className="busy">{t('loading')}</p>}
          </div>
          <div className="service-facts">
            <dl className="facts wide">
              <dt>{t('svcFrom')}</dt>
              <dd>
                <strong data-testid="service-signing-origin">{s.origin}</strong>
              </dd>
              <dt>{t('svcFunction')}</dt>
              <dd data-testid="service-signing-function">
                {fnName} <span className="muted small">({s.function})</span>
              </dd>
              <dt>{t('svcFile')}</dt>
              <dd data-testid="service-signing-file">{s.fileName ?? '—'}</dd>
              {s.docNumber && (
                <>
                  <dt>{t('svcDocNumber')}</dt>
                  <dd>{s.docNumber}</dd>
                </>
              )}
              {s.issued && (
                <>
                  <dt>{t('svcIssued')}</dt>
                  <dd>{s.issued}</dd>
                </>
              )}
            </dl>
            {s.needsFile ? (
              <div className="service-choose">
                <p>{t('svcChooseFile')}</p>
                <FileChooser
                  kind="pdf"
                  accept="application/pdf,.pdf"
                  testId="service-file"
                  className="button primary"
                  onError={setError}
                  onChoose={([c]) => {
                    void c?.uploaded.then(async (r) => {
                      if (!r.ok) return setError(r.error);
                      await call(api.service.chooseFile({ id: s.id, file: { name: r.value.name, sha256: r.value.sha256 } }), setError);
                    });
                  }}
                >
                  <Icon name="upload" size={16} /> {t('svcChooseButton')}
                </FileChooser>
              </div>
            ) : (
              <TokenSelect tokens={tokens} value={chosen} onChange={setLabel} testId="service-token" />
            )}
            <ErrorBox error={error} />
            <div className="actions">
              <button onClick={() => void cancel()} data-testid="service-cancel">
                {t('cancel')}
              </button>
              <button className="primary" disabled={s.needsFile || !doc || !token} onClick={() => setAsking(true)} data-testid="service-sign">
                {t('svcSign')}
              </button>
            </div>
          </div>
        </div>
      </div>
      {asking && token && (
        <PinDialog
          token={token}
          busy={busy}
          error={pinError}
          what={t('svcSignWhat', { function: fnName, origin: s.origin, file: s.fileName ?? '' })}
          onSubmit={(pin) => void sign(pin)}
          onCancel={() => void cancel()}
        />
      )}
    </div>
  );
}

export function ServiceRequests() {
  const [pending, setPending] = useState<ServicePending[]>([]);
  const poll = useCallback(async () => {
    const r = await api.service.pending({});
    if (r.ok) setPending(r.value);
  }, []);
  useEffect(() => {
    void poll();
    const timer = setInterval(() => void poll(), SERVICE_POLL_MS);
    return () => clearInterval(timer);
  }, [poll]);
  // One question at a time: the origins first (a signing of that page waits behind its answer).
  const first = pending.find((p) => p.kind === 'origin') ?? pending[0];
  if (!first) return null;
  return first.kind === 'origin' ? <OriginDialog key={first.id} q={first} onDone={() => void poll()} /> : <SigningPanel key={first.id} s={first} onDone={() => void poll()} />;
}
