// The election module's API method names, free of zod for the sandboxed preload (shared/api/methods.ts).
export const ELECTION_API_METHODS = [
  'elections',
  'election',
  'electionDealings',
  'electionCredential',
  'electionExport',
  'electionBallots',
  'electionTurnout',
  'electionCast',
  'electionRegister',
  'electionClose',
] as const;
