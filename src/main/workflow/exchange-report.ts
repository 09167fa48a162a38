// The exchange report (QN Đ11): over a period, the documents sent and received electronically by
// type and by counterpart, the paper copies still sent and why (QN Đ8.2), late sending against
// the same-day rule (QN Đ7), rejections with their reasons, and recalls; from the database.
import { KysoError } from '../../shared/errors.js';
import { parseIssueDate } from '../appearance/time.js';
import { prep } from '../store/sql.js';
import { vietnamDayBounds } from '../store/fold.js';
import type { DeskContext } from './context.js';
import { dmy } from './registers.js';

export interface Count {
  label: string;
  count: number;
}

export interface ExchangeReport {
  from: string;
  to: string;
  sent: { total: number; byType: Count[]; byCounterpart: Count[] };
  received: { total: number; byType: Count[]; bySender: Count[] };
  /** Sent and received per month, for the chart. */
  months: Array<{ month: string; sent: number; received: number }>;
  paperCopies: Array<{ number: string; title: string; recipients: string; why: string }>;
  late: Array<{ number: string; title: string; issuedAt: string; sendBy: string; sentAt: string | null; urgency: string }>;
  rejections: Array<{ direction: 'incoming' | 'outgoing'; number: string; title: string; counterpart: string; at: string; reason: string }>;
  recalls: Array<{ number: string; title: string; at: string; reason: string }>;
}

function counts(rows: Array<{ label: string | null }>, none: string): Count[] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(r.label || none, (m.get(r.label || none) ?? 0) + 1);
  return [...m].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'vi'));
}

const URGENCY_VI: Record<string, string> = { normal: 'Thường', urgent: 'Khẩn', 'very-urgent': 'Thượng khẩn', flash: 'Hỏa tốc' };

export function exchangeReport(ctx: DeskContext, fromDay: string, toDay: string): ExchangeReport {
  let from: string;
  let to: string;
  try {
    from = parseIssueDate(fromDay).iso;
    to = parseIssueDate(toDay).iso;
  } catch {
    throw new KysoError('REPORT_PERIOD_INVALID', { reason: `${fromDay} … ${toDay}` });
  }
  if (from > to) throw new KysoError('REPORT_PERIOD_INVALID', { reason: `${from} > ${to}` });
  const start = vietnamDayBounds(from)[0];
  const end = vietnamDayBounds(to)[1];
  const db = ctx.store.db;
  const sent = prep(
    db,
    `SELECT d.id, d.doc_type, d.number_symbol, d.title, o.sent_at FROM outbox_items o JOIN documents d ON d.id = o.document_id
     WHERE o.sent_at IS NOT NULL AND o.sent_at >= ? AND o.sent_at < ?`,
  ).all(start, end) as Array<{ id: number; doc_type: string | null; number_symbol: string; title: string; sent_at: string }>;
  const sentTo = prep(
    db,
    `SELECT r.name AS label FROM outbox_recipients r JOIN outbox_items o ON o.document_id = r.document_id
     WHERE o.sent_at IS NOT NULL AND o.sent_at >= ? AND o.sent_at < ?`,
  ).all(start, end) as Array<{ label: string }>;
  const received = prep(db, 'SELECT doc_type, sender, received_at FROM inbox_items WHERE received_at >= ? AND received_at < ?').all(start, end) as Array<{
    doc_type: string | null;
    sender: string | null;
    received_at: string;
  }>;
  const monthKey = (iso: string): string => dmy(iso).slice(3);
  const months = new Map<string, { sent: number; received: number }>();
  for (const s of sent) {
    const k = monthKey(s.sent_at);
    months.set(k, { sent: (months.get(k)?.sent ?? 0) + 1, received: months.get(k)?.received ?? 0 });
  }
  for (const r of received) {
    const k = monthKey(r.received_at);
    months.set(k, { sent: months.get(k)?.sent ?? 0, received: (months.get(k)?.received ?? 0) + 1 });
  }
  const order = (k: string): string => `${k.slice(3)}-${k.slice(0, 2)}`;
  const paper = prep(
    db,
    `SELECT d.number_symbol, d.title, COALESCE((SELECT group_concat(name, '; ') FROM outbox_recipients WHERE document_id = d.id), '') AS recipients
     FROM documents d WHERE d.paper_copy_required = 1 AND d.issued_at >= ? AND d.issued_at < ?`,
  ).all(start, end) as Array<{ number_symbol: string; title: string; recipients: string }>;
  const paperOnly = prep(db, 'SELECT number_symbol, title, recipients, note FROM paper_documents WHERE issue_date >= ? AND issue_date <= ?').all(from, to) as Array<{
    number_symbol: string;
    title: string;
    recipients: string;
    note: string | null;
  }>;
  const late = prep(
    db,
    `SELECT d.number_symbol, d.title, d.issued_at, o.send_by, o.sent_at, d.urgency FROM outbox_items o JOIN documents d ON d.id = o.document_id
     WHERE d.issued_at >= ? AND d.issued_at < ? AND ((o.sent_at IS NOT NULL AND o.sent_at > o.send_by) OR (o.sent_at IS NULL AND o.status = 'waiting' AND o.send_by < ?))
     ORDER BY d.issued_at`,
  ).all(start, end, ctx.now().toISOString()) as Array<{ number_symbol: string; title: string; issued_at: string; send_by: string; sent_at: string | null; urgency: string }>;
  const rejectedIn = prep(db, "SELECT number_symbol, title, sender, decided_at, reason FROM inbox_items WHERE status = 'rejected' AND decided_at >= ? AND decided_at < ? ORDER BY decided_at").all(start, end) as Array<{
    number_symbol: string | null;
    title: string;
    sender: string | null;
    decided_at: string;
    reason: string;
  }>;
  const rejectedOut = prep(
    db,
    `SELECT d.number_symbol, d.title, r.name, r.updated_at, COALESCE(r.note, '') AS note FROM outbox_recipients r JOIN documents d ON d.id = r.document_id
     WHERE r.status = 'rejected' AND r.updated_at >= ? AND r.updated_at < ?`,
  ).all(start, end) as Array<{ number_symbol: string | null; title: string; name: string; updated_at: string; note: string }>;
  const recalls = prep(
    db,
    `SELECT d.number_symbol, d.title, o.recalled_at, o.recall_reason FROM outbox_items o JOIN documents d ON d.id = o.document_id
     WHERE o.status = 'recalled' AND o.recalled_at >= ? AND o.recalled_at < ? ORDER BY o.recalled_at`,
  ).all(start, end) as Array<{ number_symbol: string; title: string; recalled_at: string; recall_reason: string }>;
  return {
    from,
    to,
    sent: { total: sent.length, byType: counts(sent.map((s) => ({ label: s.doc_type })), 'Không ghi loại'), byCounterpart: counts(sentTo, '') },
    received: {
      total: received.length,
      byType: counts(received.map((r) => ({ label: r.doc_type })), 'Không ghi loại'),
      bySender: counts(received.map((r) => ({ label: r.sender })), 'Không rõ nơi gửi'),
    },
    months: [...months].sort((a, b) => order(a[0]).localeCompare(order(b[0]))).map(([month, v]) => ({ month, ...v })),
    paperCopies: [
      ...paper.map((p) => ({ number: p.number_symbol, title: p.title, recipients: p.recipients, why: 'Gửi kèm bản giấy theo QN Đ8.2 (nơi nhận hoặc thủ tục yêu cầu bản gốc)' })),
      ...paperOnly.map((p) => ({ number: p.number_symbol, title: p.title, recipients: p.recipients, why: p.note || 'Văn bản chỉ ban hành bản giấy' })),
    ],
    late: late.map((l) => ({ number: l.number_symbol, title: l.title, issuedAt: l.issued_at, sendBy: l.send_by, sentAt: l.sent_at, urgency: URGENCY_VI[l.urgency] ?? l.urgency })),
    rejections: [
      ...rejectedIn.map((r) => ({ direction: 'incoming' as const, number: r.number_symbol ?? '', title: r.title, counterpart: r.sender ?? '', at: r.decided_at, reason: r.reason })),
      ...rejectedOut.map((r) => ({ direction: 'outgoing' as const, number: r.number_symbol ?? '', title: r.title, counterpart: r.name, at: r.updated_at, reason: r.note })),
    ],
    recalls: recalls.map((r) => ({ number: r.number_symbol, title: r.title, at: r.recalled_at, reason: r.recall_reason })),
  };
}
