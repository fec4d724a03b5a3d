// The property module's API method names, free of zod for the sandboxed preload (shared/api/methods.ts).
export const PROPERTY_API_METHODS = ['property', 'propertyHistory', 'search', 'correctProperty'] as const;
