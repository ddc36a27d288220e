import { randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Voice ID's resource ids (DomainId, WatchlistId, JobId, result ids): 22 random alphanumerics, about 131 bits. */
export function newResourceId(): string {
  let id = '';
  for (let i = 0; i < 22; i++) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return id;
}

/** GeneratedSpeakerId, GeneratedFraudsterId and SessionId carry an `id#` prefix. */
export function newPrefixedId(): string {
  return `id#${newResourceId()}`;
}
