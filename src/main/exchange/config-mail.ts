// Builds the mail transport from what a desk is configured with, e.g. from
//   kyso exchange receive --imap imap://mail.quangninh.gov.vn:143 --smtp smtp://mail.quangninh.gov.vn:587
//                         --user vanthu@syt.quangninh.gov.vn --password-env KYSO_MAIL_PASSWORD [--ca FILE]
// imap:// and smtp:// use STARTTLS (required); imaps:// and smtps:// TLS from the first byte. The
// password is read from the environment variable the configuration names, never from a file.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { KysoError } from '../../shared/errors.js';
import { MailTransport, type MailEndpoint } from './transport-mail.js';

export const mailConfigSchema = z.object({
  imapUrl: z.string().min(1),
  smtpUrl: z.string().min(1),
  user: z.string().min(1),
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
  /** A PEM file of the CA(s) that issued the mail servers' certificates (an agency's own CA). */
  ca: z.string().min(1).optional(),
  /** This desk's address when the login is not one. */
  address: z.string().email().optional(),
  mailbox: z.string().min(1).optional(),
  processedMailbox: z.string().min(1).optional(),
});
export type MailConfig = z.infer<typeof mailConfigSchema>;

export interface MailConfigContext {
  /** Where the password variable is looked up (process.env in the CLI). */
  env: NodeJS.ProcessEnv;
  /** Where received packages are copied (a folder under the data folder). */
  receiveDir: string;
}

const DEFAULT_PORT: Record<string, number> = { 'imap:': 143, 'imaps:': 993, 'smtp:': 587, 'smtps:': 465 };

/** imap://host[:port], imaps://…, smtp://…, smtps://… to an endpoint; anything else is a usage error. */
export function parseMailUrl(url: string, kind: 'imap' | 'smtp'): MailEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new KysoError('USAGE', { reason: `not a URL: ${url}` });
  }
  if (u.protocol !== `${kind}:` && u.protocol !== `${kind}s:`) throw new KysoError('USAGE', { reason: `${url} is not an ${kind}:// or ${kind}s:// address` });
  if (u.username || u.password) throw new KysoError('USAGE', { reason: `put no credentials in ${kind} addresses: use --user and --password-env` });
  const port = u.port ? Number(u.port) : DEFAULT_PORT[u.protocol]!;
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port, implicitTls: u.protocol.endsWith('s:') };
}

export function mailTransportFromConfig(config: MailConfig, ctx: MailConfigContext): MailTransport {
  const parsed = mailConfigSchema.safeParse(config);
  if (!parsed.success) throw new KysoError('USAGE', { reason: `mail configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
  const c = parsed.data;
  const password = ctx.env[c.passwordEnv];
  if (password === undefined || password === '') throw new KysoError('USAGE', { reason: `the environment variable ${c.passwordEnv} (the mail password) is not set` });
  let ca: string | undefined;
  if (c.ca) {
    try {
      ca = readFileSync(c.ca, 'utf8');
    } catch (e) {
      throw new KysoError('FILE_NOT_FOUND', { path: c.ca }, { cause: e });
    }
  }
  return new MailTransport({
    imap: parseMailUrl(c.imapUrl, 'imap'),
    smtp: parseMailUrl(c.smtpUrl, 'smtp'),
    user: c.user,
    password,
    address: c.address,
    ca,
    receiveDir: ctx.receiveDir,
    mailbox: c.mailbox,
    processedMailbox: c.processedMailbox,
  });
}
