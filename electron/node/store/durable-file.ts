// Every file the node writes goes through writeFileDurably, so it survives a power cut whole:
// write a temporary file, sync it, rename it over the old one, then sync the folder so the
// rename itself is on disk. A crash leaves either the old content or the new, never half.
// The signing state, the committed-head record, the pending log's rewrite, the keystore, the
// inbox, the API token, config.json and genesis.json, and the CLI's output files.
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Makes a rename in `dir` durable. Windows cannot open a directory; its rename is durable enough there. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if (process.platform === 'win32') return;
    throw error;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `path` with `content` durably (see above), with `mode` (the temporary file is always new). */
export async function writeFileDurably(path: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
  // per process: two CLI runs writing one output file never share a temporary file
  const temporary = `${path}.tmp-${process.pid}`;
  await rm(temporary, { force: true }); // a leftover of a crash would keep its old mode
  const file = await open(temporary, 'wx', mode);
  try {
    await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path).catch(async (error: unknown) => {
    await rm(temporary, { force: true });
    throw error;
  });
  await syncDirectory(dirname(path));
}
