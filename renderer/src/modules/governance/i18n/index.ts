// The governance module's strings in every language of the interface.
import { be } from './be.js';
import { en } from './en.js';
import { ru } from './ru.js';

export const governanceStrings = { en, ru, be };
