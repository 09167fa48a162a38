// Which transport carries a package: the one place that turns a configured kind into a Transport.
// The folder transport is here; the mail (SMTP/IMAP) and axis (REST) transports plug in below.
import { KysoError } from '../../shared/errors.js';
import type { SelfRow, TransportKind } from '../store/exchange.js';
import { FolderTransport } from './transport-folder.js';
import type { Transport } from './transport.js';

/**
 * A transport of this kind for this desk: it sends to any address of its kind and receives from
 * the desk's own inbox when that inbox is of this kind (self.inbox_config holds its settings).
 */
export function openTransport(kind: TransportKind, self: SelfRow): Transport {
  switch (kind) {
    case 'folder':
      return new FolderTransport(self.inbox_kind === 'folder' && self.inbox_address ? self.inbox_address : undefined);
    case 'mail': // the mail transport (SMTP out, IMAP in) is added here
    case 'axis': // the national axis / LGSP transport (REST) is added here
      throw new KysoError('EXCHANGE_NOT_CONFIGURED', { what: `the ${kind} transport is not available in this build` });
  }
}
