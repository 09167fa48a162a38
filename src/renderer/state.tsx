// What several screens share: the token list (polled every few seconds, so plugging or pulling a
// token shows without a restart), the settings, and a notice line for what just happened.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Result, Settings, TokenList } from '../shared/contract.js';
import type { ErrorPayload } from '../shared/errors.js';
import { api } from './api.js';

export const TOKEN_POLL_MS = 3000;

export type Tone = 'ok' | 'info' | 'warn';
export interface Notice {
  text: string;
  tone: Tone;
}

interface Shared {
  tokens: TokenList | null;
  refreshTokens: (rescan?: boolean) => Promise<void>;
  settings: Settings | null;
  setSettings: (s: Settings) => void;
  notice: Notice | null;
  notify: (text: string | null, tone?: Tone) => void;
}

const SharedContext = createContext<Shared | null>(null);

export function useShared(): Shared {
  const s = useContext(SharedContext);
  if (!s) throw new Error('SharedProvider missing');
  return s;
}

export function SharedProvider({ children, tokenNotice }: { children: ReactNode; tokenNotice: (added: string[], removed: string[]) => string }) {
  const [tokens, setTokens] = useState<TokenList | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const known = useRef<Set<string> | null>(null);
  const noticeRef = useRef(tokenNotice);
  noticeRef.current = tokenNotice;
  const notify = useCallback((text: string | null, tone: Tone = 'ok') => setNotice(text ? { text, tone } : null), []);

  const refreshTokens = useCallback(async (rescan = false) => {
    const r = await api.tokens.list({ rescan });
    if (!r.ok) return;
    setTokens(r.value);
    const now = new Set(r.value.tokens.map((t) => t.label));
    if (known.current) {
      const added = [...now].filter((l) => !known.current!.has(l));
      const removed = [...known.current].filter((l) => !now.has(l));
      if (added.length || removed.length) setNotice({ text: noticeRef.current(added, removed), tone: removed.length ? 'warn' : 'info' });
    }
    known.current = now;
  }, []);

  useEffect(() => {
    void refreshTokens();
    const timer = setInterval(() => void refreshTokens(), TOKEN_POLL_MS);
    return () => clearInterval(timer);
  }, [refreshTokens]);

  useEffect(() => {
    void api.settings.get({}).then((r) => r.ok && setSettings(r.value));
  }, []);

  return <SharedContext.Provider value={{ tokens, refreshTokens, settings, setSettings, notice, notify }}>{children}</SharedContext.Provider>;
}

/** Runs a call and hands its error to `onError`; the value, or undefined when it failed. */
export async function call<T>(p: Promise<Result<T>>, onError: (e: ErrorPayload | null) => void): Promise<T | undefined> {
  const r = await p;
  if (r.ok) {
    onError(null);
    return r.value;
  }
  onError(r.error);
  return undefined;
}
