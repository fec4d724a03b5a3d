export * from './errors.js';
export * from './manifest.js';
export * from './verify.js';
export * from './light-client.js';
export * from './chunker.js';
