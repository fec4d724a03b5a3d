// `notary verify`: checks a receipt or ownership certificate offline, with shared/ code alone,
// against validator keys the user trusts (from a genesis file or a list of keys).
import { resolve } from 'node:path';
import { Command } from 'commander';
import { isPublicKeyHex } from '../../../shared/crypto/index.js';
import { parseGenesis, type Transaction } from '../../../shared/ledger/index.js';
import {
  decodeQrDocument,
  isQrText,
  verifyCertificate,
  verifyReceipt,
  type VerifyResult,
} from '../../../shared/receipt/index.js';
import { describeCommand } from './command-descriptions.js';
import { CliError } from './errors.js';
import { createFastVerifier } from '../crypto/fast-verify.js';
import { readJsonFile, readTextFile } from './files.js';

/** The exit code of a self-consistent document checked against no trust anchor. */
export const EXIT_NO_TRUST_ANCHOR = 2;

interface Trust {
  keys: string[];
  chainId?: string;
  source: string;
}

/** A receipt or certificate as JSON, or as the text its QR code carries. */
async function readDocument(path: string): Promise<unknown> {
  const text = await readTextFile(path, 'receipt or certificate');
  if (isQrText(text)) {
    try {
      return await decodeQrDocument(text);
    } catch (error) {
      throw new CliError(`The QR text in ${path} cannot be read: ${(error as Error).message}.`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `The receipt or certificate at ${path} is neither JSON nor a QR text: ${(error as Error).message}.`,
    );
  }
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description(describeCommand('verify'))
    .argument('<file>', 'a receipt or certificate: its JSON file, or the text of its printed QR code (NOTARY1:...)')
    .option('--genesis <file>', 'trust the registrars and notaries of this genesis file')
    .option('--trusted-validators <file>', 'trust the validator keys in this JSON list')
    .action(async (file: string, options: { genesis?: string; trustedValidators?: string }) => {
      if (options.genesis && options.trustedValidators)
        throw new CliError('Give either --genesis or --trusted-validators, not both.');
      const trust = options.genesis
        ? await trustFromGenesis(resolve(options.genesis))
        : options.trustedValidators
          ? await trustFromList(resolve(options.trustedValidators))
          : undefined;
      const document = await readDocument(resolve(file));
      const kind = (document as { kind?: unknown } | null)?.kind;
      if (kind !== 'receipt' && kind !== 'certificate') {
        console.log(
          `INVALID (MALFORMED): ${file} is neither a receipt nor a certificate (its "kind" is not "receipt" or "certificate").`,
        );
        process.exitCode = 1;
        return;
      }
      // OpenSSL's ed25519 (node:crypto) gives the same answers as the shared noble code, ~10x faster
      const verifyOptions = { verify: createFastVerifier(), ...(trust ? { trustedValidators: trust.keys } : {}) };
      const result =
        kind === 'receipt' ? verifyReceipt(document, verifyOptions) : verifyCertificate(document, verifyOptions);
      const line = describe(result, document, trust);
      if (!trust && line.ok) {
        // Without a trust anchor, anyone can sign a self-consistent document with keys they made
        // up: it is never "valid", and the exit code is not 0, so a script cannot take it for one.
        console.log(
          `UNVERIFIED (NO_TRUST_ANCHOR): the document is self-consistent, but nothing shows your registry issued it: its signers are checked against no validators you trust. ` +
            "Give --genesis with your registry's genesis.json (DATA/genesis.json of any node) or --trusted-validators with a list of validator keys.",
        );
        process.exitCode = EXIT_NO_TRUST_ANCHOR;
        return;
      }
      console.log(line.text);
      process.exitCode = line.ok ? 0 : 1;
    });
}

function describe(result: VerifyResult, document: unknown, trust: Trust | undefined): { ok: boolean; text: string } {
  if (!result.ok) return { ok: false, text: `INVALID (${result.code}): ${result.reason}` };
  if (trust?.chainId !== undefined && result.chainId !== trust.chainId) {
    return {
      ok: false,
      text: `INVALID (WRONG_CHAIN): the document is from chain ${result.chainId}, not ${trust.chainId} of ${trust.source}`,
    };
  }
  const where = `final at height ${result.height}, block ${result.blockHash}, time ${new Date(result.timeMs).toISOString()}, chain ${result.chainId}`;
  const { kind } = document as { kind: string };
  if (kind === 'receipt') {
    const tx = (document as { tx: Transaction }).tx;
    return { ok: true, text: `valid: ${tx.type}${subjectOf(tx)} (tx ${result.subject}) ${where}` };
  }
  return { ok: true, text: `valid: ownership certificate of ${result.subject} ${where}` };
}

/** The property object a transaction is about, when it has one. */
function subjectOf(tx: Transaction): string {
  const payload = tx.payload as { contract?: { objectId?: unknown }; objectId?: unknown; object?: { id?: unknown } };
  const id = payload.contract?.objectId ?? payload.objectId ?? payload.object?.id;
  return typeof id === 'string' ? ` of ${id}` : '';
}

async function trustFromGenesis(path: string): Promise<Trust> {
  const json = await readJsonFile(path, 'genesis');
  let genesis;
  try {
    genesis = parseGenesis(json);
  } catch (error) {
    throw new CliError(`${path} is not a genesis file: ${(error as Error).message}.`);
  }
  // DESIGN §1: active registrars and notaries are the validators; observers never vote, and a
  // genesis authority listed suspended (decision #26) does not either.
  const keys = genesis.authorities
    .filter(
      (authority) =>
        (authority.role === 'registrar' || authority.role === 'notary') && authority.status !== 'suspended',
    )
    .map((authority) => authority.key);
  if (keys.length === 0) throw new CliError(`The genesis ${path} names no registrars or notaries to trust.`);
  return { keys, chainId: genesis.chainId, source: path };
}

async function trustFromList(path: string): Promise<Trust> {
  const json = await readJsonFile(path, 'list of trusted validator keys');
  const keys = Array.isArray(json) ? json : (json as { validators?: unknown } | null)?.validators;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every(isPublicKeyHex)) {
    throw new CliError(`${path} must hold a JSON list of validator public keys (64 lowercase hex characters each).`);
  }
  return { keys, source: path };
}
