// Văn bản đi: issued documents, urgent ones first, with a warning for any not sent in time (the
// signing day, at the latest the next working morning; urgent ones at once — QN Đ7, NĐ 30 Đ18),
// and the recall (thu hồi) of one already issued, with its reason (NĐ 30 Appendix VI). Sent
// through the exchange, a recall and a withdrawal (13, "rút lại", one recipient that has not
// processed it yet) are envelopes signed with the organisation's token: the PIN dialog asks.
import { useCallback, useEffect, useState } from 'react';
import type { OutboxItem } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { ArchiveForm } from '../components/ArchiveForm.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { call, useShared } from '../state.js';
import { saveStored } from '../files.js';
import { vnDateTime } from '../util.js';
import type { SyncResult } from '../../shared/contract-exchange.js';
import { Recipients } from '../components/Recipients.js';
import { SendForm } from '../components/SendForm.js';
import { useXT } from '../i18n-exchange.js';
import { SyncButton, SyncReportView } from './Exchange.js';
import { EnvelopePin, type EnvelopeAsk } from '../components/EnvelopePin.js';
import { TokenSelect, useTokenChoice } from '../components/TokenSelect.js';

export function OutboxScreen() {
  const { t } = useT();
  const { notify, tokens } = useShared();
  const { labelFor, choose } = useTokenChoice(tokens?.tokens ?? []);
  const orgToken = labelFor('org');
  const hasToken = (tokens?.tokens ?? []).some((k) => k.label === orgToken);
  // The PIN asked for an envelope (recall, withdrawal); cleared on cancel: nothing is sent.
  const [ask, setAsk] = useState<EnvelopeAsk<unknown> | null>(null);
  const [withdrawing, setWithdrawing] = useState<{ documentId: string; organId: string } | null>(null);
  const [withdrawReason, setWithdrawReason] = useState('');
  const [items, setItems] = useState<OutboxItem[]>([]);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [filing, setFiling] = useState<string | null>(null);
  const [recalling, setRecalling] = useState<string | null>(null);
  const [recallReason, setRecallReason] = useState('');
  const { x: xt } = useXT();
  const [sending, setSending] = useState<string | null>(null);
  const [report, setReport] = useState<SyncResult | null>(null);
  const reload = useCallback(async () => {
    const list = await call(api.outbox.list({}), setError);
    if (list) setItems(list);
  }, []);
  useEffect(() => {
    void reload();
    // The late warnings follow the clock.
    const timer = setInterval(() => void reload(), 60_000);
    return () => clearInterval(timer);
  }, [reload]);
  const late = items.filter((x) => x.late).length;
  const waiting = items.filter((x) => x.status === 'waiting').length;

  /** Through the exchange: agencies a recall envelope goes to (none: only recorded here). */
  const exchangeRecipients = (x: OutboxItem | undefined) => (x?.recipients ?? []).filter((r) => r.organId).length;
  const recallingItem = items.find((x) => x.documentId === recalling);
  const recallSigned = exchangeRecipients(recallingItem) > 0;

  const recalled = async (r: OutboxItem) => {
    setRecalling(null);
    setRecallReason('');
    notify(t('recalledNotice', { title: r.title }));
    await reload();
  };
  const recall = async () => {
    if (!recalling || !recallReason.trim() || !recallingItem) return;
    const documentId = recalling;
    const reason = recallReason.trim();
    if (recallSigned) {
      setAsk({
        what: xt('recallPin', { n: exchangeRecipients(recallingItem), title: recallingItem.title }),
        tokenLabel: orgToken,
        run: (token, pin) => api.outbox.recall({ documentId, reason, token, pin }),
        onDone: (r) => void recalled(r as OutboxItem),
      });
      return;
    }
    const r = await call(api.outbox.recall({ documentId, reason }), setError);
    if (r) await recalled(r);
  };

  const withdrawingItem = items.find((x) => x.documentId === withdrawing?.documentId);
  const withdrawingName = withdrawingItem?.recipients.find((r) => r.organId === withdrawing?.organId)?.name ?? withdrawing?.organId ?? '';
  const withdraw = () => {
    if (!withdrawing || !withdrawingItem || !withdrawReason.trim()) return;
    const { documentId, organId } = withdrawing;
    const reason = withdrawReason.trim();
    const name = withdrawingName;
    const title = withdrawingItem.title;
    setAsk({
      what: xt('withdrawPin', { name, title }),
      tokenLabel: orgToken,
      run: (token, pin) => api.outbox.withdraw({ documentId, reason, to: [organId], token, pin }),
      onDone: (v) => {
        const r = v as { cancelled: string[] };
        setWithdrawing(null);
        setWithdrawReason('');
        notify(r.cancelled.length ? xt('withdrawCancelled', { name }) : xt('withdrawAsked', { name, title }));
        void reload();
      },
    });
  };

  const download = (x: OutboxItem) => saveStored(x.sha256, `${(x.number ?? x.title).replace(/[\\/:*?"<>|]+/g, '-')}.pdf`);

  return (
    <section className="screen" data-testid="screen-outbox">
      <header className="screen-head">
        <div>
          <h1>{t('navOutbox')}</h1>
          <p className="screen-sub">{t('outboxSub', { waiting, total: items.length })}</p>
        </div>
        <SyncButton
          onError={setError}
          onSynced={(r) => {
            setReport(r);
            void reload();
          }}
        />
      </header>
      <ErrorBox error={error} onClose={() => setError(null)} />
      <SyncReportView report={report} />
      {late > 0 && (
        <p className="callout red" data-testid="late-warning">
          <Icon name="warning" /> <strong>{t('lateCount', { n: late })}</strong> {t('lateRule')}
        </p>
      )}
      <div className="card-plain table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>{t('urgency')}</th>
              <th>{t('number')}</th>
              <th>{t('title')}</th>
              <th>{t('issuedAt')}</th>
              <th>{t('sendBy')}</th>
              <th>{t('status')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && (
              <tr>
                <td colSpan={7} className="empty">
                  {t('outboxEmpty')}
                </td>
              </tr>
            )}
            {items.map((x) => (
              <tr key={x.documentId} className={x.late ? 'row-late' : ''} data-testid="outbox-item" data-status={x.status} data-late={x.late}>
                <td className="nowrap">{x.urgency !== 'normal' ? <span className="stamp">{t(`urg_${x.urgency}`)}</span> : <span className="muted">{t('urg_normal')}</span>}</td>
                <td className="nowrap">
                  <strong>{x.number ?? '—'}</strong>
                </td>
                <td className="title-col">
                  {x.title}
                  <Recipients
                    item={x}
                    onWithdraw={(organId) => {
                      setFiling(null);
                      setSending(null);
                      setRecalling(null);
                      setWithdrawReason('');
                      setWithdrawing({ documentId: x.documentId, organId });
                    }}
                  />
                  {x.paperCopyRequired && <div className="small muted">{t('paperCopy')}</div>}
                  {x.status === 'recalled' && x.recallReason && (
                    <div className="small recall-note" data-testid="recall-reason">
                      {t('recalledOn', { time: vnDateTime(x.recalledAt) })}: {x.recallReason}
                    </div>
                  )}
                </td>
                <td className="nowrap">{vnDateTime(x.issuedAt)}</td>
                <td className="nowrap">
                  <div>{vnDateTime(x.sendBy)}</div>
                  {x.warning && (
                    <span className={`badge ${x.warning === 'late' ? 'red' : 'amber'}`} data-testid="send-warning" data-warning={x.warning}>
                      <Icon name="warning" size={12} /> {t(`warn_${x.warning}`)}
                    </span>
                  )}
                </td>
                <td className="nowrap">
                  <span className={`badge ${x.status === 'sent' ? 'green' : x.status === 'recalled' ? 'red' : 'amber'}`}>{t(`out_${x.status}`)}</span>
                </td>
                <td>
                  <div className="row-actions">
                    <button onClick={() => void download(x)} title={t('downloadSigned')} aria-label={t('downloadSigned')} data-testid="outbox-download">
                      <Icon name="download" />
                    </button>
                    {x.status === 'waiting' && (
                      <button
                        data-testid="mark-sent"
                        onClick={async () => {
                          if (await call(api.outbox.markSent({ documentId: x.documentId }), setError)) await reload();
                        }}
                      >
                        {t('markSent')}
                      </button>
                    )}
                    {x.status !== 'recalled' && (
                      <button
                        data-testid="send-open"
                        onClick={() => {
                          setFiling(null);
                          setRecalling(null);
                          setWithdrawing(null);
                          setSending(sending === x.documentId ? null : x.documentId);
                        }}
                      >
                        <Icon name="outbox" size={16} /> {xt('sendExchange')}
                      </button>
                    )}
                    {x.status !== 'recalled' && (
                      <button
                        className="danger-text"
                        data-testid="recall-open"
                        onClick={() => {
                          setFiling(null);
                          setSending(null);
                          setWithdrawing(null);
                          setRecallReason('');
                          setRecalling(recalling === x.documentId ? null : x.documentId);
                        }}
                      >
                        {t('recall')}
                      </button>
                    )}
                    <button
                      onClick={() => {
                        setRecalling(null);
                        setWithdrawing(null);
                        setFiling(filing === x.documentId ? null : x.documentId);
                      }}
                    >
                      <Icon name="archive" size={16} /> {t('toArchiveShort')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sending && items.find((i) => i.documentId === sending) && (
        <SendForm
          item={items.find((i) => i.documentId === sending)!}
          items={items}
          onError={setError}
          onCancel={() => setSending(null)}
          onDone={(r) => {
            setSending(null);
            notify(xt('sendQueued', { n: r.recipients.filter((p) => p.status === 'pending').length }));
            void reload();
          }}
        />
      )}
      {recalling && (
        <div className="card-plain filing" data-testid="recall-form">
          <h2>
            {t('recall')}: {items.find((x) => x.documentId === recalling)?.title}
          </h2>
          <p className="muted small">{t('recallRule')}</p>
          <div className="row">
            <label className="grow">
              {t('recallReason')}
              <input value={recallReason} onChange={(e) => setRecallReason(e.target.value)} placeholder={t('recallPlaceholder')} data-testid="recall-reason-input" />
            </label>
            {recallSigned && <TokenSelect tokens={tokens} value={orgToken} onChange={(l) => choose('org', l)} testId="recall-token" />}
            <button className="danger" disabled={!recallReason.trim() || (recallSigned && !hasToken)} onClick={() => void recall()} data-testid="recall-submit">
              {t('recall')}
            </button>
            <button onClick={() => setRecalling(null)}>{t('cancel')}</button>
          </div>
          {recallSigned && <p className="muted small">{xt('envelopeSigned')}</p>}
        </div>
      )}
      {withdrawing && withdrawingItem && (
        <div className="card-plain filing" data-testid="withdraw-form" data-organ-id={withdrawing.organId}>
          <h2>
            {xt('withdrawTitle', { name: withdrawingName })}: {withdrawingItem.title}
          </h2>
          <p className="muted small">{xt('withdrawRule')}</p>
          <div className="row">
            <label className="grow">
              {xt('withdrawReason')}
              <input value={withdrawReason} onChange={(e) => setWithdrawReason(e.target.value)} placeholder={xt('withdrawPlaceholder')} data-testid="withdraw-reason" />
            </label>
            <TokenSelect tokens={tokens} value={orgToken} onChange={(l) => choose('org', l)} testId="withdraw-token" />
            <button className="danger" disabled={!withdrawReason.trim() || !hasToken} onClick={withdraw} data-testid="withdraw-submit">
              {xt('withdraw')}
            </button>
            <button onClick={() => setWithdrawing(null)}>{t('cancel')}</button>
          </div>
          <p className="muted small">{xt('envelopeSigned')}</p>
        </div>
      )}
      {ask && <EnvelopePin ask={ask} onClose={() => setAsk(null)} onError={setError} />}
      {filing && (
        <div className="card-plain filing">
          <h2>{t('toArchive')}: {items.find((x) => x.documentId === filing)?.title}</h2>
          <ArchiveForm
            open
            source="outgoing"
            sourceId={filing}
            onDone={() => {
              setFiling(null);
              notify(t('archived'));
            }}
            onError={setError}
          />
        </div>
      )}
    </section>
  );
}
