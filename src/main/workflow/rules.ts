// The rules of the three signing methods (QN Đ14.2) as pure functions: who signs next, what state
// a document is in after each signature, what a step needs before it may run, and when an issued
// document must be sent at the latest (QN Đ7; NĐ30 Đ18).
import type { DocState, SecrecyValue, UrgencyValue } from '../store/documents.js';

export type Method = 1 | 2 | 3;
export type StepRole = 'drafter' | 'leader' | 'org';

/** 1: organisation only (a scanned, hand-signed original); 2: leader, organisation; 3: drafter, leader, organisation. */
export const METHOD_STEPS: Record<Method, readonly StepRole[]> = {
  1: ['org'],
  2: ['leader', 'org'],
  3: ['drafter', 'leader', 'org'],
};

export const STATE_AFTER: Record<StepRole, DocState> = { drafter: 'initialled', leader: 'approved', org: 'issued' };

export const URGENCY_RANK: Record<UrgencyValue, number> = { flash: 0, 'very-urgent': 1, urgent: 2, normal: 3 };

/** Words used in messages and the audit log. */
export const ROLE_NAMES: Record<StepRole, { vi: string; en: string }> = {
  drafter: { vi: 'chuyên viên (ký nháy)', en: 'drafter (initials)' },
  leader: { vi: 'người có thẩm quyền', en: 'competent person (leader)' },
  org: { vi: 'cơ quan, tổ chức (văn thư ký phát hành)', en: 'organisation (issued by the clerk)' },
};

export const SECRECY_MARKS: Record<Exclude<SecrecyValue, 'none'>, string> = { mat: 'MẬT', 'toi-mat': 'TỐI MẬT', 'tuyet-mat': 'TUYỆT MẬT' };

export function isMethod(v: unknown): v is Method {
  return v === 1 || v === 2 || v === 3;
}

/** The role whose signature the document waits for, given how many it has in this round; null once issued. */
export function nextRole(method: Method, signedInRound: number): StepRole | null {
  return METHOD_STEPS[method][signedInRound] ?? null;
}

/** The roles that must have signed (and still verify) before `role` may sign. */
export function requiredBefore(method: Method, role: StepRole): StepRole[] {
  const steps = METHOD_STEPS[method];
  const i = steps.indexOf(role);
  return i < 0 ? [] : steps.slice(0, i);
}

/** Whether the leader may send the draft back: before the leader signed, in methods 2 and 3. */
export function canReturn(method: Method, state: DocState): boolean {
  return method !== 1 && (state === 'draft' || state === 'initialled' || state === 'returned');
}

// ---------------------------------------------------------------------------------------------
// Time: Vietnam (UTC+07:00, no daylight saving)

const VN = 7 * 3600_000;

/** The wall-clock parts in Vietnam at instant d (read with getUTC*). */
export function vnClock(d: Date): Date {
  return new Date(d.getTime() + VN);
}

/** The instant of a Vietnam wall-clock time. */
export function fromVn(year: number, month0: number, day: number, hour = 0, minute = 0): Date {
  return new Date(Date.UTC(year, month0, day, hour, minute) - VN);
}

export interface SendRules {
  /** Urgent documents are sent at once: within this many minutes (QN Đ7.2). */
  urgentMinutes: number;
  /** The latest hour of the next working morning, Vietnam time. */
  morningEndsHour: number;
  /** Days off besides Saturday and Sunday, YYYY-MM-DD (Tết, national holidays): configured, not guessed. */
  holidays: readonly string[];
}

export const DEFAULT_SEND_RULES: SendRules = { urgentMinutes: 60, morningEndsHour: 12, holidays: [] };

function isWorkingDay(d: Date, rules: SendRules): boolean {
  const dow = d.getUTCDay();
  if (dow === 0 || dow === 6) return false;
  return !rules.holidays.includes(d.toISOString().slice(0, 10));
}

/**
 * When an issued document must be sent at the latest: urgent ones at once; others on the signing
 * day, at the latest the next working morning (QN Đ7.1; NĐ30 Đ18).
 */
export function sendDeadline(issuedAt: Date, urgency: UrgencyValue, rules: SendRules = DEFAULT_SEND_RULES): Date {
  if (urgency !== 'normal') return new Date(issuedAt.getTime() + rules.urgentMinutes * 60_000);
  const local = vnClock(issuedAt);
  // Walk the Vietnam calendar from the day after issue to the next working day.
  const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1));
  while (!isWorkingDay(day, rules)) day.setUTCDate(day.getUTCDate() + 1);
  return fromVn(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), rules.morningEndsHour);
}

export type SendWarning = 'send-now' | 'not-sent-same-day' | 'late';

/**
 * What the outbox warns about an unsent document at `now`: urgent ones must go at once; others
 * should have left on the signing day; after the deadline the document is late.
 */
export function sendWarning(issuedAt: Date, urgency: UrgencyValue, now: Date, rules: SendRules = DEFAULT_SEND_RULES): SendWarning | null {
  const deadline = sendDeadline(issuedAt, urgency, rules);
  if (now > deadline) return 'late';
  if (urgency !== 'normal') return 'send-now';
  const issuedDay = vnClock(issuedAt).toISOString().slice(0, 10);
  const today = vnClock(now).toISOString().slice(0, 10);
  return today > issuedDay ? 'not-sent-same-day' : null;
}
