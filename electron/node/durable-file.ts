// Files that must survive a power cut whole: write a temporary file, sync it, rename it over
// the old one, then sync the folder so the rename itself is on disk. A crash leaves either
// the old content or the new, never half. Used by the signing state (priv-validator.json),
// the committed-head record and the pending log's rewrite.
import { open, rename, rm, writeFile } from 'node:fs/promises';
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

/** Replaces `path` with `content` durably (see above); `mode` applies to a new file. */
export async function writeFileDurably(path: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
  const temporary = `${path}.tmp`; // one writer per file: each lives in a folder one process holds
  const file = await open(temporary, 'w', mode);
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

/**
 * Writes a file so that a crash leaves either the old or the new content, never half (the
 * content is flushed before the rename; the folder is not synced: see writeFileDurably).
 */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, content, { mode, flush: true });
  await rename(temporary, path);
}
