// The screens in navigation order, and the printable documents: the shell's own and each UI
// module's (modules/index.tsx). The navigation lists Overview, the registry systems' screens,
// Network, Explorer and Checkpoints, the network's screens of the modules (Governance), then Settings.
import { IconHome, IconNetwork, IconSettings, IconShieldCheck, IconTopologyStar3 } from '@tabler/icons-react';
import type { ComponentType } from 'react';
import type { ShellResource } from '../i18n/en.js';
import { MODULE_PRINTS, moduleScreens } from '../modules/index.js';
import type { UiScreen } from '../modules/types.js';
import type { ScreenName } from '../router.js';
import { Checkpoints } from './Checkpoints.js';
import { Explorer } from './Explorer.js';
import { NetworkScreen } from './Network.js';
import { Overview } from './Overview.js';
import { PrintReceipt } from './PrintReceipt.js';
import { Settings } from './Settings.js';

type ShellScreen = Omit<UiScreen<keyof ShellResource['nav']>, 'navGroup'>;
const overview: ShellScreen = { name: 'overview', icon: IconHome, component: Overview };
const network: ShellScreen = { name: 'network', icon: IconNetwork, component: NetworkScreen };
const explorer: ShellScreen = { name: 'explorer', icon: IconTopologyStar3, component: Explorer };
const checkpoints: ShellScreen = { name: 'checkpoints', icon: IconShieldCheck, component: Checkpoints };
const settings: ShellScreen = { name: 'settings', icon: IconSettings, component: Settings };

export const SCREENS: readonly Omit<UiScreen<ScreenName>, 'navGroup'>[] = [
  overview,
  ...moduleScreens('registry'),
  network,
  explorer,
  checkpoints,
  ...moduleScreens('network'),
  settings,
];

export const SCREEN_NAMES: readonly ScreenName[] = SCREENS.map((screen) => screen.name);

/** `#/print/<kind>/<id>`: the receipt is the shell's, the rest the modules' (the certificate). */
export const PRINTS: ReadonlyMap<string, ComponentType<{ id: string }>> = new Map<
  string,
  ComponentType<{ id: string }>
>([['receipt', PrintReceipt], ...MODULE_PRINTS]);
if (PRINTS.size !== MODULE_PRINTS.size + 1)
  throw new Error("a UI module claims the print kind receipt, which is the shell's");
