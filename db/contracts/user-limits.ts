// What one user may hold or do at once, with the defaults; the operator changes them through the environment
// (db/platform/config.server.ts, the README's env table; ADR 161).
export interface UserLimits {
  /** Subscriptions that are not cancelled. */
  subscriptions: number;
  /** Open event streams, per web process. */
  eventStreams: number;
  /** API requests per minute, each token and all of a user's tokens together. */
  apiRequestsPerMinutePerToken: number;
  apiRequestsPerMinutePerUser: number;
}

export const DEFAULT_USER_LIMITS: UserLimits = {
  subscriptions: 100,
  eventStreams: 10,
  apiRequestsPerMinutePerToken: 120,
  apiRequestsPerMinutePerUser: 300,
};
