// A file's verification, per signature: green (valid), amber (indeterminate) or red (invalid),
// with the reason in the report's own sentence and the facts a verifier must show (TT 15/2025):
// signer, issuer, signing time and its source, certificate validity, integrity, changes after.
import type { ReactNode } from 'react';
import type { FileVerdict, Indication, SignatureVerdict } from '../../shared/contract.js';
import { useT } from '../i18n.js';
import { Icon, type IconName } from '../icons.js';
import { vnDateTime } from '../util.js';

export const COLOUR: Record<Indication, 'green' | 'amber' | 'red'> = { TOTAL_PASSED: 'green', INDETERMINATE: 'amber', TOTAL_FAILED: 'red' };
const ICON: Record<Indication, IconName> = { TOTAL_PASSED: 'check', INDETERMINATE: 'warning', TOTAL_FAILED: 'cross' };

export function IndicationBadge({ indication }: { indication: Indication }) {
  const { t } = useT();
  return (
    <span className={`badge ${COLOUR[indication]}`}>
      <Icon name={ICON[indication]} size={12} /> {t(`ind_${indication}`)}
    </span>
  );
}

/** One coloured dot per signature, in order. */
export function SignatureDots({ verdict }: { verdict: FileVerdict }) {
  return (
    <span className="dots" aria-hidden="true">
      {verdict.signatures.map((s) => (
        <span key={s.index} className={`dot ${COLOUR[s.indication]}`} />
      ))}
    </span>
  );
}

function SignatureItem({ s }: { s: SignatureVerdict }) {
  const { t, lang } = useT();
  return (
    <li className={`signature ${COLOUR[s.indication]}`} data-testid="signature" data-indication={s.indication}>
      <div className="signature-head">
        <IndicationBadge indication={s.indication} />
        {s.kind === 'document-timestamp' && <span className="muted">{t('documentTimestamp')}: </span>}
        <strong>{s.signer?.commonName ?? t('unknownSigner')}</strong>
        {s.signer?.organization && s.signer.organization !== s.signer.commonName && <span className="muted"> — {s.signer.organization}</span>}
      </div>
      <p className="signature-message">{s.messages[lang]}</p>
      <dl className="facts">
        <dt>{t('signedAt')}</dt>
        <dd>
          {vnDateTime(s.signedAt)} {s.signedAtSource && <span className="muted">({t(`timeSource_${s.signedAtSource}` as 'timeSource_claimed')})</span>}
        </dd>
        <dt>{t('issuer')}</dt>
        <dd title={s.signer?.issuer}>{s.signer ? (/CN=([^,]+)/.exec(s.signer.issuer)?.[1] ?? s.signer.issuer) : '—'}</dd>
        <dt>{t('certValidity')}</dt>
        <dd>
          {vnDateTime(s.signer?.notBefore, false)} – {vnDateTime(s.signer?.notAfter, false)}
        </dd>
      </dl>
    </li>
  );
}

/** The file's bottom line: every signature valid, or how many are not. */
export function VerdictSummary({ verdict }: { verdict: FileVerdict }) {
  const { t, lang } = useT();
  const counts = { green: 0, amber: 0, red: 0 };
  for (const s of verdict.signatures) counts[COLOUR[s.indication]]++;
  const n = verdict.signatures.length;
  const countsText = () =>
    counts.green === n
      ? t('sigAllValid', { n })
      : t('sigSome', {
          n,
          list: [counts.green && t('sigValid', { n: counts.green }), counts.amber && t('sigAmber', { n: counts.amber }), counts.red && t('sigRed', { n: counts.red })].filter(Boolean).join(', '),
        });
  return (
    <div className={`verdict-summary ${COLOUR[verdict.indication]}`} data-testid="verdict-summary">
      <Icon name={ICON[verdict.indication]} size={20} />
      <div>
        <strong>{t(`file_${verdict.indication}`)}</strong>
        <span className="small">{verdict.signatures.length ? countsText() : verdict.messages[lang]}</span>
      </div>
    </div>
  );
}

export function SignatureList({ verdict }: { verdict: FileVerdict }) {
  return (
    <ol className="signature-list">
      {verdict.signatures.map((s) => (
        <SignatureItem key={s.index} s={s} />
      ))}
    </ol>
  );
}

/** Summary and signatures; `between` goes between them (the inbox puts its decision there). */
export function VerdictView({ verdict, between }: { verdict: FileVerdict; between?: ReactNode }) {
  return (
    <div className="verdict" data-testid="verdict" data-indication={verdict.indication}>
      <VerdictSummary verdict={verdict} />
      {between}
      <SignatureList verdict={verdict} />
    </div>
  );
}
