/**
 * Voice ID's error vocabulary. Operations throw these; the transports turn them into wire shapes in one place
 * (lambda/transport/errors.ts), so no operation ever knows about HTTP.
 */

export type ResourceType = 'BATCH_JOB' | 'COMPLIANCE_CONSENT' | 'DOMAIN' | 'FRAUDSTER' | 'SESSION' | 'SPEAKER' | 'WATCHLIST';

export type ConflictType =
  | 'ANOTHER_ACTIVE_STREAM'
  | 'DOMAIN_NOT_ACTIVE'
  | 'CANNOT_CHANGE_SPEAKER_AFTER_ENROLLMENT'
  | 'ENROLLMENT_ALREADY_EXISTS'
  | 'SPEAKER_NOT_SET'
  | 'SPEAKER_OPTED_OUT'
  | 'CONCURRENT_CHANGES'
  | 'DOMAIN_LOCKED_FROM_ENCRYPTION_UPDATES'
  | 'CANNOT_DELETE_NON_EMPTY_WATCHLIST'
  | 'FRAUDSTER_MUST_BELONG_TO_AT_LEAST_ONE_WATCHLIST';

export abstract class VoiceIdError extends Error {
  abstract readonly name: string;
  abstract readonly statusCode: number;

  /** Members sent beside `message` in the error body (ConflictType, ResourceType). */
  details(): Record<string, string> {
    return {};
  }
}

export class ValidationException extends VoiceIdError {
  readonly name = 'ValidationException';
  readonly statusCode = 400;
}

export class AccessDeniedException extends VoiceIdError {
  readonly name = 'AccessDeniedException';
  readonly statusCode = 403;
}

export class ResourceNotFoundException extends VoiceIdError {
  readonly name = 'ResourceNotFoundException';
  readonly statusCode = 404;

  constructor(
    readonly resourceType: ResourceType,
    message: string,
  ) {
    super(message);
  }

  details(): Record<string, string> {
    return { ResourceType: this.resourceType };
  }
}

export class ConflictException extends VoiceIdError {
  readonly name = 'ConflictException';
  readonly statusCode = 409;

  constructor(
    readonly conflictType: ConflictType,
    message: string,
  ) {
    super(message);
  }

  details(): Record<string, string> {
    return { ConflictType: this.conflictType };
  }
}

export class ServiceQuotaExceededException extends VoiceIdError {
  readonly name = 'ServiceQuotaExceededException';
  readonly statusCode = 402;
}

export class ThrottlingException extends VoiceIdError {
  readonly name = 'ThrottlingException';
  readonly statusCode = 429;
}

export class InternalServerException extends VoiceIdError {
  readonly name = 'InternalServerException';
  readonly statusCode = 500;
}
