// The same books as an XLSX workbook (exceljs): one sheet per table, the organisation and title
// on top, the header row bold and frozen, wrapped cells, A4 landscape when printed.
import ExcelJS from 'exceljs';
import type { Book } from './book-pdf.js';

function sheetName(s: string, used: Set<string>): string {
  let base = s.replace(/[\\/?*[\]:]/g, ' ').slice(0, 28).trim() || 'Sheet';
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base.slice(0, 25)} ${i}`;
  used.add(name);
  return name;
}

export async function renderBookXlsx(b: Book, at: Date): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kyso';
  wb.created = at;
  wb.modified = at;
  wb.title = b.docTitle;
  const used = new Set<string>();
  for (const s of b.sections) {
    for (const t of s.tables ?? []) {
      const ws = wb.addWorksheet(sheetName(t.heading ?? s.heading ?? b.title, used), {
        pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
      });
      ws.addRow([b.organisation.toUpperCase()]).font = { bold: true };
      ws.addRow([b.title]).font = { bold: true, size: 14 };
      for (const line of b.subtitle) ws.addRow([line]);
      if (t.heading && t.heading !== b.title) ws.addRow([t.heading]).font = { bold: true };
      ws.addRow([]);
      const header = ws.addRow(t.columns.map((c) => c.label));
      header.font = { bold: true };
      header.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
      ws.addRow(t.columns.map((_, i) => `(${i + 1})`)).alignment = { horizontal: 'center' };
      ws.views = [{ state: 'frozen', ySplit: header.number + 1 }];
      for (const r of t.rows) ws.addRow(r).alignment = { wrapText: true, vertical: 'top' };
      const total = t.columns.reduce((a, c) => a + c.width, 0);
      t.columns.forEach((c, i) => (ws.getColumn(i + 1).width = Math.max(8, Math.round((c.width / total) * 160))));
      for (let r = header.number; r <= ws.rowCount; r++)
        for (let c = 1; c <= t.columns.length; c++)
          ws.getCell(r, c).border = { top: { style: 'thin' }, left: { style: 'thin' }, bottom: { style: 'thin' }, right: { style: 'thin' } };
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
