// The layer rule of DESIGN §3 is enforced by lint: a wrong import must fail CI.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restrictedImports(filePath: string, code: string): Promise<number> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').length;
}

describe('layer rule', () => {
  it('refuses node code, renderer code and Node built-ins in shared/', async () => {
    expect(
      await restrictedImports(
        'shared/ledger/x.ts',
        "import { Chain } from '../../electron/node/chain/chain.js';\nexport { Chain };\n",
      ),
    ).toBeGreaterThan(0);
    expect(
      await restrictedImports(
        'shared/ledger/x.ts',
        "import { readFileSync } from 'node:fs';\nexport { readFileSync };\n",
      ),
    ).toBeGreaterThan(0);
    expect(
      await restrictedImports('shared/ledger/x.ts', "import { createHash } from 'crypto';\nexport { createHash };\n"),
    ).toBeGreaterThan(0);
    expect(
      await restrictedImports(
        'shared/ledger/x.ts',
        "import { sha256 } from '../crypto/index.js';\nexport { sha256 };\n",
      ),
    ).toBe(0);
  });

  it('refuses node code in the renderer, and Electron in the node', async () => {
    expect(
      await restrictedImports(
        'renderer/src/x.ts',
        "import { Chain } from '../../electron/node/chain/chain.js';\nexport { Chain };\n",
      ),
    ).toBeGreaterThan(0);
    expect(
      await restrictedImports('electron/node/x.ts', "import { app } from 'electron';\nexport { app };\n"),
    ).toBeGreaterThan(0);
    expect(
      await restrictedImports(
        'electron/node/x.ts',
        "import { sha256 } from '../../shared/crypto/index.js';\nexport { sha256 };\n",
      ),
    ).toBe(0);
  });
});
