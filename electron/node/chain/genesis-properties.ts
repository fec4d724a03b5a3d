// The property objects of a national-scale genesis, streamed from a file (issue #6: 7.4
// million objects). A genesis.json holding them inline would be over a gigabyte: more than
// V8's longest string, so `JSON.parse` cannot even read it. Such a registry ships its genesis
// as two files: `genesis.json` without `properties`, and `genesis-properties.ndjson`, one
// object per line in the registry's order. The genesis is the same document either way: the
// same digest, the same genesis block (the digest hashes the header and then each object in
// order, whichever file it came from).
import { createReadStream } from 'node:fs';
import { schema, type Genesis } from '../../../shared/ledger/index.js';
import { GenesisDigest, type GenesisProperty } from './genesis-import.js';

/** One object's line at most (an object with many owners and encumbrances is a few KiB). */
export const GENESIS_PROPERTY_LINE_BYTES_MAX = 64 * 1024;
/** As many objects as an inline genesis may hold. */
export const GENESIS_PROPERTIES_MAX = 10_000_000;

export class GenesisPropertiesError extends Error {
  readonly code = 'GENESIS_INVALID' as const;
  constructor(message: string) {
    super(message);
    this.name = 'GenesisPropertiesError';
  }
}

const NEWLINE = 0x0a;

/**
 * The objects of `path`, one per non-empty line, each checked as a genesis object. A bad line
 * stops the stream with GENESIS_INVALID naming the file and line; memory stays bounded by the
 * line limit whatever the file holds.
 */
export async function* readGenesisProperties(path: string): AsyncGenerator<GenesisProperty> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  let objects = 0;
  const fail = (message: string) => new GenesisPropertiesError(`${path}, line ${line}: ${message}`);
  function parseLine(bytes: Buffer): GenesisProperty | undefined {
    line++;
    const text = bytes.toString('utf8').trim();
    if (text.length === 0) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw fail('not a JSON object');
    }
    const parsed = schema.registerPayload.shape.object.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw fail(`not a valid genesis object at ${issue?.path.join('.') || 'the top'}: ${issue?.message}`);
    }
    if (++objects > GENESIS_PROPERTIES_MAX) throw fail(`more than ${GENESIS_PROPERTIES_MAX} objects`);
    return parsed.data as GenesisProperty;
  }
  let stream;
  try {
    stream = createReadStream(path, { highWaterMark: 1 << 20 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, end);
        const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        pendingBytes = 0;
        if (bytes.length > GENESIS_PROPERTY_LINE_BYTES_MAX) {
          line++;
          throw fail(`longer than ${GENESIS_PROPERTY_LINE_BYTES_MAX} bytes`);
        }
        const object = parseLine(bytes);
        if (object) yield object;
        start = end + 1;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > GENESIS_PROPERTY_LINE_BYTES_MAX) {
          line++;
          throw fail(`longer than ${GENESIS_PROPERTY_LINE_BYTES_MAX} bytes`);
        }
      }
    }
  } catch (error) {
    if (error instanceof GenesisPropertiesError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new GenesisPropertiesError(`${path}: cannot be read (${code ?? (error as Error).message})`);
  } finally {
    stream?.destroy();
  }
  if (pending.length > 0) {
    const object = parseLine(Buffer.concat(pending));
    if (object) yield object;
  }
}

/** The genesis digest of `genesis` (without properties) followed by the objects of `path`: as genesisDigest of the inline document. */
export async function genesisPropertiesDigest(genesis: Genesis, path: string): Promise<string> {
  const digest = new GenesisDigest(genesis);
  for await (const object of readGenesisProperties(path)) digest.add(object);
  return digest.hex();
}
