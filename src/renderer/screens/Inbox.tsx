// Văn bản đến: received files, each verified on arrival, per signature green / amber / red with
// the reason; the clerk accepts (registers it with its số đến) or returns it with a reason, the
// same day (NĐ 30 Đ21; QN Đ10).
import { useCallback, useEffect, useState } from 'react';
import type { InboxItem } from '../../shared/contract.js';
import type { ErrorPayload } from '../../shared/errors.js';
import { api } from '../api.js';
import { ArchiveForm } from '../components/ArchiveForm.js';
import { Busy } from '../components/Busy.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { PdfPage } from '../components/PdfPage.js';
import { COLOUR, IndicationBadge, SignatureDots, VerdictView } from '../components/Verdict.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { FileChooser, type Chosen } from '../components/FileChooser.js';
import { IncomingStamp } from '../components/IncomingStamp.js';
import { IncomingFields } from '../components/IncomingFields.js';
import { openStoredPdf, saveStored } from '../files.js';
import { type PdfDocument } from '../pdf.js';
import { call, useShared } from '../state.js';
import { vnDate, vnDateTime } from '../util.js';
import type { SyncResult } from '../../shared/contract-exchange.js';
import { ProgressActions } from '../components/ProgressActions.js';
import { SyncButton, SyncReportView } from './Exchange.js';

/** Accept (register with số đến) or return with a reason; once decided, what was decided. */
function Decision({ item, reason, setReason, decide }: { item: InboxItem; reason: string; setReason: (r: string) => void; decide: (accept: boolean) => Promise<void> }) {
  const { t } = useT();
  if (item.status !== 'new')
    return (
      <p className={`callout ${item.status === 'accepted' ? 'green' : 'amber'}`} data-testid="inbox-decision">
        <strong>{t(`in_${item.status}`)}</strong>
        {item.incomingNumber !== null && ` — ${t('incomingNumber')}: ${item.incomingNumber}`}
        {item.reason && ` — ${t('reasonIs', { reason: item.reason })}`}
      </p>
    );
  return (
    <div className="decide">
      <button className="primary" onClick={() => void decide(true)} data-testid="inbox-accept" disabled={item.verdict.indication === 'TOTAL_FAILED'}>
        <Icon name="check" /> {t('accept')}
      </button>
      {item.verdict.indication !== 'TOTAL_PASSED' && <p className="muted small">{t('acceptWarning')}</p>}
      <div className="row">
        <label className="grow">
          {t('rejectReason')}
          <input value={reason} onChange={(e) => setReason(e.target.value)} data-testid="inbox-reason" placeholder={t('rejectPlaceholder')} />
        </label>
        <button className="danger" disabled={!reason.trim()} onClick={() => void decide(false)} data-testid="inbox-reject">
          <Icon name="cross" /> {t('reject')}
        </button>
      </div>
    </div>
  );
}

export function InboxScreen() {
  const { t } = useT();
  const { notify } = useShared();
  const [items, setItems] = useState<InboxItem[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [reason, setReason] = useState('');
  const [receiving, setReceiving] = useState<string | null>(null);
  const [preview, setPreview] = useState<PdfDocument | null>(null);
  const [text, setText] = useState('');
  const [report, setReport] = useState<SyncResult | null>(null);

  const reload = useCallback(async () => {
    const q = text.trim();
    const list = await call(api.inbox.list(q ? { text: q } : {}), setError);
    if (list) setItems(list);
  }, [text]);
  useEffect(() => {
    const timer = setTimeout(() => void reload(), 200);
    return () => clearTimeout(timer);
  }, [reload]);
  const item = items.find((x) => x.id === selected) ?? null;
  // The file as it now is: stamped ĐẾN and routed, else as received.
  const sha256 = item?.books?.currentSha256 ?? item?.sha256;
  useEffect(() => {
    setPreview(null);
    setReason('');
    if (!selected || !sha256) return;
    let cancelled = false;
    void openStoredPdf(sha256).then(
      (doc) => {
        if (!cancelled) setPreview(doc);
      },
      (e: unknown) => setError({ code: 'FILE_READ_FAILED', details: { path: sha256, reason: (e as Error).message } }),
    );
    return () => {
      cancelled = true;
    };
  }, [selected, sha256]);

  const receive = async (chosen: Chosen[]) => {
    let last: InboxItem | undefined;
    for (const c of chosen) {
      setReceiving(c.name);
      const sent = await call(c.uploaded, setError);
      const got = sent ? await call(api.inbox.import({ file: { name: sent.name, sha256: sent.sha256 } }), setError) : undefined;
      if (got) last = got;
    }
    setReceiving(null);
    await reload();
    if (last) setSelected(last.id);
  };
  const decide = async (accept: boolean) => {
    if (!item) return;
    const r = accept ? await call(api.inbox.accept({ id: item.id }), setError) : await call(api.inbox.reject({ id: item.id, reason: reason.trim() }), setError);
    if (r) {
      notify(accept ? t('acceptedAs', { n: r.incomingNumber ?? '—' }) : t('returnedNotice'));
      await reload();
    }
  };

  return (
    <section className="screen" data-testid="screen-inbox">
      <header className="screen-head">
        <div>
          <h1>{t('navInbox')}</h1>
          <p className="screen-sub">{t('inboxSub')}</p>
        </div>
        <label className="search">
          <Icon name="search" />
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t('inboxSearch')} aria-label={t('inboxSearch')} data-testid="inbox-search" />
        </label>
        <SyncButton
          onError={setError}
          onSynced={(r) => {
            setReport(r);
            void reload();
          }}
        />
        <FileChooser
          kind="pdf"
          accept="application/pdf,.pdf"
          multiple
          testId="inbox-file"
          disabled={receiving !== null}
          className={`button primary ${receiving ? 'disabled' : ''}`}
          onError={setError}
          onChoose={(chosen) => void receive(chosen)}
        >
          <Icon name="upload" /> {t('importIncoming')}
        </FileChooser>
      </header>
      <ErrorBox error={error} onClose={() => setError(null)} />
      <SyncReportView report={report} />
      {receiving && <Busy text={t('receiving', { name: receiving })} />}
      <div className="split">
        <div className="left-col">
          <div className="card-plain table-wrap">
            <table className="table list">
              <thead>
                <tr>
                  <th>{t('received')}</th>
                  <th>{t('document')}</th>
                  <th>{t('signaturesCol')}</th>
                  <th>{t('status')}</th>
                  <th className="num">{t('incomingNumber')}</th>
                </tr>
              </thead>
              <tbody>
                {items.length === 0 && (
                  <tr>
                    <td colSpan={5} className="empty">
                      {t('inboxEmpty')}
                    </td>
                  </tr>
                )}
                {items.map((x) => (
                  <tr key={x.id} className={`${x.id === selected ? 'selected' : ''} row-${COLOUR[x.verdict.indication]}`} onClick={() => setSelected(x.id)} data-testid="inbox-item" data-indication={x.verdict.indication}>
                    <td className="nowrap">{vnDateTime(x.receivedAt)}</td>
                    <td className="wrap-anywhere">
                      {x.urgency !== 'normal' && <span className="stamp">{t(`urg_${x.urgency}`)}</span>} {x.title}
                      {(x.sender || x.number) && (
                        <div className="small muted" data-testid="inbox-sender">
                          {x.number && <strong className="ink" data-testid="inbox-number">{x.number}</strong>}
                          {x.number && x.sender ? ' · ' : ''}
                          {x.sender}
                        </div>
                      )}
                      {x.title !== x.fileName.replace(/\.pdf$/i, '') && (
                        <div className="small muted wrap-anywhere" data-testid="inbox-file-name">
                          {x.fileName}
                        </div>
                      )}
                    </td>
                    <td className="nowrap">
                      <IndicationBadge indication={x.verdict.indication} /> <SignatureDots verdict={x.verdict} />
                    </td>
                    <td className="nowrap">
                      <span className={`badge in-${x.status}`}>{t(`in_${x.status}`)}</span>
                    </td>
                    <td className="num">{x.incomingNumber ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {item && preview && (
            <div className="preview" data-testid="inbox-preview">
              <PdfPage doc={preview} page={1} width={440} />
            </div>
          )}
        </div>
        {item && (
          <div className="detail card-plain" data-testid="inbox-detail">
            <h2 className="wrap-anywhere">{item.title}</h2>
            <dl className="facts" data-testid="inbox-facts">
              <dt>{t('sender')}</dt>
              <dd>
                {item.sender ?? '—'}
                {item.organId ? ` (${item.organId})` : ''}
              </dd>
              {item.exchange && (
                <>
                  <dt>{t('envelopeSignature')}</dt>
                  <dd data-testid="inbox-envelope">
                    {t(`env_${item.exchange.envelopeSignature.status}` as Parameters<typeof t>[0])}
                    {item.exchange.envelopeSignature.signer ? ` · ${item.exchange.envelopeSignature.signer}` : ''}
                    {item.exchange.envelopeSignature.reason ? ` · ${item.exchange.envelopeSignature.reason}` : ''}
                  </dd>
                </>
              )}
              {item.exchange?.frozen && (
                <>
                  <dt>⚠</dt>
                  <dd className="recall-note" data-testid="inbox-frozen">
                    {t(`frozen_${item.exchange.frozen}` as Parameters<typeof t>[0])}
                    {item.exchange.frozenReason ? `: ${item.exchange.frozenReason}` : ''}
                  </dd>
                </>
              )}
              {item.number && (
                <>
                  <dt>{t('number')}</dt>
                  <dd data-testid="inbox-fact-number">{item.number}</dd>
                </>
              )}
              {item.docType && (
                <>
                  <dt>{t('fieldType')}</dt>
                  <dd data-testid="inbox-fact-type">{item.docType}</dd>
                </>
              )}
              {item.issueDate && (
                <>
                  <dt>{t('fieldIssueDate')}</dt>
                  <dd data-testid="inbox-fact-date">{vnDate(item.issueDate)}</dd>
                </>
              )}
              <dt>{t('signersCol')}</dt>
              <dd>{item.signers.length ? item.signers.join(', ') : '—'}</dd>
              <dt>{t('fileCol')}</dt>
              <dd className="wrap-anywhere">{item.fileName}</dd>
              <dt>{t('received')}</dt>
              <dd>
                {vnDateTime(item.receivedAt)} · {t('checkedOn', { time: vnDateTime(item.verdict.verifiedAt) })}
              </dd>
            </dl>
            {item.secrecy !== 'none' && (
              <p className="callout red" data-testid="inbox-secrecy">
                <Icon name="warning" /> {t('secrecySeen', { mark: t(`secrecy_${item.secrecy}`) })}
              </p>
            )}
            <VerdictView verdict={item.verdict} between={<Decision item={item} reason={reason} setReason={setReason} decide={decide} />} />
            <ProgressActions
              item={item}
              onError={setError}
              onDone={() => void reload()}
            />
            <div className="row actions-row">
              <button onClick={() => saveStored(item.sha256, item.fileName)}>
                <Icon name="download" /> {t('downloadFile')}
              </button>
            </div>
            {item.status !== 'rejected' && (
              <IncomingFields key={`${item.id}:${item.title}:${item.number}:${item.issueDate}:${item.sender}:${item.docType}`} item={item} onChanged={() => void reload()} onError={setError} />
            )}
            <IncomingStamp key={item.id} item={item} onChanged={() => void reload()} onError={setError} />
            {item.status === 'accepted' && <ArchiveForm source="incoming" sourceId={item.id} onDone={() => notify(t('archived'))} onError={setError} />}
          </div>
        )}
      </div>
    </section>
  );
}
