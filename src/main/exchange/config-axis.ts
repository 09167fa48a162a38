// Builds the axis / LGSP transport from what a desk is configured with, e.g. from
//   kyso exchange receive --axis https://lgsp.quangninh.gov.vn/vxp --system-id SYT-QN --secret-env KYSO_AXIS_SECRET
// The shared secret is read from the environment variable the configuration names, never from a file.
import { z } from 'zod';
import { KysoError } from '../../shared/errors.js';
import { AxisTransport } from './transport-axis.js';

export const axisConfigSchema = z.object({
  url: z.string().regex(/^https?:\/\/[^/\s]+/i, 'an http:// or https:// address'),
  systemId: z.string().min(1),
  secretEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
  timeoutMs: z.number().int().positive().optional(),
});
export type AxisConfig = z.infer<typeof axisConfigSchema>;

export interface AxisConfigContext {
  /** Where the secret variable is looked up (process.env in the CLI). */
  env: NodeJS.ProcessEnv;
  /** Where received packages are copied (a folder under the data folder). */
  receiveDir: string;
}

export function axisTransportFromConfig(config: AxisConfig, ctx: AxisConfigContext): AxisTransport {
  const parsed = axisConfigSchema.safeParse(config);
  if (!parsed.success) throw new KysoError('USAGE', { reason: `axis configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
  const c = parsed.data;
  const secret = ctx.env[c.secretEnv];
  if (secret === undefined || secret === '') throw new KysoError('USAGE', { reason: `the environment variable ${c.secretEnv} (the axis secret) is not set` });
  return new AxisTransport({ url: c.url, systemId: c.systemId, secret, receiveDir: ctx.receiveDir, timeoutMs: c.timeoutMs });
}
