// The desk's commands and their help, as one table for the `kyso` command line.
import { ARCHIVE_COMMANDS } from './desk-archive.js';
import { demo } from './desk-demo.js';
import { DOC_COMMANDS } from './desk-doc.js';
import { EXCHANGE_COMMANDS, EXCHANGE_HELP } from './desk-exchange.js';
import { MAIL_COMMANDS } from './desk-mail.js';
import { BOOK_COMMANDS } from './desk-books.js';
import { withDataPrefix, type Command } from './desk.js';

const TABLE: Record<string, Command> = { ...DOC_COMMANDS, ...MAIL_COMMANDS, ...EXCHANGE_COMMANDS, ...ARCHIVE_COMMANDS, ...BOOK_COMMANDS, demo };

/** Desk commands, and the leading `--data DIR` form (`kyso --data DIR doc add …`). */
export const DESK_COMMANDS: Record<string, Command> = { ...TABLE, '--data': withDataPrefix(() => TABLE) };

export const DESK_HELP = `
Bàn làm việc của văn thư | The clerk's desk (kyso [--data DIR] …; mặc định | default $KYSO_DATA or ~/.local/share/kyso):
  kyso doc add FILE.pdf --method 1|2|3 [--title TEXT] [--urgency normal|urgent|very-urgent|flash] [--pdfa]
            [--type TEXT] [--to RECIPIENT]... [--paper-copy] [--secrecy mat|toi-mat|tuyet-mat]
      Nhập dự thảo (phương thức 1: bản gốc đã ký tay, quét) | Add a draft (method 1: a scanned original).
      1 = cơ quan | organisation; 2 = lãnh đạo, cơ quan | leader, organisation; 3 = chuyên viên, lãnh đạo, cơ quan.
      Văn bản mật bị từ chối | state-secret documents are refused.
  kyso doc sign ID [ID...] --as drafter|leader|org --token LABEL --pin-env VAR [--module PATH]
            [--key-id HEX] [--scheme pkcs1|pss] [--image PNG] [--signer-title TEXT] [--signer-name TEXT]
            [--preset nd30|quang-ninh] [--page N --rect x,y,w,h] [--anchor TEXT] [--organisation TEXT]
            [--number 15/QĐ-UBND] [--issued YYYY-MM-DD] [--no-fill] [--reason TEXT] [--location TEXT]
      Ký theo đúng thứ tự của phương thức; nhiều ID: ký lô, một lần nhập PIN | Sign in the method's
      order; several IDs: a batch with one PIN entry. Văn thư: số và ngày ban hành (hôm nay) được điền
      khi ký; bỏ --number để Kyso cấp số tiếp theo | the clerk's number and issue date (today) are filled in.
  kyso doc return ID --comment TEXT        Trả dự thảo cho chuyên viên | Send the draft back to the drafter.
  kyso doc show ID [--no-verify] [--json]   Văn bản, chữ ký và kết quả kiểm tra | Document, signatures, verdicts.
  kyso doc export ID -o OUT.pdf            Ghi bản hiện tại | Write the current revision.
  kyso doc attach ID FILE [--name NAME]    Đính kèm (.pdf, .docx, .xlsx, .pptx, .doc, .xls → PDF bằng LibreOffice).
  kyso doc revise ID FILE.pdf              Thay dự thảo sau khi bị trả lại | Replace a draft that was sent back.
  kyso doc list [--json]
  kyso inbox import FILE|DIR [--title T] [--sender S] [--number N] [--urgency U]
      Nhận văn bản đến, kiểm tra chữ ký | Receive documents and verify them.
  kyso inbox accept ID                     Tiếp nhận, cấp số đến | Accept and register (số đến).
  kyso inbox accept ID --stamp --token LABEL --pin-env VAR [--organisation TEXT]
      Tiếp nhận và đóng dấu ĐẾN (ký số của cơ quan) | Accept and add the incoming stamp, signed by the
      organisation (default when KYSO_STAMP_INCOMING=1; --no-stamp to skip).
  kyso inbox stamp ID --token LABEL --pin-env VAR   Đóng dấu ĐẾN văn bản đã tiếp nhận | Stamp an accepted document.
  kyso inbox route ID [--to UNIT] [--record CODE] [--token LABEL --pin-env VAR]
      Ghi Chuyển và Lưu hồ sơ số (vào dấu ĐẾN, một lần ký mới) | Fill Chuyển and the record number.
  kyso inbox export ID -o OUT.pdf          Ghi văn bản đến (đã đóng dấu) | Write the (stamped) received file.
  kyso inbox edit ID [--title T] [--number-symbol S] [--issue-date YYYY-MM-DD] [--sender S] [--type T]
      Sửa trích yếu, số/ký hiệu, ngày, tác giả trong sổ (ghi nhật ký) | Correct the register's fields (audited).
  kyso inbox reject ID --reason TEXT       Trả lại, ghi lý do | Reject, with the reason kept.
  kyso inbox list [--status new|accepted|rejected] [--search TEXT] [--order urgency|date] [--limit N] [--json]
  kyso outbox list [--json]                Văn bản đi chờ gửi, khẩn trước, cảnh báo quá hạn | Outbox, urgent first, late warnings.
  kyso outbox send ID [--to RECIPIENT]...  Ghi nhận đã gửi | Record as sent.
  kyso outbox recall ID --reason TEXT      Thu hồi | Recall.
  kyso register outgoing|incoming [--year YYYY] [-o FILE.pdf|FILE.xlsx] [--organisation TEXT] [--search TEXT]
      Sổ đăng ký văn bản đi / đến (NĐ30 Phụ lục IV) | The outgoing / incoming register of a year.
  kyso doc register-paper --title T (--number 12/QĐ-X | --symbol QĐ-X) [--issued YYYY-MM-DD] [--type T]
            [--signer NAME] [--to RECIPIENT]... [--keeper UNIT] [--copies N] [--note TEXT]
      Vào sổ văn bản giấy, cùng dãy số với văn bản điện tử | Register a paper document (same number series).
  kyso doc register-paper --incoming --title T --from ISSUER [--number 45/UBND-VP] [--issued YYYY-MM-DD] [--type T]
            [--urgency normal|urgent|very-urgent|flash] [--to UNIT] [--record CODE] [--note TEXT]
      Vào sổ văn bản đến bằng giấy, cùng dãy số đến | Register a paper document received (same số đến series).
  kyso doc copy ID --form "SAO Y"|"SAO LỤC"|"TRÍCH SAO" [--pages 1-2] [--number N] [--place TEXT]
            [--incoming] --token LABEL --pin-env VAR [-o OUT.pdf]
      Bản sao điện tử, ký số của cơ quan; SAO Y kèm bản gốc | An electronic copy signed by the organisation.
  kyso copy list [--year YYYY] [--json] | copy export ID -o OUT.pdf
  kyso report --from YYYY-MM-DD --to YYYY-MM-DD [-o FILE.pdf|FILE.xlsx] [--organisation TEXT]
      Báo cáo gửi, nhận văn bản điện tử (QN Đ11) | The electronic exchange report.
  (liên thông | exchange: xem | see below)
  kyso archive add ID --record CODE --retention YEARS|permanent [--record-title T] [--incoming]
  kyso archive search TEXT [--json]        Tìm theo số, trích yếu, người ký, ngày | By number, title, signer, date.
  kyso archive list [--json]
  kyso archive add ID … --seal             Niêm phong ngay (B-LT + B-LTA) | Seal at once (B-LT + B-LTA).
  kyso archive seal [RECORD] [--tsa URL]   Niêm phong tài liệu chưa niêm phong | Seal what is not sealed yet.
  kyso archive renew [--before DATE] [--report-only]
      Gia hạn dấu thời gian sắp hết hiệu lực | Renew timestamps whose TSA certificate or algorithm ends before DATE.
  kyso archive export RECORD -o PACKAGE.zip [--no-seal]  Gói nộp lưu (TT 05/2025, E-ARK CSIP) | Submission package
      (niêm phong trước những gì chưa niêm phong | seals what is not sealed yet, unless --no-seal).
  kyso archive check PACKAGE.zip [--trust PEM]... [--offline] [--at DATE] [--json]
      Kiểm tra gói: mã băm, cấu trúc, siêu dữ liệu, chữ ký | Checksums, structure, metadata, signatures.
  kyso archive due [--json]                Hồ sơ hết thời hạn bảo quản, chờ thẩm định | Records due for appraisal.
  kyso archive appraise RECORD --decision keep|transfer|destroy --reason TEXT [--extend YEARS]
  kyso audit verify [--json]               Kiểm tra chuỗi băm của nhật ký | Check the audit log's hash chain.
  kyso audit list [--subject document:ID] [--limit N] [--json]
  Kiểm tra chữ ký dùng | Verification uses --trust PEM, --crl FILE, KYSO_TRUST, DATA/trust, DATA/crl; --online.
  kyso demo [--dir DIR] [--json]
      Chạy thử ba phương thức trên token SoftHSM2 và PKI tạm | The three methods on throw-away tokens and PKI.
` + EXCHANGE_HELP;
