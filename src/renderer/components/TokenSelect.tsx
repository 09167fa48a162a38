// Which token signs a step. Kyso remembers the token last used for each step on this machine (the
// drafter's, the leader's, the clerk's organisation token), so a desk with several tokens plugged
// in does not ask every time.
import { useCallback, useState } from 'react';
import type { Role, Token, TokenList } from '../../shared/contract.js';
import { useT } from '../i18n.js';
import { vnDateTime } from '../util.js';

const KEY = 'kyso.tokenForStep';

function load(): Partial<Record<Role, string>> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Record<Role, string>>;
  } catch {
    return {};
  }
}

/**
 * A token holding an organisation's certificate: its holder (CN) is the organisation itself (O),
 * as Vietnamese CAs issue them to agencies. Used only to preselect the clerk's token for an
 * organisation step nobody has chosen a token for yet; a personal certificate never matches.
 */
export function holdsOrganisationCertificate(t: Token): boolean {
  const c = t.certificates.find((x) => !x.isCa && x.hasPrivateKey !== false);
  if (!c) return false;
  const o = /(?:^|, )O=(.*?)(?=, [A-Za-z][A-Za-z0-9.]*=|$)/.exec(c.subject)?.[1];
  const same = (x: string) => x.normalize('NFC').trim().toLocaleLowerCase('vi');
  return o !== undefined && same(o) === same(c.commonName);
}

export function useTokenChoice(tokens: Token[]): { labelFor: (role: Role | null) => string; choose: (role: Role, label: string) => void } {
  const [chosen, setChosen] = useState(load);
  const labelFor = useCallback(
    (role: Role | null) => {
      // A chosen token that was pulled out stays chosen (and signing waits for it): falling back to
      // another token would let one person's step be signed with someone else's key.
      const want = role ? chosen[role] : undefined;
      const organisation = role === 'org' ? tokens.find(holdsOrganisationCertificate)?.label : undefined;
      return want ?? organisation ?? tokens[0]?.label ?? '';
    },
    [chosen, tokens],
  );
  const choose = useCallback((role: Role, label: string) => {
    setChosen((c) => {
      const next = { ...c, [role]: label };
      localStorage.setItem(KEY, JSON.stringify(next));
      return next;
    });
  }, []);
  return { labelFor, choose };
}

export function TokenSelect({ tokens, value, onChange, testId = 'token-select' }: { tokens: TokenList | null; value: string; onChange: (label: string) => void; testId?: string }) {
  const { t } = useT();
  const list = tokens?.tokens ?? [];
  const cert = list.find((x) => x.label === value)?.certificates.find((c) => !c.isCa && c.hasPrivateKey !== false);
  const missing = value !== '' && tokens !== null && !list.some((x) => x.label === value);
  return (
    <label>
      {t('token')}
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} disabled={list.length === 0 && !missing}>
        {list.length === 0 && !missing && <option value="">{t('noToken')}</option>}
        {missing && <option value={value}>{t('tokenMissingOption', { label: value })}</option>}
        {list.map((x) => (
          <option key={`${x.slotId}-${x.serial}`} value={x.label}>
            {x.label}
          </option>
        ))}
      </select>
      {missing && (
        <span className="small warn-text token-cert" data-testid="token-missing">
          {t('tokenMissing', { label: value })}
        </span>
      )}
      {cert && (
        <span className="muted small token-cert">
          {cert.commonName} · {t('validUntil')} {vnDateTime(cert.notAfter, false)}
        </span>
      )}
    </label>
  );
}
