// Gửi liên thông: an issued document to agencies of the address book, as a new document or one that
// updates / replaces a document sent before, the package signed with the organisation's token (the
// PIN asked in the PIN dialog; always for an update or a replacement). It is queued; "Đồng bộ" (or
// the next sync) sends it.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { OutboxItem } from '../../shared/contract.js';
import type { ExchangeView } from '../../shared/contract-exchange.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { useXT } from '../i18n-exchange.js';
import { Icon } from '../icons.js';
import { call, useShared } from '../state.js';
import { matchesPeer } from '../screens/AddressBook.js';
import { EnvelopePin, type EnvelopeAsk } from './EnvelopePin.js';
import { TokenSelect, useTokenChoice } from './TokenSelect.js';

export function SendForm({ item, items, onDone, onCancel, onError }: { item: OutboxItem; items: OutboxItem[]; onDone: (r: OutboxItem) => void; onCancel: () => void; onError: (e: ErrorPayload | null) => void }) {
  const { t, x } = useXT();
  const { tokens } = useShared();
  const [view, setView] = useState<ExchangeView | null>(null);
  const [to, setTo] = useState<string[]>([]);
  const [query, setQuery] = useState('');
  // Envelopes are signed with the organisation's token unless the clerk unticks it (a desk without the token).
  const [signNew, setSignNew] = useState(true);
  const { labelFor, choose } = useTokenChoice(tokens?.tokens ?? []);
  const token = labelFor('org');
  const [ask, setAsk] = useState<EnvelopeAsk<OutboxItem> | null>(null);
  const [kind, setKind] = useState<'new' | 'replaces' | 'updates'>('new');
  const [earlier, setEarlier] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  // Opened from a row high in the list: the form below the table comes into view.
  useEffect(() => {
    box.current?.scrollIntoView({ block: 'nearest' });
  }, [item.documentId]);
  useEffect(() => {
    void call(api.exchange.get({}), onError).then((v) => v && setView(v));
  }, [onError]);
  const already = new Set(item.recipients.map((r) => r.organId).filter(Boolean));
  const peers = useMemo(() => (view?.peers ?? []).filter((p) => matchesPeer(p, query)), [view, query]);
  const sentBefore = items.filter((o) => o.documentId !== item.documentId && o.recipients.some((r) => r.organId));
  // An update or a replacement changes what the recipients hold: always signed.
  const sign = kind !== 'new' || signNew;
  const hasToken = (tokens?.tokens ?? []).some((k) => k.label === token);
  const ready = to.length > 0 && (!sign || hasToken) && (kind === 'new' || earlier);

  const send = async () => {
    const input = {
      documentId: item.documentId,
      to,
      ...(kind === 'replaces' ? { replaces: earlier } : kind === 'updates' ? { updates: earlier } : {}),
      ...(kind !== 'new' && reason.trim() ? { reason: reason.trim() } : {}),
    };
    if (sign) {
      setAsk({
        what: x('changePin', { kind: kind === 'new' ? x('sendNew') : kind === 'replaces' ? x('sendReplaces') : x('sendUpdates'), n: to.length, title: item.title }),
        tokenLabel: token,
        run: (tok, pin) => api.exchange.send({ ...input, token: tok, pin }),
        onDone,
      });
      return;
    }
    setBusy(true);
    const r = await call(api.exchange.send(input), onError);
    setBusy(false);
    if (r) onDone(r);
  };

  return (
    <div className="card-plain filing" data-testid="send-form" ref={box}>
      <h2>{x('sendTitle', { title: item.title })}</h2>
      {view && !view.self && <p className="callout amber small">{x('sendNotConfigured')}</p>}
      <div className="row">
        <label className="grow">
          {x('sendPick')}
          <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder={x('addressSearch')} data-testid="send-search" />
        </label>
      </div>
      {view && view.peers.length === 0 && <p className="muted small">{x('sendNoPeers')}</p>}
      <div className="peer-picks" role="group" aria-label={x('sendPick')}>
        {peers.map((p) => (
          <label key={p.organId} className={`peer-pick ${to.includes(p.organId) ? 'on' : ''}`} data-testid="send-peer" data-organ-id={p.organId}>
            <input type="checkbox" checked={to.includes(p.organId)} onChange={(e) => setTo(e.target.checked ? [...to, p.organId] : to.filter((o) => o !== p.organId))} />
            <span>
              <strong>{p.name}</strong>
              <span className="muted small mono"> {p.organId}</span>
              <span className="muted small"> · {x(`tr_${p.transport}`)}</span>
              {already.has(p.organId) && <span className="muted small"> · {x('rs_sent')}</span>}
            </span>
          </label>
        ))}
      </div>
      <div className="row">
        <label>
          {x('sendKind')}
          <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)} data-testid="send-kind">
            <option value="new">{x('sendNew')}</option>
            <option value="replaces" disabled={sentBefore.length === 0}>
              {x('sendReplaces')}
            </option>
            <option value="updates" disabled={sentBefore.length === 0}>
              {x('sendUpdates')}
            </option>
          </select>
        </label>
        {kind !== 'new' && (
          <>
            <label className="grow">
              {x('sendEarlier')}
              <select value={earlier} onChange={(e) => setEarlier(e.target.value)} data-testid="send-earlier">
                <option value="">—</option>
                {sentBefore.map((o) => (
                  <option key={o.documentId} value={o.documentId}>
                    {o.number ?? '—'} · {o.title}
                  </option>
                ))}
              </select>
            </label>
            <label className="grow">
              {x('sendReason')}
              <input value={reason} onChange={(e) => setReason(e.target.value)} data-testid="send-reason" />
            </label>
          </>
        )}
      </div>
      <label className="check">
        <input type="checkbox" checked={sign} disabled={kind !== 'new'} onChange={(e) => setSignNew(e.target.checked)} data-testid="send-sign" /> {x('signEnvelope')}
      </label>
      {sign && (
        <div className="row">
          <TokenSelect tokens={tokens} value={token} onChange={(l) => choose('org', l)} testId="send-token" />
          <p className="muted small grow">{x('envelopeSigned')}</p>
        </div>
      )}
      <div className="row actions-row">
        <button className="primary" disabled={!ready || busy} onClick={() => void send()} data-testid="send-submit">
          <Icon name="outbox" /> {x('sendExchange')} ({to.length})
        </button>
        <button onClick={onCancel}>{t('cancel')}</button>
      </div>
      {ask && <EnvelopePin ask={ask} onClose={() => setAsk(null)} onError={onError} />}
    </div>
  );
}

