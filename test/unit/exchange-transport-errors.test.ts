// How the transports read what their libraries and servers answer: the error code the engine
// acts on (retry later, do not retry, fix the credentials), and which MIME parts are packages.
import { describe, expect, test } from 'vitest';
import { axisErrorCode } from '../../src/main/exchange/transport-axis.js';
import { edxmlParts, mailErrorCode } from '../../src/main/exchange/transport-mail.js';

describe('mail errors', () => {
  test.each([
    [{ code: 'EAUTH', responseCode: 535 }, 'smtp', 'EXCHANGE_AUTH'],
    [{ code: 'EENVELOPE', responseCode: 550 }, 'smtp', 'EXCHANGE_REFUSED'],
    [{ code: 'EENVELOPE', responseCode: 450 }, 'smtp', 'EXCHANGE_UNREACHABLE'],
    [{ code: 'EMESSAGE', responseCode: 552 }, 'smtp', 'EXCHANGE_REFUSED'],
    [{ code: 'ECONNECTION' }, 'smtp', 'EXCHANGE_UNREACHABLE'],
    [{ code: 'ETLS' }, 'smtp', 'EXCHANGE_UNREACHABLE'],
    [{ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' }, 'imap', 'EXCHANGE_AUTH'],
    [{ code: 'ECONNREFUSED' }, 'imap', 'EXCHANGE_UNREACHABLE'],
    [{ code: 'NoConnection' }, 'imap', 'EXCHANGE_UNREACHABLE'],
    [{ responseStatus: 'NO', responseText: 'Mailbox does not exist' }, 'imap', 'EXCHANGE_REFUSED'],
  ] as const)('%o over %s → %s', (err, side, code) => {
    expect(mailErrorCode(err, side)).toBe(code);
  });
});

describe('axis errors', () => {
  test.each([
    [401, 'EXCHANGE_AUTH'],
    [403, 'EXCHANGE_AUTH'],
    [400, 'EXCHANGE_REFUSED'],
    [404, 'EXCHANGE_REFUSED'],
    [408, 'EXCHANGE_UNREACHABLE'],
    [429, 'EXCHANGE_UNREACHABLE'],
    [500, 'EXCHANGE_UNREACHABLE'],
    [503, 'EXCHANGE_UNREACHABLE'],
  ] as const)('HTTP %i → %s', (status, code) => {
    expect(axisErrorCode(status)).toBe(code);
  });
});

describe('which parts of a mail are packages', () => {
  test('.edxml attachments by disposition filename or content-type name, nested multiparts included', () => {
    expect(
      edxmlParts({
        type: 'multipart/mixed',
        childNodes: [
          { part: '1', type: 'text/plain' },
          { part: '2', type: 'application/xml', disposition: 'attachment', dispositionParameters: { filename: '000.00.00.G22_15-QĐ-SYT.edxml' } },
          { part: '3', type: 'multipart/mixed', childNodes: [{ part: '3.1', type: 'application/octet-stream', parameters: { name: 'B.EDXML' } }] },
          { part: '4', type: 'application/pdf', dispositionParameters: { filename: 'lich-hop.pdf' } },
        ],
      }),
    ).toEqual([
      { part: '2', name: '000.00.00.G22_15-QĐ-SYT.edxml' },
      { part: '3.1', name: 'B.EDXML' },
    ]);
  });

  test('a message that is nothing but the package: part 1', () => {
    expect(edxmlParts({ type: 'application/xml', parameters: { name: 'a.edxml' } })).toEqual([{ part: '1', name: 'a.edxml' }]);
    expect(edxmlParts(undefined)).toEqual([]);
  });
});
