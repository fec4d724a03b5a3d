// The protocol versions this node runs: every version the software knows, or fewer when the
// environment says NOTARY_PROTOCOL_MAX (how tests, and an operator rehearsing an upgrade,
// play an office that has not installed the new release yet).
import { PROTOCOL_VERSIONS_KNOWN } from '../../../shared/ledger/index.js';

export const PROTOCOL_MAX_ENV = 'NOTARY_PROTOCOL_MAX';

/** The versions this node runs, ascending; throws on a NOTARY_PROTOCOL_MAX that is not one of them. */
export function supportedProtocols(env: NodeJS.ProcessEnv = process.env): number[] {
  const value = env[PROTOCOL_MAX_ENV];
  if (value === undefined || value === '') return [...PROTOCOL_VERSIONS_KNOWN];
  const max = Number(value);
  if (!Number.isSafeInteger(max) || !PROTOCOL_VERSIONS_KNOWN.includes(max))
    throw new Error(
      `${PROTOCOL_MAX_ENV}=${value} is not a protocol version this software knows (${PROTOCOL_VERSIONS_KNOWN.join(', ')})`,
    );
  return PROTOCOL_VERSIONS_KNOWN.filter((version) => version <= max);
}
