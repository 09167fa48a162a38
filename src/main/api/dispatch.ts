// The one place where a call from the renderer enters the main process, whatever carried it (IPC
// or HTTP): the name is looked up in the contract, the input checked against its schema, the
// handler run, and the answer — value or error — wrapped as a Result. Nothing thrown crosses.
import { KysoError, toKysoError } from '../../shared/errors.js';
import { lookupCall, type CallName, type OutputOf, type ParsedInputOf, type Result } from '../../shared/contract.js';

/** One function per call of the contract, taking the checked input. */
export type Handlers = { [N in CallName]: (input: ParsedInputOf<N>) => Promise<OutputOf<N>> | OutputOf<N> };

export type Dispatch = (name: string, input: unknown) => Promise<Result<unknown>>;

/** Called with each failure, for the log; never with the input (it may hold a PIN). */
export type ErrorLog = (name: string, error: KysoError) => void;

export function createDispatcher(handlers: Handlers, log: ErrorLog = () => undefined): Dispatch {
  return async (name, input) => {
    const schemas = lookupCall(name);
    if (!schemas) return { ok: false, error: { code: 'API_UNKNOWN_CALL', details: { name } } };
    const parsed = schemas.input.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const reason = issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'invalid';
      return { ok: false, error: { code: 'API_INVALID_INPUT', details: { name, reason } } };
    }
    try {
      const handler = handlers[name as CallName] as (i: unknown) => unknown;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (e) {
      const err = toKysoError(e);
      log(name, err);
      return { ok: false, error: err.toPayload() };
    }
  };
}
