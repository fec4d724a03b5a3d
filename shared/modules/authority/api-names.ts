// The authority module's API method names, free of zod for the sandboxed preload (shared/api/methods.ts).
export const AUTHORITY_API_METHODS = ['cosign'] as const;
