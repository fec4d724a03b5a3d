// A node run with its clock off, for tests (issue 19, "Clocks"): NOTARY_TEST_CLOCK_OFFSET_MS
// moves the node's injected clock (decision #48) by that many milliseconds, on a development
// chain only. Safe because it makes the node exactly as wrong as a computer whose clock is
// set wrong, which any office can already be and the protocol tolerates (decision #66): it
// changes no rule, no message and nothing any other node accepts. Refused on every other
// chain, at start and loudly, so a variable left set on an office's computer is noticed.
import { DEV_CHAIN_ID, DEVNET_CHAIN_ID } from '../dev/demo-registry.js';

export const TEST_CLOCK_OFFSET_ENV = 'NOTARY_TEST_CLOCK_OFFSET_MS';
/** A day either way: enough for any test, and no overflow in anything that adds to the time. */
const TEST_CLOCK_OFFSET_MAX_MS = 86_400_000;
const DEVELOPMENT_CHAINS: readonly string[] = [DEV_CHAIN_ID, DEVNET_CHAIN_ID];

/** The offset the environment asks for on this chain (0 when unset); throws where it is refused. */
export function testClockOffsetMs(chainId: string, env: NodeJS.ProcessEnv = process.env): number {
  const value = env[TEST_CLOCK_OFFSET_ENV];
  if (value === undefined || value === '') return 0;
  const offsetMs = Number(value);
  if (!Number.isSafeInteger(offsetMs) || Math.abs(offsetMs) > TEST_CLOCK_OFFSET_MAX_MS)
    throw new Error(`${TEST_CLOCK_OFFSET_ENV}=${value} is not a whole number of milliseconds within a day either way`);
  if (!DEVELOPMENT_CHAINS.includes(chainId))
    throw new Error(
      `${TEST_CLOCK_OFFSET_ENV} is for development networks only (${DEVELOPMENT_CHAINS.join(', ')}), not ${chainId}: unset it`,
    );
  return offsetMs;
}
