export * from './contract.js';
export * from './routes.js';
export * from './openapi.js';
