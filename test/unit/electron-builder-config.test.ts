// electron-builder.yml, checked by electron-builder's own configuration loader and schema
// (the packages themselves cannot be built here: electron-builder downloads Electron), and
// against what the build produces: the main entry, the preload and the renderer it packs.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

interface LoadedConfig {
  files: string[];
  asarUnpack: string[];
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
}

async function loadConfig(): Promise<LoadedConfig> {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<LoadedConfig>;
    validateConfiguration(config: unknown, debugLogger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

describe('electron-builder.yml', () => {
  it('passes electron-builder validation with AppImage + deb, nsis and dmg targets', async () => {
    const config = await loadConfig();
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('unpacks the native LevelDB module from the asar and packs what the build writes', async () => {
    const config = await loadConfig();
    expect(config.asarUnpack).toContain('node_modules/classic-level/**');
    expect(JSON.stringify(config.files)).toContain('"dist/**"');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      main: string;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.main).toBe('dist/electron/main/index.js');
    // built by `npm run build` (CI builds before the tests)
    for (const file of [pkg.main, 'dist/electron/preload/index.cjs', 'dist/renderer/index.html'])
      expect(existsSync(join(root, file)), file).toBe(true);
    // Electron and the builder are build tools, not shipped runtime dependencies
    expect(pkg.dependencies.electron).toBeUndefined();
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(pkg.dependencies['classic-level']).toBeDefined();
  });
});
