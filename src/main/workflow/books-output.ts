// The registers and the exchange report as files: a bound book (PDF: cover, tables, page numbers,
// a chart in the report) or a workbook (XLSX), chosen by the file's extension and written
// through a temporary file, flushed and renamed into place.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import { renderBookPdf, type Book, type BookSection } from '../books/book-pdf.js';
import { renderBookXlsx } from '../books/book-xlsx.js';
import { AtomicFile } from '../io/atomic.js';
import { appendAudit } from '../store/audit.js';
import type { DeskContext } from './context.js';
import type { ExchangeReport } from './exchange-report.js';
import { dmy, type Register } from './registers.js';

export function registerBook(r: Register): Book {
  return {
    title: r.title,
    docTitle: `${r.title} năm ${r.year} — ${r.organisation}`,
    organisation: r.organisation,
    subtitle: [`Năm ${r.year}`, r.range ? `Từ số ${r.range.from} đến số ${r.range.to}` : 'Chưa có văn bản', `Số văn bản: ${r.rows.length}`],
    sections: [{ heading: `${r.title} NĂM ${r.year}`, tables: [{ columns: r.columns.map((c) => ({ label: c.vi, width: c.width })), rows: r.rows, empty: 'Chưa có văn bản' }] }],
  };
}

const time = (iso: string | null): string => (iso ? `${dmy(iso)} ${new Date(new Date(iso).getTime() + 7 * 3600_000).toISOString().slice(11, 16)}` : '');

export function reportBook(rep: ExchangeReport, organisation: string): Book {
  const countTable = (heading: string, what: string, rows: Array<{ label: string; count: number }>) => ({
    heading,
    columns: [
      { label: what, width: 30 },
      { label: 'Số văn bản', width: 8 },
    ],
    rows: rows.map((r) => [r.label, String(r.count)]),
    empty: 'Không có',
  });
  const sections: BookSection[] = [
    {
      heading: 'I. TỔNG HỢP',
      lines: [
        `Văn bản điện tử đã gửi: ${rep.sent.total}`,
        `Văn bản điện tử đã nhận: ${rep.received.total}`,
        `Văn bản còn gửi kèm bản giấy: ${rep.paperCopies.length}`,
        `Văn bản gửi chậm so với quy định gửi trong ngày: ${rep.late.length}`,
        `Văn bản bị trả lại: ${rep.rejections.length}; văn bản thu hồi: ${rep.recalls.length}`,
      ],
      chart: rep.months.length ? { heading: 'Văn bản gửi và nhận theo tháng', series: ['Đã gửi', 'Đã nhận'], groups: rep.months.map((m) => ({ label: `Tháng ${m.month}`, values: [m.sent, m.received] })) } : undefined,
    },
    {
      heading: 'II. VĂN BẢN ĐIỆN TỬ ĐÃ GỬI VÀ ĐÃ NHẬN',
      tables: [
        countTable('Đã gửi, theo loại văn bản', 'Loại văn bản', rep.sent.byType),
        countTable('Đã gửi, theo nơi nhận', 'Nơi nhận', rep.sent.byCounterpart),
        countTable('Đã nhận, theo loại văn bản', 'Loại văn bản', rep.received.byType),
        countTable('Đã nhận, theo nơi gửi', 'Nơi gửi', rep.received.bySender),
      ],
    },
    {
      heading: 'III. BẢN GIẤY, GỬI CHẬM, TRẢ LẠI, THU HỒI',
      tables: [
        {
          heading: 'Văn bản còn gửi bản giấy và lý do',
          columns: [{ label: 'Số, ký hiệu', width: 8 }, { label: 'Trích yếu', width: 22 }, { label: 'Nơi nhận', width: 16 }, { label: 'Lý do', width: 20 }],
          rows: rep.paperCopies.map((p) => [p.number, p.title, p.recipients, p.why]),
          empty: 'Không có',
        },
        {
          heading: 'Văn bản gửi chậm (quy định: gửi trong ngày ký, chậm nhất sáng ngày làm việc tiếp theo; văn bản khẩn gửi ngay)',
          columns: [{ label: 'Số, ký hiệu', width: 8 }, { label: 'Trích yếu', width: 22 }, { label: 'Độ khẩn', width: 7 }, { label: 'Ký ban hành', width: 9 }, { label: 'Hạn gửi', width: 9 }, { label: 'Đã gửi', width: 9 }],
          rows: rep.late.map((l) => [l.number, l.title, l.urgency, time(l.issuedAt), time(l.sendBy), l.sentAt ? time(l.sentAt) : 'Chưa gửi']),
          empty: 'Không có',
        },
        {
          heading: 'Văn bản bị trả lại và lý do',
          columns: [{ label: 'Chiều', width: 6 }, { label: 'Số, ký hiệu', width: 8 }, { label: 'Trích yếu', width: 20 }, { label: 'Cơ quan', width: 14 }, { label: 'Ngày', width: 7 }, { label: 'Lý do', width: 20 }],
          rows: rep.rejections.map((r) => [r.direction === 'incoming' ? 'Đến' : 'Đi', r.number, r.title, r.counterpart, dmy(r.at), r.reason]),
          empty: 'Không có',
        },
        {
          heading: 'Văn bản thu hồi',
          columns: [{ label: 'Số, ký hiệu', width: 8 }, { label: 'Trích yếu', width: 24 }, { label: 'Ngày thu hồi', width: 8 }, { label: 'Lý do', width: 24 }],
          rows: rep.recalls.map((r) => [r.number, r.title, dmy(r.at), r.reason]),
          empty: 'Không có',
        },
      ],
    },
  ];
  return {
    title: 'BÁO CÁO TÌNH HÌNH GỬI, NHẬN VĂN BẢN ĐIỆN TỬ',
    docTitle: `Báo cáo gửi, nhận văn bản điện tử ${rep.from} – ${rep.to} — ${organisation}`,
    organisation,
    subtitle: [`Từ ngày ${dmy(rep.from)} đến ngày ${dmy(rep.to)}`],
    sections,
  };
}

/**
 * Writes a book for the app's download: named by its SHA-256 in `dir` (DATA/exports), as the page
 * reads stored files by reference (GET /files/<sha256>); one audit entry. The same book twice is
 * the same file.
 */
export async function storeBook(ctx: DeskContext, book: Book, dir: string, format: 'pdf' | 'xlsx', what: Record<string, unknown>): Promise<{ sha256: string; size: number; path: string }> {
  const at = ctx.now();
  const bytes = format === 'pdf' ? Buffer.from(await renderBookPdf(book, at)) : await renderBookXlsx(book, at);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${sha256}.${format}`);
  if (!existsSync(path)) {
    const f = AtomicFile.create(path);
    try {
      f.write(bytes);
      await f.commit();
    } catch (e) {
      f.abort();
      throw e;
    }
  }
  ctx.store.audit({ at: at.toISOString(), actor: ctx.actor, action: 'books.exported', subject: null, details: { ...what, format, sha256, size: bytes.length } });
  return { sha256, size: bytes.length, path };
}

/** Writes a book as PDF or XLSX (by the output's extension); one audit entry. */
export async function writeBook(ctx: DeskContext, book: Book, output: string, what: Record<string, unknown>): Promise<{ output: string; format: 'pdf' | 'xlsx'; size: number }> {
  const ext = extname(output).toLowerCase();
  if (ext !== '.pdf' && ext !== '.xlsx') throw new KysoError('EXPORT_FORMAT_UNSUPPORTED', { path: output });
  const at = ctx.now();
  const bytes = ext === '.pdf' ? Buffer.from(await renderBookPdf(book, at)) : await renderBookXlsx(book, at);
  const f = AtomicFile.create(output);
  try {
    f.write(bytes);
    await f.commit();
  } catch (e) {
    f.abort();
    throw e;
  }
  const format = ext === '.pdf' ? 'pdf' : 'xlsx';
  ctx.store.audit({ at: at.toISOString(), actor: ctx.actor, action: 'books.exported', subject: null, details: { ...what, format, output, size: bytes.length } });
  return { output, format, size: bytes.length };
}
