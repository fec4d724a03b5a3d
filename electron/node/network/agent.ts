// What a node tells its peers about its software, without a new wire message: libp2p
// identify's agentVersion, `notary/<version> protocols=1,2`. Peers read from it which protocol
// versions an office runs, so registrars see who has installed the release an upgrade needs.

export const SOFTWARE_NAME = 'notary';
/** The release; test/unit/agent-version.test.ts holds it equal to package.json's version. */
export const SOFTWARE_VERSION = '0.1.0';

/** Protocol versions listed in an agent string at most (the rest are ignored). */
const ADVERTISED_PROTOCOLS_MAX = 64;

export function agentVersionOf(protocols: readonly number[], version = SOFTWARE_VERSION): string {
  return `${SOFTWARE_NAME}/${version} protocols=${protocols.join(',')}`;
}

/** The protocol versions a peer's agent string advertises, or null when it says none (older software). */
export function protocolsOfAgent(agent: string | null | undefined): number[] | null {
  const match = /(?:^|\s)protocols=([0-9,]{1,400})(?:\s|$)/.exec(agent ?? '');
  if (!match) return null;
  const versions = match[1]!
    .split(',')
    .filter((part) => /^[0-9]{1,4}$/.test(part))
    .map(Number)
    .slice(0, ADVERTISED_PROTOCOLS_MAX);
  return versions.length > 0 ? [...new Set(versions)].sort((a, b) => a - b) : null;
}
