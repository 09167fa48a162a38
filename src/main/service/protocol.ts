// The wire protocol of the VGCA signing service as document-management web apps use it (through
// vgcaplugin.js): one WebSocket per call to wss://127.0.0.1:8987/<Function>, one JSON text frame
// each way. Field names and the success / cancelled codes are the service's; the other status
// codes are Kyso's own (each error also carries Kyso's code in ErrorCode, and a Vietnamese Message).
import { z } from 'zod';
import { renderError, type ErrorCode, type ErrorDetails } from '../../shared/errors.js';

export const SERVICE_FUNCTIONS = [
  'GetVersion',
  'GetCertInfo',
  'Config',
  'SignApproved',
  'SignIssued',
  'SignIncome',
  'SignAppendix',
  'SignCopy',
  'Comment',
  'SignFiles',
  'SignXML',
  'VerifyXML',
  'SignJson',
  'VerifyJson',
  'SignHash',
  'SignMsg',
  'VerifyMsg',
] as const;
export type ServiceFunction = (typeof SERVICE_FUNCTIONS)[number];

/** The functions that sign a PDF with a visible mark (and upload the result). */
export const PDF_FUNCTIONS = ['SignApproved', 'SignIssued', 'SignIncome', 'SignAppendix', 'SignCopy'] as const;
export type PdfFunction = (typeof PDF_FUNCTIONS)[number];

export function isServiceFunction(s: string): s is ServiceFunction {
  return (SERVICE_FUNCTIONS as readonly string[]).includes(s);
}
export function isPdfFunction(s: string): s is PdfFunction {
  return (PDF_FUNCTIONS as readonly string[]).includes(s);
}

const text = z.string().max(4096);
/** A request of a PDF function. Unknown fields are ignored (callers send more than they need). */
export const PdfRequestSchema = z.object({
  FileUploadHandler: z.string().max(2048).optional().default(''),
  SessionId: text.optional().default(''),
  JWTToken: z.string().max(16384).optional().default(''),
  FileName: z.string().max(4096).optional().default(''),
  DocNumber: text.optional().default(''),
  IssuedDate: text.optional().default(''),
  MetaData: z
    .array(z.object({ Key: text, Value: z.union([text, z.number(), z.boolean(), z.null()]) }))
    .max(100)
    .optional()
    .default([]),
});
export type PdfRequest = z.infer<typeof PdfRequestSchema>;

/** Status 0: done; 11: the user cancelled in Kyso's window (the service's own two codes). */
export const STATUS = {
  OK: 0,
  ERROR: 1,
  BAD_REQUEST: 2,
  NOT_SUPPORTED: 3,
  FORBIDDEN: 4,
  FILE_UNAVAILABLE: 5,
  NOT_PDF: 6,
  TOKEN: 7,
  PIN: 8,
  CERTIFICATE: 9,
  REFUSED: 10,
  CANCELLED: 11,
  UPLOAD: 12,
} as const;

export interface ServiceResponse {
  Status: number;
  Message: string;
  FileName: string;
  FileServer: string;
  DocumentNumber: string;
  DocumentDate: string;
  /** Kyso's error code when Status is not 0 (an addition; callers that do not know it ignore it). */
  ErrorCode?: ErrorCode;
  [extra: string]: unknown;
}

export function okResponse(fields: Partial<ServiceResponse> & { Message?: string }): ServiceResponse {
  return { Status: STATUS.OK, Message: fields.Message ?? 'Thành công', FileName: '', FileServer: '', DocumentNumber: '', DocumentDate: '', ...fields };
}

/** The service status a Kyso error is answered with. */
export function statusOf(code: ErrorCode): number {
  if (code === 'SERVICE_CANCELLED') return STATUS.CANCELLED;
  if (code === 'SERVICE_ORIGIN_NOT_ALLOWED' || code === 'SERVICE_FETCH_HOST_NOT_ALLOWED' || code === 'API_FORBIDDEN') return STATUS.FORBIDDEN;
  if (code === 'SERVICE_REQUEST_INVALID' || code === 'USAGE' || code === 'ISSUE_DATE_INVALID') return STATUS.BAD_REQUEST;
  if (code === 'SERVICE_BASE64_INVALID' || code === 'SERVICE_DATA_TOO_LARGE' || code === 'SERVICE_ALGORITHM_UNSUPPORTED' || code === 'SERVICE_XML_INVALID') return STATUS.BAD_REQUEST;
  if (code === 'SERVICE_NO_FILE_UNATTENDED') return STATUS.FILE_UNAVAILABLE;
  if (code === 'SERVICE_BATCH_PARTIAL') return STATUS.ERROR;
  if (code === 'SERVICE_FUNCTION_UNSUPPORTED') return STATUS.NOT_SUPPORTED;
  if (code === 'SERVICE_FETCH_FAILED' || code === 'SERVICE_FETCH_TOO_LARGE' || code === 'SERVICE_NO_FILE') return STATUS.FILE_UNAVAILABLE;
  if (code === 'PDF_NOT_PDF' || code === 'PDF_MALFORMED' || code === 'PDF_ENCRYPTED' || code === 'PDF_UNSUPPORTED') return STATUS.NOT_PDF;
  if (code.startsWith('TOKEN_PIN')) return STATUS.PIN;
  if (code.startsWith('TOKEN_')) return STATUS.TOKEN;
  if (code.startsWith('CERT_') || code.startsWith('TRUST_')) return STATUS.CERTIFICATE;
  if (code === 'SERVICE_UPLOAD_FAILED' || code === 'SERVICE_UPLOAD_REFUSED') return STATUS.UPLOAD;
  if (code === 'INTERNAL') return STATUS.ERROR;
  return STATUS.REFUSED;
}

/** An error answer: Status ≠ 0, the Vietnamese message and what to do, Kyso's code. */
export function errorResponse(code: ErrorCode, details: ErrorDetails = {}): ServiceResponse {
  const vi = renderError(code, details, 'vi');
  return { Status: statusOf(code), Message: `${vi.message} ${vi.hint}`.trim(), FileName: '', FileServer: '', DocumentNumber: '', DocumentDate: '', ErrorCode: code };
}
