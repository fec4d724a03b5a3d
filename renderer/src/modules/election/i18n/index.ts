// The election module's strings in every language of the interface.
import { be } from './be.js';
import { en } from './en.js';
import { ru } from './ru.js';

export const electionStrings = { en, ru, be };
