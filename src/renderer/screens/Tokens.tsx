// Chứng thư số và token: the tokens plugged in (the list follows plugging and pulling without a
// restart), their certificates with expiry, warned 30 days ahead, and the state of each PIN.
import type { Certificate, Token } from '../../shared/contract.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { TOKEN_POLL_MS, useShared } from '../state.js';
import { daysUntil, vnDateTime, vnTime } from '../util.js';

export const EXPIRY_WARNING_DAYS = 30;

export type ExpiryState = 'expired' | 'soon' | 'valid' | 'not-yet';

export function expiryState(cert: Pick<Certificate, 'notBefore' | 'notAfter'>, now = Date.now()): { state: ExpiryState; days: number } {
  const days = daysUntil(cert.notAfter, now);
  if (new Date(cert.notAfter).getTime() < now) return { state: 'expired', days };
  if (new Date(cert.notBefore).getTime() > now) return { state: 'not-yet', days };
  return { state: days <= EXPIRY_WARNING_DAYS ? 'soon' : 'valid', days };
}

function Expiry({ cert }: { cert: Certificate }) {
  const { t } = useT();
  const { state, days } = expiryState(cert);
  if (state === 'expired') return <span className="badge red" data-testid="expiry" data-state={state}>{t('expired')}</span>;
  if (state === 'not-yet') return <span className="badge amber" data-testid="expiry" data-state={state}>{t('notYetValid')}</span>;
  if (state === 'soon') return <span className="badge amber" data-testid="expiry" data-state={state}>{t('expiresSoon', { n: days })}</span>;
  return <span className="badge green" data-testid="expiry" data-state={state}>{t('valid')}</span>;
}

function PinState({ token }: { token: Token }) {
  const { t } = useT();
  if (token.flags.userPinLocked) return <span className="badge red">{t('pinLocked')}</span>;
  if (token.flags.userPinFinalTry) return <span className="badge red">{t('pinFinalTryShort')}</span>;
  if (token.pin.wrongSinceLogin > 0 || token.flags.userPinCountLow)
    return <span className="badge amber">{token.pin.triesLeft !== null ? t('pinTriesLeftShort', { n: token.pin.triesLeft }) : t('pinWrongShort')}</span>;
  return <span className="badge green">{t('pinOkState')}</span>;
}

export function TokensScreen() {
  const { t } = useT();
  const { tokens, refreshTokens } = useShared();
  const personal = (tk: Token) => tk.certificates.filter((c) => !c.isCa);
  const warnings = (tokens?.tokens ?? []).flatMap((tk) => personal(tk).filter((c) => expiryState(c).state !== 'valid').map((c) => ({ tk, c })));
  return (
    <section className="screen" data-testid="screen-tokens">
      <header className="screen-head">
        <div>
          <h1>{t('navTokens')}</h1>
          <p className="screen-sub">
            {tokens ? t('tokensSub', { n: tokens.tokens.length, time: vnTime(tokens.checkedAt), s: TOKEN_POLL_MS / 1000 }) : t('loading')}
          </p>
        </div>
        <button onClick={() => void refreshTokens(true)} data-testid="rescan">
          <Icon name="refresh" /> {t('rescan')}
        </button>
      </header>
      {tokens && (
        <p className="muted small driver-line">
          {t('driver')}: <code>{tokens.module ?? '—'}</code>
        </p>
      )}
      {tokens?.error && <ErrorBox error={tokens.error} />}
      {warnings.length > 0 && (
        <div className="callout amber" data-testid="expiry-warnings">
          <Icon name="warning" />
          <div>
            {warnings.map(({ tk, c }) => {
              const { state, days } = expiryState(c);
              return (
                <div key={tk.serial + c.serialNumber}>
                  <strong>{c.commonName}</strong> ({tk.label}): {state === 'expired' ? t('certExpiredOn', { date: vnDateTime(c.notAfter, false) }) : state === 'soon' ? t('expiresSoon', { n: days }) : t('notYetValid')}
                </div>
              );
            })}
            <div className="small">{t('renewHint')}</div>
          </div>
        </div>
      )}
      {tokens && tokens.tokens.length === 0 && !tokens.error && (
        <div className="viewer-empty">
          <Icon name="token" size={40} />
          <p>{t('noTokenLong')}</p>
        </div>
      )}
      <div className="cards">
        {tokens?.tokens.map((tk) => (
          <article className="card token" key={`${tk.slotId}-${tk.serial}`} data-testid="token-card" data-label={tk.label}>
            <header className="card-head">
              <h2>
                <Icon name="token" /> {tk.label}
              </h2>
              <PinState token={tk} />
            </header>
            <p className="muted small">
              {tk.manufacturer} · {tk.model} · {t('serial')} {tk.serial}
            </p>
            {tk.readError && <p className="callout amber small">{tk.readError}</p>}
            <table className="table certs">
              <tbody>
                {personal(tk).length === 0 && (
                  <tr>
                    <td className="muted">{t('noPersonalCert')}</td>
                  </tr>
                )}
                {personal(tk).map((c) => (
                  <tr key={c.id + c.serialNumber}>
                    <td>
                      <strong>{c.commonName}</strong>
                      <div className="muted small">{t('issuedBy', { ca: /CN=([^,]+)/.exec(c.issuer)?.[1] ?? c.issuer })}</div>
                      {c.hasPrivateKey === false && <div className="small warn-text">{t('noPrivateKey')}</div>}
                    </td>
                    <td className="nowrap small">
                      {t('validUntil')}
                      <br />
                      {vnDateTime(c.notAfter, false)}
                    </td>
                    <td className="nowrap">
                      <Expiry cert={c} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {tk.certificates.some((c) => c.isCa) && (
              <p className="muted small chain-line">
                {t('chainOnToken')}:{' '}
                {tk.certificates
                  .filter((c) => c.isCa)
                  .map((c) => `${c.commonName} (${t('validUntil').toLowerCase()} ${vnDateTime(c.notAfter, false)})`)
                  .join('; ')}
              </p>
            )}
          </article>
        ))}
      </div>
    </section>
  );
}
