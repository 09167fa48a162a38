// The registers NĐ30 Phụ lục IV prescribes, from the database, per year: the outgoing register
// (sổ đăng ký văn bản đi, 10 columns; electronic and paper documents in one series of numbers) and
// the incoming register (sổ đăng ký văn bản đến, 10 columns). Pure tables of text, rendered by
// books/ as a bound PDF book or an XLSX sheet, and filtered for the screen. Also the paper
// documents' registration, which takes the next number of the same series.
import { KysoError } from '../../shared/errors.js';
import { parseIssueDate, vietnamDay } from '../appearance/time.js';
import { appendAudit } from '../store/audit.js';
import { earlierArrivals, incomingSources, insertPaperDocument, insertPaperIncoming, lastIncomingNumber, numberHolder, outgoingSources, type EarlierArrivalRow, type PaperDocumentRow, type PaperIncomingRow } from '../store/books.js';
import { lastNumberSeq } from '../store/documents.js';
import { fold } from '../store/fold.js';
import { refuse, type DeskContext } from './context.js';

export type RegisterKind = 'outgoing' | 'incoming';

export interface RegisterColumn {
  vi: string;
  en: string;
  /** Relative width in the printed book. */
  width: number;
}

export const OUTGOING_COLUMNS: RegisterColumn[] = [
  { vi: 'Số, ký hiệu văn bản', en: 'Number and symbol', width: 9 },
  { vi: 'Ngày tháng văn bản', en: 'Date', width: 8 },
  { vi: 'Tên loại và trích yếu nội dung văn bản', en: 'Type and summary', width: 24 },
  { vi: 'Người ký', en: 'Signer', width: 11 },
  { vi: 'Nơi nhận văn bản', en: 'Recipients', width: 15 },
  { vi: 'Đơn vị, người nhận bản lưu', en: 'Unit keeping the file copy', width: 8 },
  { vi: 'Số lượng bản', en: 'Copies', width: 5 },
  { vi: 'Ngày chuyển', en: 'Date sent', width: 8 },
  { vi: 'Ký nhận', en: 'Receipt', width: 8 },
  { vi: 'Ghi chú', en: 'Notes', width: 10 },
];

export const INCOMING_COLUMNS: RegisterColumn[] = [
  { vi: 'Ngày đến', en: 'Arrival date', width: 8 },
  { vi: 'Số đến', en: 'Incoming number', width: 5 },
  { vi: 'Tác giả', en: 'Author', width: 13 },
  { vi: 'Số, ký hiệu văn bản', en: 'Number and symbol', width: 9 },
  { vi: 'Ngày tháng văn bản', en: 'Date', width: 8 },
  { vi: 'Tên loại và trích yếu nội dung văn bản', en: 'Type and summary', width: 24 },
  { vi: 'Đơn vị hoặc người nhận', en: 'Unit or person receiving', width: 11 },
  { vi: 'Ngày chuyển', en: 'Date passed on', width: 8 },
  { vi: 'Ký nhận', en: 'Receipt', width: 6 },
  { vi: 'Ghi chú', en: 'Notes', width: 10 },
];

export interface Register {
  kind: RegisterKind;
  year: number;
  organisation: string;
  title: string;
  columns: RegisterColumn[];
  rows: string[][];
  /** First and last numbers in the book (for the cover). */
  range: { from: string; to: string } | null;
}

/** dd/mm/yyyy of an ISO date or instant (Vietnam time). */
export function dmy(v: string | null | undefined): string {
  if (!v) return '';
  const day = v.length === 10 ? v : vietnamDay(new Date(v));
  return `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
}

const STATUS_VI: Record<string, string> = {
  pending: 'chưa gửi',
  sent: 'đã gửi',
  received: 'đã đến',
  accepted: 'đã nhận',
  rejected: 'trả lại',
  'recall-requested': 'đang thu hồi',
  recalled: 'đã thu hồi',
  'withdraw-requested': 'đang lấy lại',
  withdrawn: 'đã lấy lại',
};

function summaryText(type: string | null, title: string): string {
  return type ? `${type}: ${title}` : title;
}

export function outgoingRegister(ctx: DeskContext, year: number, organisation: string): Register {
  const rows = outgoingSources(ctx.store.db, year).map((r) => {
    const receipt =
      r.kind === 'paper'
        ? ''
        : r.recipient_statuses
            .split('; ')
            .filter(Boolean)
            .map((x) => {
              const i = x.lastIndexOf(': ');
              return `${x.slice(0, i)}: ${STATUS_VI[x.slice(i + 2)] ?? x.slice(i + 2)}`;
            })
            .join('; ');
    const notes = [
      r.kind === 'paper' ? 'Văn bản giấy' : 'Văn bản điện tử',
      r.paper_copy_required ? 'kèm bản giấy' : '',
      r.outbox_status === 'recalled' ? `đã thu hồi: ${r.recall_reason ?? ''}` : '',
      r.note ?? '',
    ]
      .filter(Boolean)
      .join('; ');
    return [
      r.number_symbol,
      dmy(r.issue_date),
      summaryText(r.doc_type, r.title),
      r.signer ?? '',
      r.recipients,
      r.keeping_unit ?? 'Văn thư',
      r.copies ? String(r.copies) : '',
      dmy(r.sent_at),
      receipt,
      notes,
    ];
  });
  return {
    kind: 'outgoing',
    year,
    organisation,
    title: 'SỔ ĐĂNG KÝ VĂN BẢN ĐI',
    columns: OUTGOING_COLUMNS,
    rows,
    range: rows.length ? { from: rows[0]![0]!, to: rows.at(-1)![0]! } : null,
  };
}

export function incomingRegister(ctx: DeskContext, year: number, organisation: string): Register {
  const rows = incomingSources(ctx.store.db, year).map((r) => [
    dmy(r.decided_at ?? r.received_at),
    String(r.incoming_number),
    r.sender ?? '',
    r.number_symbol ?? '',
    dmy(r.issue_date),
    summaryText(r.doc_type, r.title),
    r.passed_to ?? '',
    dmy(r.passed_at),
    r.stamped ? 'Đã đóng dấu ĐẾN (ký số)' : '',
    [r.kind === 'paper' ? 'Văn bản giấy' : '', r.record_number ? `Lưu hồ sơ số ${r.record_number}` : '', r.urgency !== 'normal' ? { urgent: 'Khẩn', 'very-urgent': 'Thượng khẩn', flash: 'Hỏa tốc' }[r.urgency] ?? '' : '']
      .concat(r.note ? [r.note] : [])
      .filter(Boolean)
      .join('; '),
  ]);
  return {
    kind: 'incoming',
    year,
    organisation,
    title: 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN',
    columns: INCOMING_COLUMNS,
    rows,
    range: rows.length ? { from: rows[0]![1]!, to: rows.at(-1)![1]! } : null,
  };
}

export function register(ctx: DeskContext, kind: RegisterKind, year: number, organisation: string): Register {
  if (!Number.isInteger(year) || year < 1900 || year > 9999) throw new KysoError('USAGE', { reason: '--year must be a year, e.g. 2026' });
  return kind === 'outgoing' ? outgoingRegister(ctx, year, organisation) : incomingRegister(ctx, year, organisation);
}

/** The rows whose text holds every word of the search (diacritics and case folded). */
export function filterRegister(r: Register, text: string | undefined): Register {
  const words = fold(text ?? '')
    .split(/\s+/)
    .filter(Boolean);
  if (!words.length) return r;
  return { ...r, rows: r.rows.filter((row) => { const hay = fold(row.join(' ')); return words.every((w) => hay.includes(w)); }) };
}

export interface PaperDocument {
  title: string;
  /** Number and symbol: "12/QĐ-SYT", "12" with --symbol, or "/QĐ-SYT" for the next number. */
  number?: string;
  symbol?: string;
  issueDate?: string;
  type?: string;
  signer?: string;
  recipients?: string[];
  keepingUnit?: string;
  copies?: number;
  sentAt?: string;
  note?: string;
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Registers a document issued on paper: the next number of the year's one series (or the one given, when free). */
export function registerPaper(ctx: DeskContext, p: PaperDocument): PaperDocumentRow {
  const at = ctx.now();
  const issued = parseIssueDate(p.issueDate ?? vietnamDay(at)).iso;
  const year = Number(issued.slice(0, 4));
  const given = (p.number ?? '').normalize('NFC').replace(/\s+/g, '');
  const m = /^(\d*)(\/.*)?$/.exec(given);
  const symbol = m?.[2] ?? (p.symbol ? (p.symbol.startsWith('/') ? p.symbol : `/${p.symbol}`) : undefined);
  if (!m || !symbol) throw new KysoError('DOC_NUMBER_REQUIRED', { id: p.title });
  if (!p.title.trim()) throw new KysoError('USAGE', { reason: '--title is required' });
  const db = ctx.store.db;
  if (m[1]) {
    const holder = numberHolder(db, year, Number(m[1]));
    if (holder) refuse(ctx, 'register.paper', null, new KysoError('DOC_NUMBER_DUPLICATE', { number: `${pad(Number(m[1]))}${symbol}`, year, other: `${holder.kind} ${holder.ref_id}` }));
  }
  return ctx.store.tx(() => {
    // Taken again inside the write lock: the primary key of outgoing_numbers refuses a number given twice.
    const seq = m[1] ? Number(m[1]) : lastNumberSeq(db, year) + 1;
    const row = insertPaperDocument(db, {
      number_seq: seq,
      number_symbol: `${pad(seq)}${symbol}`,
      issue_year: year,
      issue_date: issued,
      title: p.title.trim(),
      doc_type: p.type ?? null,
      signer: p.signer ?? null,
      recipients: (p.recipients ?? []).join('; '),
      keeping_unit: p.keepingUnit ?? null,
      copies: p.copies ?? null,
      sent_at: p.sentAt ?? null,
      note: p.note ?? null,
      created_at: at.toISOString(),
    });
    appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: 'register.paper', subject: `paper:${row.id}`, details: { number: row.number_symbol, issueDate: issued, title: row.title } });
    return row;
  });
}

export interface PaperArrival {
  title: string;
  /** Tác giả: the issuing organisation. */
  sender: string;
  number?: string;
  issueDate?: string;
  type?: string;
  urgency?: 'normal' | 'urgent' | 'very-urgent' | 'flash';
  passedTo?: string;
  recordNumber?: string;
  note?: string;
}

/**
 * Registers a document received on paper (NĐ30 Đ22): the next số đến of the year, the same series
 * as the received files (one register), kept unique by the database; the arrival is now.
 */
export function registerPaperIncoming(ctx: DeskContext, p: PaperArrival): PaperIncomingRow & { duplicates: EarlierArrivalRow[] } {
  const at = ctx.now();
  const title = p.title.trim();
  const sender = p.sender.trim();
  if (!title) throw new KysoError('USAGE', { reason: '--title is required' });
  if (!sender) throw new KysoError('USAGE', { reason: '--from (the issuing organisation) is required' });
  const issueDate = p.issueDate ? parseIssueDate(p.issueDate).iso : null;
  const number = p.number?.normalize('NFC').replace(/\s+/g, '') || null;
  const year = Number(vietnamDay(at).slice(0, 4));
  const db = ctx.store.db;
  return ctx.store.tx(() => {
    // The same number + symbol + issuer registered before (paper or electronic): warned about, not refused (a second copy may come).
    const duplicates = number ? earlierArrivals(db, number, sender) : [];
    const row = insertPaperIncoming(db, {
      incoming_year: year,
      incoming_number: lastIncomingNumber(db, year) + 1,
      received_at: at.toISOString(),
      sender,
      number_symbol: number,
      issue_date: issueDate,
      title,
      doc_type: p.type?.trim() || null,
      urgency: p.urgency ?? 'normal',
      passed_to: p.passedTo?.trim() || null,
      passed_at: p.passedTo?.trim() ? at.toISOString() : null,
      record_number: p.recordNumber?.trim() || null,
      note: p.note?.trim() || null,
      created_at: at.toISOString(),
    });
    appendAudit(db, { at: at.toISOString(), actor: ctx.actor, action: 'register.paper-incoming', subject: `paper-in:${row.id}`, details: { incomingNumber: row.incoming_number, year, number, sender, title, duplicates: duplicates.map((d) => `${d.kind === 'paper' ? 'paper-in' : 'inbox'}:${d.id}`) } });
    return { ...row, duplicates };
  });
}
