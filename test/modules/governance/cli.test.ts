// `notary tx governance upgrade | cancel-upgrade | params` and the designation options of
// `notary tx authority add | update`: each writes a checked, unsigned transaction file that
// registrars then co-sign (`notary tx sign`) like any authority change.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { authorityCommand } from '../../../electron/node/modules/authority/cli.js';
import { governanceCommand } from '../../../electron/node/modules/governance/cli.js';

let dir: string;
const key = 'ab'.repeat(32);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-gov-cli-'));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

async function build(command: () => Command, name: string, ...args: string[]): Promise<Record<string, unknown>> {
  const out = join(dir, `${name}-${args.length}-${Math.random()}.json`);
  const program = command().exitOverride();
  for (const sub of program.commands) sub.exitOverride();
  await program.parseAsync([name, '--chain-id', 'by-registry-test', '--nonce', '1', ...args, '--out', out], {
    from: 'user',
  });
  return JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
}

describe('notary tx governance', () => {
  it('upgrade schedules a version at a height, with its name', async () => {
    const tx = await build(
      governanceCommand,
      'upgrade',
      '--version',
      '2',
      '--height',
      '1200',
      '--name',
      'designated validators',
    );
    expect(tx).toMatchObject({
      type: 'governance.upgrade',
      payload: { schedule: { version: 2, height: 1200, name: 'designated validators' } },
      signatures: [],
    });
  });

  it('cancel-upgrade names the upgrade it cancels', async () => {
    const tx = await build(governanceCommand, 'cancel-upgrade', '--version', '2', '--height', '1200');
    expect(tx).toMatchObject({ type: 'governance.upgrade', payload: { cancel: { version: 2, height: 1200 } } });
  });

  it('params changes only what is given, inside the bounds', async () => {
    const tx = await build(governanceCommand, 'params', '--heartbeat-ms', '300000');
    expect(tx).toMatchObject({ type: 'governance.params', payload: { changes: { heartbeatMs: 300_000 } } });
    await expect(build(governanceCommand, 'params')).rejects.toThrow(/--max-validators or --heartbeat-ms/);
    await expect(build(governanceCommand, 'params', '--heartbeat-ms', '10')).rejects.toThrow(/1000 to 3600000/);
  });
});

describe('notary tx authority: designating validators', () => {
  it('add --validator yes designates the new office', async () => {
    const tx = await build(
      authorityCommand,
      'add',
      '--key',
      key,
      '--role',
      'notary',
      '--name',
      'Notary K',
      '--validator',
      'yes',
    );
    expect(tx).toMatchObject({ type: 'authority.add', payload: { authority: { key, validator: true } } });
  });

  it('update --validator no withdraws it; without --validator the field stays out', async () => {
    const tx = await build(authorityCommand, 'update', '--key', key, '--version', '3', '--validator', 'no');
    expect(tx).toMatchObject({ type: 'authority.update', payload: { key, version: 3, changes: { validator: false } } });
    const rename = await build(authorityCommand, 'update', '--key', key, '--version', '3', '--name', 'Notary L');
    expect((rename.payload as { changes: object }).changes).toEqual({ name: 'Notary L' });
  });
});
