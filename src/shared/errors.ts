// The closed list of Kyso error codes and the one error type that carries them.
// Errors cross every boundary (IPC, HTTP, CLI) as data: { code, details }; the
// Vietnamese and English texts are looked up by code (src/shared/i18n/errors.*.ts).
import { ERROR_MESSAGES_VI } from './i18n/errors.vi.js';
import { ERROR_MESSAGES_EN } from './i18n/errors.en.js';

export const ERROR_CODES = [
  'INTERNAL',
  'USAGE',
  'FILE_NOT_FOUND',
  'FILE_READ_FAILED',
  'FILE_WRITE_FAILED',
  'DISK_FULL',
  'OUTPUT_SAME_AS_INPUT',
  'PDF_NOT_PDF',
  'PDF_MALFORMED',
  'PDF_ENCRYPTED',
  'PDF_PAGE_OUT_OF_RANGE',
  'PDF_UNSUPPORTED',
  'PDF_FIELD_NAME_TAKEN',
  'PDF_CERTIFIED_NO_CHANGES',
  'TOKEN_MODULE_NOT_FOUND',
  'TOKEN_MODULE_LOAD_FAILED',
  'TOKEN_NOT_FOUND',
  'TOKEN_AMBIGUOUS',
  'TOKEN_REMOVED',
  'TOKEN_PIN_MISSING',
  'TOKEN_PIN_INCORRECT',
  'TOKEN_PIN_INCORRECT_COUNT_LOW',
  'TOKEN_PIN_INCORRECT_FINAL_TRY',
  'TOKEN_PIN_LOCKED',
  'TOKEN_PIN_EXPIRED',
  'TOKEN_PIN_LEN_RANGE',
  'TOKEN_NO_CERTIFICATE',
  'TOKEN_AMBIGUOUS_CERTIFICATE',
  'TOKEN_NO_PRIVATE_KEY',
  'TOKEN_MECHANISM_UNSUPPORTED',
  'TOKEN_KEY_UNSUPPORTED',
  'TOKEN_ERROR',
  'TOKEN_NONE_PRESENT',
  'TOKEN_SCHEME_MISMATCH',
  'TOKEN_KEY_MISMATCH',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_KEY_USAGE',
  'TRUST_NOT_IN_CATALOGUE',
  'TRUST_FINGERPRINT_MISMATCH',
  'TRUST_DOWNLOAD_FAILED',
  'SIGN_PLACEHOLDER_TOO_SMALL',
  'TSA_UNAVAILABLE',
  'TSA_REFUSED',
  'TSA_RESPONSE_INVALID',
  'ASSET_MISSING',
  'ASSET_INVALID',
  'IMAGE_INVALID',
  'FONT_GLYPH_MISSING',
  'PRESET_UNKNOWN',
  'ANCHOR_NOT_FOUND',
  'LEADER_SIGNATURE_NOT_FOUND',
  'PLACEMENT_OUTSIDE_PAGE',
  'PLACEMENT_NO_ROOM',
  'ISSUE_DATE_NOT_SIGNING_DATE',
  'ISSUE_DATE_INVALID',
  'DOC_NUMBER_SYMBOL_MISMATCH',
  'DOC_NUMBER_ALREADY_FILLED',
  'ISSUE_DATE_PRINTED_MISMATCH',
  'API_UNKNOWN_CALL',
  'API_INVALID_INPUT',
  'API_FORBIDDEN',
  'DOCUMENT_NOT_FOUND',
  'DOCUMENT_STEP_NOT_ALLOWED',
  'JOB_NOT_FOUND',
  'INBOX_ALREADY_DECIDED',
  'STAMP_NO_ROOM',
  'INBOX_NOT_ACCEPTED',
  'INBOX_NOT_STAMPED',
  'INBOX_ALREADY_STAMPED',
  'COPY_SOURCE_NOT_FINAL',
  'COPY_FORM_INVALID',
  'COPY_PAGES_INVALID',
  'COPY_NUMBER_DUPLICATE',
  'REPORT_PERIOD_INVALID',
  'EXPORT_FORMAT_UNSUPPORTED',
  'SETTINGS_INVALID_FILE',
  'STORE_OPEN_FAILED',
  'STORE_TOO_NEW',
  'STORE_FILE_MISSING',
  'STORE_FILE_DAMAGED',
  'DOCUMENT_CHANGED',
  'DOCUMENT_ISSUED',
  'DOCUMENT_RETURN_NOT_ALLOWED',
  'SIGNATURE_REQUIRED_MISSING',
  'SIGNATURE_REQUIRED_INVALID',
  'DOCUMENT_SECRET',
  'DOC_NUMBER_DUPLICATE',
  'DOC_NUMBER_REQUIRED',
  'OUTBOX_RECALLED',
  'ATTACHMENT_UNSUPPORTED',
  'OFFICE_CONVERTER_MISSING',
  'OFFICE_CONVERSION_FAILED',
  'ARCHIVE_RECORD_CONFLICT',
  'ARCHIVE_ALREADY_FILED',
  'ARCHIVE_NOT_ALLOWED',
  'ARCHIVE_RETENTION_INVALID',
  'ARCHIVE_RECORD_NOT_FOUND',
  'ARCHIVE_TSA_MISSING',
  'ARCHIVE_FILE_UNSIGNED',
  'ARCHIVE_APPRAISAL_INVALID',
  'ARCHIVE_NOT_DUE',
  'PACKAGE_INVALID',
  'PDFA_CONVERSION_FAILED',
  'AUDIT_CHAIN_BROKEN',
  'DEMO_TOOL_MISSING',
  'SIGN_RESULT_INVALID',
  'INBOX_SIGNATURE_INVALID',
  'SEAL_IMAGE_MISSING',
  'UPLOAD_DISK_FULL',
  'UPLOAD_INCOMPLETE',
  'UPLOAD_NOT_FOUND',
  'FILE_PICK_UNAVAILABLE',
  'SERVICE_ORIGIN_NOT_ALLOWED',
  'SERVICE_FUNCTION_UNSUPPORTED',
  'SERVICE_REQUEST_INVALID',
  'SERVICE_FETCH_FAILED',
  'SERVICE_FETCH_TOO_LARGE',
  'SERVICE_FETCH_HOST_NOT_ALLOWED',
  'SERVICE_NO_FILE',
  'SERVICE_UPLOAD_FAILED',
  'SERVICE_UPLOAD_REFUSED',
  'SERVICE_CANCELLED',
  'SERVICE_CA_INSTALL_FAILED',
  'SERVICE_TOOL_MISSING',
  'SERVICE_PORT_IN_USE',
  'SERVICE_REQUEST_GONE',
  'SERVICE_NO_FILE_UNATTENDED',
  'SERVICE_BASE64_INVALID',
  'SERVICE_DATA_TOO_LARGE',
  'SERVICE_ALGORITHM_UNSUPPORTED',
  'SERVICE_XML_INVALID',
  'SERVICE_BATCH_PARTIAL',
  'EXCHANGE_UNREACHABLE',
  'EXCHANGE_REFUSED',
  'EXCHANGE_AUTH',
  'EDXML_INVALID',
  'EXCHANGE_NOT_CONFIGURED',
  'EXCHANGE_PEER_UNKNOWN',
  'EXCHANGE_DOCUMENT_FROZEN',
  'EXCHANGE_WITHDRAW_TOO_LATE',
  'EXCHANGE_FOLDER_UNAVAILABLE',
  'EXCHANGE_SECRET_MISSING',
  'EXCHANGE_PEER_IN_USE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type ErrorDetails = Record<string, string | number | boolean | null | undefined>;
export type Lang = 'vi' | 'en';

/** What the catalogue holds for one code: a sentence saying what happened and one saying what to do. */
export interface ErrorText {
  message: string;
  hint: string;
}

/** The shape an error has when it crosses a boundary. */
export interface ErrorPayload {
  code: ErrorCode;
  details?: ErrorDetails;
}

export class KysoError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(`${code}: ${renderError(code, details, 'en').message}`, options);
    this.name = 'KysoError';
    this.code = code;
    this.details = details;
  }

  toPayload(): ErrorPayload {
    return { code: this.code, details: this.details };
  }
}

export function isKysoError(e: unknown): e is KysoError {
  return e instanceof KysoError;
}

const CATALOGUES: Record<Lang, Record<ErrorCode, ErrorText>> = {
  vi: ERROR_MESSAGES_VI,
  en: ERROR_MESSAGES_EN,
};

function interpolate(template: string, details: ErrorDetails): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = details[key];
    return v === undefined || v === null ? whole : String(v);
  });
}

/** The text of an error in one language, with its details filled in. */
export function renderError(code: ErrorCode, details: ErrorDetails = {}, lang: Lang = 'vi'): ErrorText {
  const t = CATALOGUES[lang][code];
  return { message: interpolate(t.message, details), hint: interpolate(t.hint, details) };
}

/** One line for a terminal: Vietnamese first, English second. */
export function errorLine(code: ErrorCode, details: ErrorDetails = {}): string {
  const vi = renderError(code, details, 'vi');
  const en = renderError(code, details, 'en');
  return `Lỗi [${code}]: ${vi.message} ${vi.hint} | Error: ${en.message} ${en.hint}`;
}

/** Turns anything thrown into a KysoError; unknown errors become INTERNAL with their message kept for the log. */
export function toKysoError(e: unknown): KysoError {
  if (e instanceof KysoError) return e;
  const err = e as { code?: unknown; path?: string; message?: string } | undefined;
  if (err && typeof err === 'object' && typeof err.code === 'string') {
    if (err.code === 'ENOSPC') return new KysoError('DISK_FULL', { path: err.path }, { cause: e });
    if (err.code === 'ENOENT') return new KysoError('FILE_NOT_FOUND', { path: err.path }, { cause: e });
    if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS')
      return new KysoError('FILE_WRITE_FAILED', { path: err.path, reason: err.code }, { cause: e });
  }
  return new KysoError('INTERNAL', { reason: err?.message ?? String(e) }, { cause: e });
}
