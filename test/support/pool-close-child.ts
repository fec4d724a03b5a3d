// Child process of the verify pool's close test: rounds of a pool closed while its worker still
// owes an answer (this thread claimed every chunk first), then "closed" and a normal exit. A
// close that left the worker's termination unsettled ended the process early, with exit code
// 13 ("unsettled top-level await") and without the last line.
import { Domain, generateKeyPair, sign, type SignatureCheck } from '../../shared/crypto/index.js';
import { createFastVerifier } from '../../electron/node/crypto/fast-verify.js';
import { VerifyPool } from '../../electron/node/crypto/verify-pool.js';

const rounds = Number(process.argv[2] ?? 8);
const key = generateKeyPair(new Uint8Array(32).fill(9));
const checks: SignatureCheck[] = Array.from({ length: 400 }, (_, i) => {
  const message = Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j) & 0xff);
  return {
    publicKey: key.publicKey,
    signature: sign(key.secretKey, Domain.tx, 'c', message),
    domain: Domain.tx,
    chainId: 'c',
    message,
  };
});
const main = createFastVerifier({ cacheEntries: 0 });
for (let round = 0; round < rounds; round++) {
  const pool = new VerifyPool({ workers: 1 });
  await pool.start();
  const answers = await pool.submit(checks).finish(main);
  if (!answers.every((answer) => answer === 1)) throw new Error('a valid check was not answered valid');
  await pool.close();
  process.stdout.write(`round ${round + 1}\n`);
}
process.stdout.write('closed\n');
