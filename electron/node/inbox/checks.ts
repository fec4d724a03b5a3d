// The checks the ledger will make on a transfer, each answered on its own so the notary sees
// every problem before signing, not only the first. The last check, `ledger`, runs the real
// rules on the transaction as this node would sign it: it is the verdict; the others explain it.
import { CHECK_NAMES, type TransferChecks } from '../../../shared/api/index.js';
import { Domain } from '../../../shared/crypto/index.js';
import {
  contractHashBytes,
  dutyOwedMinor,
  StateKey,
  type Authority,
  type FeeSchedule,
  type PropertyObject,
  type Transaction,
  type TxOf,
} from '../../../shared/ledger/index.js';
import * as shares from '../../../shared/modules/property/shares.js';
import type { Chain } from '../chain/chain.js';

type Check = TransferChecks['checks'][number];
const short = (key: string) => `${key.slice(0, 8)}…`;
const money = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')} BYN`;

export async function transferChecks(
  chain: Chain,
  draft: TxOf<'transfer'>,
  signed: Transaction | undefined,
  options: { id: string; notaryKey: string | undefined; nowMs: number },
): Promise<TransferChecks> {
  const { contract, consents, notary, duty } = draft.payload;
  const checks: Check[] = [];
  const add = (check: Check['check'], ok: boolean, sentence: string, code?: string, values?: Check['values']) =>
    checks.push({ check, ok, sentence, ...(code && !ok ? { code } : {}), ...(values ? { values } : {}) });

  add(
    'chain',
    draft.chainId === chain.chainId,
    draft.chainId === chain.chainId
      ? `made for this registry (${chain.chainId})`
      : `made for another registry (${draft.chainId}), not ${chain.chainId}`,
    'WRONG_CHAIN',
  );
  const expiresIn = draft.expiresAtMs - options.nowMs;
  add(
    'expiry',
    expiresIn > 0,
    expiresIn > 0
      ? `valid until ${new Date(draft.expiresAtMs).toISOString()}`
      : `expired at ${new Date(draft.expiresAtMs).toISOString()}`,
    'EXPIRED',
    { expiresAtMs: draft.expiresAtMs },
  );

  const authority = (await chain.getRecord(StateKey.authority(notary))) as Authority | undefined;
  const isSelf = options.notaryKey === notary;
  const notaryOk = isSelf && authority?.role === 'notary' && authority.status === 'active';
  add(
    'notary',
    notaryOk,
    !isSelf
      ? `names notary ${short(notary)}, not this office's key${options.notaryKey ? ` ${short(options.notaryKey)}` : ''}`
      : !authority || authority.role !== 'notary'
        ? 'this office key is not a registered notary'
        : authority.status !== 'active'
          ? `this notary is ${authority.status}`
          : `certified by ${authority.name}`,
    isSelf ? 'NOTARY_NOT_ACTIVE' : 'UNEXPECTED_SIGNER',
    { notary },
  );

  const object = (await chain.getRecord(StateKey.object(contract.objectId))) as PropertyObject | undefined;
  add(
    'object',
    object !== undefined,
    object ? `${object.id}: ${object.address}` : `object ${contract.objectId} is not in the registry`,
    'UNKNOWN_OBJECT',
    { objectId: contract.objectId },
  );
  if (object) {
    const current = object.version === contract.objectVersion;
    add(
      'version',
      current,
      current
        ? `signed against the current record (version ${object.version})`
        : `the object changed at height ${object.updatedHeight} since the parties signed (version ${contract.objectVersion}, now ${object.version})`,
      'STALE_VERSION',
      { signed: contract.objectVersion, current: object.version },
    );
  }

  // Consents: every seller and buyer (and each mortgage holder) signed this very contract.
  const message = contractHashBytes(contract);
  const valid = new Set(
    consents
      .filter((entry) =>
        chain.verify({
          publicKey: entry.key,
          signature: entry.signature,
          domain: Domain.contract,
          chainId: chain.chainId,
          message,
        }),
      )
      .map((entry) => entry.key),
  );
  const badSignatures = consents.filter((entry) => !valid.has(entry.key)).map((entry) => short(entry.key));
  const missing = [...contract.sellers, ...contract.buyers]
    .filter((party) => !valid.has(party.key))
    .map((party) => short(party.key));
  add(
    'consents',
    badSignatures.length === 0 && missing.length === 0,
    badSignatures.length > 0
      ? `signatures that do not verify: ${badSignatures.join(', ')}`
      : missing.length > 0
        ? `not signed by ${missing.join(', ')}`
        : `signed by all ${contract.sellers.length + contract.buyers.length} parties`,
    badSignatures.length > 0 ? 'BAD_SIGNATURE' : 'MISSING_SIGNATURE',
  );

  if (object) {
    const owned = new Map(object.owners.map((owner) => [owner.key, shares.fraction(owner.share)]));
    const short_ = contract.sellers.filter((seller) => {
      const have = owned.get(seller.key);
      return !have || shares.compare(have, shares.fraction(seller.share)) < 0;
    });
    const sold = shares.sum(contract.sellers.map((seller) => seller.share));
    const bought = shares.sum(contract.buyers.map((buyer) => buyer.share));
    const balanced = shares.compare(sold, bought) === 0;
    add(
      'shares',
      short_.length === 0 && balanced,
      short_.length > 0
        ? `does not own the share sold: ${short_.map((seller) => short(seller.key)).join(', ')}`
        : !balanced
          ? 'the shares sold and bought differ'
          : 'the sellers own the shares they sell',
      short_.length > 0 ? 'SELLER_NOT_OWNER' : 'SHARES_MISMATCH',
    );
    const blocking = object.encumbrances.filter(
      (encumbrance) => encumbrance.kind === 'arrest' || !valid.has(encumbrance.holder),
    );
    add(
      'encumbrances',
      blocking.length === 0,
      blocking.length === 0
        ? object.encumbrances.length === 0
          ? 'no encumbrances'
          : 'every mortgage holder consented'
        : blocking
            .map((encumbrance) =>
              encumbrance.kind === 'arrest'
                ? `under arrest (${encumbrance.reference})`
                : `mortgaged (${encumbrance.reference}) without the holder's consent`,
            )
            .join('; '),
      'ENCUMBERED',
    );
  }

  const fees = (await chain.getRecord(StateKey.fees)) as FeeSchedule;
  const owed = dutyOwedMinor(fees, contract.priceMinor);
  add(
    'duty',
    duty.amountMinor >= owed,
    duty.amountMinor >= owed
      ? `state duty ${money(duty.amountMinor)} paid (${duty.reference}); ${money(owed)} owed`
      : `state duty paid ${money(duty.amountMinor)} is below the ${money(owed)} owed`,
    'DUTY_TOO_LOW',
    {
      paidMinor: duty.amountMinor,
      owedMinor: owed,
    },
  );

  // The verdict: the ledger's own rules, on the transaction exactly as it would be submitted.
  if (signed) {
    const outcome = await chain.checkTransaction(signed, options.nowMs);
    add(
      'ledger',
      outcome.ok,
      outcome.ok ? 'the ledger accepts it as of the current block' : outcome.sentence,
      outcome.ok ? undefined : outcome.code,
    );
  } else {
    add('ledger', false, 'this office has no notary key to certify with', 'NOT_AUTHORIZED');
  }
  checks.sort((a, b) => CHECK_NAMES.indexOf(a.check) - CHECK_NAMES.indexOf(b.check));
  return {
    id: options.id,
    ok: checks.every((check) => check.ok),
    checks,
    dutyOwedMinor: owed,
    atHeight: chain.head.height,
  };
}
