// The signing steps of a document's method (QN Đ14.2), each done, next or waiting, with who signed
// and when.
import type { DocumentSummary, Role } from '../../shared/contract.js';
import { useT } from '../i18n.js';
import { Icon } from '../icons.js';
import { vnDateTime } from '../util.js';

export const STEPS: Record<1 | 2 | 3, Role[]> = { 1: ['org'], 2: ['leader', 'org'], 3: ['drafter', 'leader', 'org'] };

export function Stepper({ doc }: { doc: DocumentSummary }) {
  const { t } = useT();
  return (
    <ol className="stepper" data-testid="stepper">
      {STEPS[doc.method].map((role, i) => {
        const signed = doc.signatures[i];
        const state = signed ? 'done' : doc.nextRole === role && i === doc.signatures.length ? 'current' : 'waiting';
        return (
          <li key={role} className={`step ${state}`} data-role={role} data-state={state}>
            <span className="step-mark">{signed ? <Icon name="check" size={14} /> : i + 1}</span>
            <span className="step-text">
              <span className="step-name">{t(`step_${role}`)}</span>
              {signed && (
                <span className="step-who">
                  {signed.signer} · {vnDateTime(signed.at)}
                </span>
              )}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
