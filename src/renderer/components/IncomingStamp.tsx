// The "ĐẾN" stamp of a received document, in the inbox: accept and stamp it with the organisation's
// token (the PIN asked here), then write "Chuyển" (passed on to) and "Lưu hồ sơ số" (record number)
// into the stamp by a further signed revision; the stamped file is downloaded by reference.
import { useState } from 'react';
import type { InboxItem, Token } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { saveStored } from '../files.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { call, useShared } from '../state.js';
import { PinDialog } from './PinDialog.js';
import { TokenSelect, useTokenChoice } from './TokenSelect.js';

type Asking = { what: 'stamp' } | { what: 'route' };

export function IncomingStamp({ item, onChanged, onError }: { item: InboxItem; onChanged: (i: InboxItem) => void; onError: (e: ErrorPayload | null) => void }) {
  const { t } = useT();
  const { tokens, refreshTokens, notify } = useShared();
  const { labelFor, choose } = useTokenChoice(tokens?.tokens ?? []);
  const tokenLabel = labelFor('org');
  const token: Token | null = tokens?.tokens.find((x) => x.label === tokenLabel) ?? null;
  const [asking, setAsking] = useState<Asking | null>(null);
  const [busy, setBusy] = useState(false);
  const [pinError, setPinError] = useState<ErrorPayload | null>(null);
  const [passedTo, setPassedTo] = useState(item.books?.passedTo ?? '');
  const [record, setRecord] = useState(item.books?.recordNumber ?? '');
  const stamped = item.books?.stamped === true;
  if (item.status === 'rejected' || item.verdict.indication === 'TOTAL_FAILED') return null;

  const withPin = async (pin: string) => {
    if (!token || !asking) return;
    setBusy(true);
    setPinError(null);
    const ref = { label: token.label, serial: token.serial };
    const r =
      asking.what === 'stamp'
        ? await call(api.inbox.stamp({ id: item.id, token: ref, pin }), setPinError)
        : await call(api.inbox.route({ id: item.id, passedTo: passedTo.trim() || undefined, recordNumber: record.trim() || undefined, token: ref, pin }), setPinError);
    setBusy(false);
    void refreshTokens();
    if (r) {
      setAsking(null);
      notify(asking.what === 'stamp' ? t('stampDone', { n: r.incomingNumber ?? '—' }) : t('routeDone'));
      onChanged(r);
    }
  };
  const routeUnstamped = async () => {
    const r = await call(api.inbox.route({ id: item.id, passedTo: passedTo.trim() || undefined, recordNumber: record.trim() || undefined }), onError);
    if (r) {
      notify(t('routeDone'));
      onChanged(r);
    }
  };

  return (
    <div className="incoming-stamp" data-testid="incoming-stamp" data-stamped={stamped}>
      <h3>
        <span className="stamp">ĐẾN</span> {t('stampTitle')}
      </h3>
      {stamped ? (
        <p className="callout green small" data-testid="stamp-state">
          <Icon name="check" /> {t('stamped')} — {t('incomingNumber')}: {item.incomingNumber}
        </p>
      ) : (
        <p className="muted small">{t('stampHint')}</p>
      )}
      {(!stamped || item.status === 'accepted') && (
        <div className="row actions-row">
          <TokenSelect tokens={tokens} value={tokenLabel} onChange={(l) => choose('org', l)} testId="stamp-token" />
          {!stamped && (
            <button className="primary" disabled={!token} onClick={() => setAsking({ what: 'stamp' })} data-testid="stamp-button">
              <Icon name="sign" /> {t(item.status === 'new' ? 'stampAccept' : 'stampOnly')}
            </button>
          )}
        </div>
      )}
      {item.status === 'accepted' && (
        <div className="row route-row">
          <label className="grow">
            {t('paperPassedTo')}
            <input value={passedTo} onChange={(e) => setPassedTo(e.target.value)} data-testid="route-to" />
          </label>
          <label>
            {t('paperRecord')}
            <input value={record} onChange={(e) => setRecord(e.target.value)} data-testid="route-record" style={{ width: '9em' }} />
          </label>
          <button
            disabled={(!passedTo.trim() && !record.trim()) || (stamped && !token)}
            onClick={() => (stamped ? setAsking({ what: 'route' }) : void routeUnstamped())}
            data-testid="route-save"
          >
            {t(stamped ? 'routeSave' : 'routeSaveUnstamped')}
          </button>
        </div>
      )}
      {stamped && item.books && (
        <div className="row actions-row">
          <button onClick={() => saveStored(item.books!.currentSha256, item.fileName.replace(/\.pdf$/i, '') + '-den.pdf')} data-testid="stamped-download">
            <Icon name="download" /> {t('downloadStamped')}
          </button>
        </div>
      )}
      {asking && token && (
        <PinDialog
          token={token}
          busy={busy}
          error={pinError}
          what={asking.what === 'stamp' ? t('stampWhat', { title: item.title }) : t('routeWhat')}
          onSubmit={(pin) => void withPin(pin)}
          onCancel={() => {
            setAsking(null);
            setPinError(null);
          }}
        />
      )}
    </div>
  );
}
