// Which transport carries a package: the one place that turns a configured kind into a Transport.
// The folder transport is built in; the mail (SMTP out, IMAP in) and axis (REST) transports are
// loaded only when a desk uses them (dynamic import), so the other commands never load their code.
// Their settings live in the desk's inbox of their kind (exchange_inboxes): server addresses,
// the login and the NAME of the environment variable holding the password or secret, never a secret.
import { join } from 'node:path';
import { KysoError } from '../../shared/errors.js';
import type { InboxConfigRow, TransportKind } from '../store/exchange.js';
import { FolderTransport } from './transport-folder.js';
import type { Transport } from './transport.js';

export interface TransportContext {
  /** The desk's data folder: received packages are copied under it. */
  dataDir: string;
  /** Where password / secret variables are looked up (process.env by default). */
  env?: NodeJS.ProcessEnv;
}

function configOf(kind: TransportKind, inbox: InboxConfigRow | undefined): Record<string, unknown> {
  if (!inbox) {
    throw new KysoError('EXCHANGE_NOT_CONFIGURED', { what: `the ${kind} transport: configure it with kyso exchange receive ${kind === 'mail' ? '--imap URL --smtp URL --user U --password-env VAR' : '--axis URL --system-id ID --secret-env VAR'}` });
  }
  try {
    return JSON.parse(inbox.config || '{}') as Record<string, unknown>;
  } catch {
    throw new KysoError('EXCHANGE_NOT_CONFIGURED', { what: `the ${kind} transport's stored configuration is unreadable` });
  }
}

/**
 * A transport of this kind for this desk: it sends to any address of its kind and receives from
 * the desk's own inbox of this kind (`inbox`, its settings) when there is one. Mail and axis need
 * that inbox: it holds their servers and login. A desk may have one inbox of each kind.
 */
export async function openTransport(kind: TransportKind, inbox: InboxConfigRow | undefined, ctx: TransportContext): Promise<Transport> {
  const env = ctx.env ?? process.env;
  switch (kind) {
    case 'folder':
      return new FolderTransport(inbox?.address);
    case 'mail': {
      const config = configOf('mail', inbox);
      const { mailTransportFromConfig } = await import('./config-mail.js');
      return mailTransportFromConfig(config as Parameters<typeof mailTransportFromConfig>[0], { env, receiveDir: join(ctx.dataDir, 'exchange', 'mail-in') });
    }
    case 'axis': {
      const config = configOf('axis', inbox);
      const { axisTransportFromConfig } = await import('./config-axis.js');
      return axisTransportFromConfig(config as Parameters<typeof axisTransportFromConfig>[0], { env, receiveDir: join(ctx.dataDir, 'exchange', 'axis-in') });
    }
  }
}
