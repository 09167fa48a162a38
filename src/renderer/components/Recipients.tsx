// Nơi nhận of an outgoing document, one line each: the agency, its last status (01 arrived, 02
// refused with the reason, 03 registered, 04–06 processing, 15/16 recall answers) with its time and
// description, and the statuses before it.
import type { OutboxItem } from '../../shared/contract.js';
import { useXT, type XKey } from '../i18n-exchange.js';
import type { TextKey } from '../i18n.js';
import { vnDateTime } from '../util.js';

type Recipient = OutboxItem['recipients'][number];

const ST_KEYS = new Set(['01', '02', '03', '04', '05', '06', '13', '15', '16']);

/** A recipient that has not processed the document yet: a withdrawal (13) can still reach it. */
export const WITHDRAWABLE = new Set(['pending', 'sent', 'received']);
/** Statuses of a withdrawal, said in words whatever code came last (the 01 before the 13 stays the last code while asked). */
const WITHDRAWAL = new Set(['withdraw-requested', 'withdrawn']);

function tone(r: Recipient): string {
  if (r.status === 'withdraw-requested') return 'amber';
  if (r.status === 'withdrawn') return 'gray';
  if (r.statusCode === '02' || r.statusCode === '16' || r.status === 'rejected') return 'red';
  if (r.statusCode && ['03', '04', '05', '06', '15'].includes(r.statusCode)) return 'green';
  if (r.statusCode === '01' || r.status === 'sent') return 'blue';
  return 'amber';
}

/** The engine writes its own descriptions "Vietnamese | English": the reader's half. A recipient's own text is shown as it came. */
function inLanguage(s: string, lang: 'vi' | 'en'): string {
  const parts = s.split(' | ');
  return parts.length === 2 ? parts[lang === 'vi' ? 0 : 1]! : s;
}

export function Recipients({ item, onWithdraw }: { item: OutboxItem; onWithdraw?: (organId: string) => void }) {
  const { t, x, lang } = useXT();
  if (item.recipients.length === 0) return null;
  // Recipients named by hand (the document goes by other means): their names, as written.
  if (!item.recipients.some((r) => r.organId))
    return (
      <div className="small muted" data-testid="recipients-named">
        {t('recipientsAre', { list: item.recipients.map((r) => r.name).join(', ') })}
      </div>
    );
  const code = (c: string) => (ST_KEYS.has(c) ? `${c} ${t(`st_${c}` as TextKey)}` : c);
  const statusWord = (s: string) => (['pending', 'sent', 'received', 'accepted', 'rejected', 'recalled', 'withdraw-requested', 'withdrawn'].includes(s) ? x(`rs_${s}` as XKey) : s);
  const badge = (r: Recipient) => (WITHDRAWAL.has(r.status) ? (r.statusCode === '15' ? `15 ${statusWord(r.status)}` : statusWord(r.status)) : r.statusCode ? code(r.statusCode) : statusWord(r.status));
  return (
    <ul className="recipients" data-testid="recipients" aria-label={x('recipientsTitle')}>
      {item.recipients.map((r) => (
        <li key={r.organId ?? r.name} className={`tone-${tone(r)}`} data-testid="recipient" data-organ-id={r.organId ?? ''} data-status={r.status} data-code={r.statusCode ?? ''}>
          <div className="recipient-line">
            <span className="recipient-name">
              {r.name}
              {r.organId && <span className="muted mono small"> · {r.organId}</span>}
            </span>
            <span className={`badge ${tone(r)}`} data-testid="recipient-status">
              {badge(r)}
            </span>
            {r.at && <span className="muted small nowrap">{vnDateTime(r.at)}</span>}
            {onWithdraw && r.organId && item.status !== 'recalled' && WITHDRAWABLE.has(r.status) && (
              <button className="withdraw danger-text" onClick={() => onWithdraw(r.organId!)} data-testid="withdraw-open">
                {x('withdraw')}
              </button>
            )}
          </div>
          {r.description && (
            <div className={`small ${r.statusCode === '02' || r.statusCode === '16' ? 'recall-note' : 'muted'}`} data-testid="recipient-description">
              {inLanguage(r.description, lang)}
            </div>
          )}
          {r.history && r.history.length > 1 && (
            <div className="small muted recipient-history" data-testid="recipient-history">
              {x('historyTitle')}: {r.history.map((h) => `${h.statusCode} ${vnDateTime(h.at).slice(-5)}`).join(' → ')}
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
