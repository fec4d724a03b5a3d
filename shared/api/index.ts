export * from './contract.js';
export * from './routes.js';
export * from './openapi.js';
export * from './client.js';
export * from './methods.js';
export * from './handlers.js';
