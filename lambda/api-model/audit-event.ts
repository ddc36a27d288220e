import { randomUUID } from 'node:crypto';
import { domainArn } from './domain.ts';

/**
 * Audit events, modelled on the events Voice ID sent to EventBridge (../shared/docs/voice-id-reference.md,
 * "Events"): one per transaction that changes or decides something, with Voice ID's detail-types and common detail
 * fields (sourceId, action, status, errorInfo, domainId) and the object acted on in camelCase. They carry decisions
 * and ids only: never audio, voiceprints, embeddings or the content of a job's manifest.
 *
 * The source is this project's, not `aws.voiceid`: EventBridge reserves the `aws.` prefix for AWS services, so
 * PutEvents refuses it. Rules written for Voice ID change only their `source`.
 */
export const AUDIT_EVENT_SOURCE = 'open-voice-id';

export type AuditDetailType =
  | 'VoiceId Start Session Action'
  | 'VoiceId Update Session Action'
  | 'VoiceId Evaluate Session Action'
  | 'VoiceId Speaker Action'
  | 'VoiceId Fraudster Action'
  | 'VoiceId Session Speaker Enrollment Action'
  | 'VoiceId Batch Speaker Enrollment Action'
  | 'VoiceId Batch Fraudster Registration Action';

/** Voice ID's errorInfo: the HTTP status code, the error's message and its type (the exception's name). */
export interface AuditErrorInfo {
  errorCode: number;
  errorMessage: string;
  errorType: string;
}

export interface AuditDetail {
  /** Unique per event, for de-duplication downstream (EventBridge delivers at least once). */
  sourceId: string;
  /** Like the API called: START_SESSION, EVALUATE_SESSION, DELETE_SPEAKER... */
  action: string;
  status: 'SUCCESS' | 'FAILURE';
  domainId: string;
  errorInfo?: AuditErrorInfo;
  /** The object acted on, in camelCase: `session`, `authenticationResult`, `speaker`, `fraudster`, `job`... */
  [subject: string]: unknown;
}

/** An event as EventBridge delivers it (the embedded stack writes exactly this shape). */
export interface AuditEvent {
  version: '0';
  id: string;
  'detail-type': AuditDetailType;
  source: typeof AUDIT_EVENT_SOURCE;
  account: string;
  /** ISO 8601, UTC. */
  time: string;
  region: string;
  /** The domain's ARN. */
  resources: string[];
  detail: AuditDetail;
}

/** What a transaction says about itself; the envelope and the common fields are filled in by `auditEvent`. */
export interface AuditRecord {
  detailType: AuditDetailType;
  action: string;
  domainId: string;
  /** The object acted on (ids and decisions only). */
  subject: Record<string, unknown>;
  errorInfo?: AuditErrorInfo;
}

export function auditEvent(record: AuditRecord, where: { region: string; accountId: string; nowMs: number }): AuditEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': record.detailType,
    source: AUDIT_EVENT_SOURCE,
    account: where.accountId,
    time: new Date(where.nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: where.region,
    resources: [domainArn(where.region, where.accountId, record.domainId)],
    detail: {
      sourceId: randomUUID(),
      action: record.action,
      status: record.errorInfo ? 'FAILURE' : 'SUCCESS',
      domainId: record.domainId,
      ...(record.errorInfo ? { errorInfo: record.errorInfo } : {}),
      ...withoutUndefined(record.subject),
    },
  };
}

/** A response member's name in the events' camelCase: `AuthenticationResult` -> `authenticationResult`. */
const camel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * Response members (PascalCase, as the API answers them) in camelCase, deeply, without undefined members: how
 * events show the session, results, speakers and fraudsters they are about.
 */
export function camelCased(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCased);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .map(([name, member]) => [camel(name), camelCased(member)]),
  );
}

function withoutUndefined(subject: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(subject).filter(([, member]) => member !== undefined));
}

/**
 * How an operation reports itself (its module declares this beside its route): the detail-type, the action, and
 * the object acted on, from the request and, when the operation succeeded, its response. Ids and decisions only.
 */
export interface AuditMapping<Request, Response> {
  detailType: AuditDetailType;
  action: string;
  subject(request: Request, response: Response | undefined): Record<string, unknown>;
}

// --- The objects of each kind of event -------------------------------------------------------------------------

interface PresentedSession {
  SessionId: string;
  SessionName: string;
  SpeakerId?: string;
  StreamingStatus?: string;
  AuthenticationConfiguration?: object;
  FraudDetectionConfiguration?: object;
}

/** A session's ids, speaker, status and configuration (never its audio or speech). */
export function sessionSubject(session: PresentedSession) {
  const { SessionId, SessionName, SpeakerId, StreamingStatus, AuthenticationConfiguration, FraudDetectionConfiguration } = session;
  return camelCased({
    SessionId,
    SessionName,
    SpeakerId,
    StreamingStatus,
    AuthenticationConfiguration,
    FraudDetectionConfiguration,
  }) as Record<string, unknown>;
}

interface PresentedSpeaker {
  GeneratedSpeakerId: string;
  CustomerSpeakerId?: string;
  Status: string;
}

/** A speaker's ids and status. */
export function speakerSubject({ GeneratedSpeakerId, CustomerSpeakerId, Status }: PresentedSpeaker) {
  return camelCased({ GeneratedSpeakerId, CustomerSpeakerId, Status }) as Record<string, unknown>;
}

/** A fraudster's id and watchlists. */
export function fraudsterSubject({ GeneratedFraudsterId, WatchlistIds }: { GeneratedFraudsterId: string; WatchlistIds?: string[] }) {
  return camelCased({ GeneratedFraudsterId, WatchlistIds }) as Record<string, unknown>;
}

interface PresentedJob {
  JobId: string;
  JobName?: string;
  JobStatus: string;
  JobProgress?: object;
  FailureDetails?: object;
  EnrollmentConfig?: object;
  RegistrationConfig?: object;
}

/** A batch job's ids, status, progress and configuration (not its manifest or output locations' content). */
export function jobSubject(job: PresentedJob) {
  const { JobId, JobName, JobStatus, JobProgress, FailureDetails, EnrollmentConfig, RegistrationConfig } = job;
  return camelCased({ JobId, JobName, JobStatus, JobProgress, FailureDetails, EnrollmentConfig, RegistrationConfig }) as Record<
    string,
    unknown
  >;
}

/** The session the request names, as the caller named it (for an event of a request that failed). */
const namedSession = (request: { SessionName?: string; SessionNameOrId?: string }) =>
  camelCased({ SessionName: request.SessionName, SessionNameOrId: request.SessionNameOrId }) as Record<string, unknown>;

/** An operation on a session that answers `Session`: StartSession, UpdateSession, EndSession. */
export function sessionAudit(
  detailType: AuditDetailType,
  action: string,
): AuditMapping<{ SessionName?: string; SessionNameOrId?: string; SpeakerId?: string }, { Session: PresentedSession }> {
  return {
    detailType,
    action,
    subject: (request, response) => ({
      session: response ? sessionSubject(response.Session) : { ...namedSession(request), speakerId: request.SpeakerId },
    }),
  };
}

interface PresentedEvaluation {
  SessionId: string;
  SessionName: string;
  StreamingStatus: string;
  AuthenticationResult?: object;
  FraudDetectionResult?: object;
}

/** EvaluateSession: the session, and both decisions with their scores, thresholds and the ids they concern. */
export const evaluationAudit: AuditMapping<{ SessionNameOrId: string }, PresentedEvaluation> = {
  detailType: 'VoiceId Evaluate Session Action',
  action: 'EVALUATE_SESSION',
  subject: (request, response) =>
    response
      ? {
          session: camelCased({
            SessionId: response.SessionId,
            SessionName: response.SessionName,
            StreamingStatus: response.StreamingStatus,
          }),
          authenticationResult: camelCased(response.AuthenticationResult),
          fraudDetectionResult: camelCased(response.FraudDetectionResult),
        }
      : { session: namedSession(request) },
};

/** EnrollSessionSpeaker: the session, the speaker enrolled and how. */
export const sessionEnrollmentAudit: AuditMapping<{ SessionNameOrId: string }, { Speaker: PresentedSpeaker; EnrollmentStatus: string }> = {
  detailType: 'VoiceId Session Speaker Enrollment Action',
  action: 'ENROLL_SESSION_SPEAKER',
  subject: (request, response) => ({
    session: namedSession(request),
    speaker: response && speakerSubject(response.Speaker),
    enrollmentStatus: response?.EnrollmentStatus,
  }),
};

/** DeleteSpeaker and OptOutSpeaker: the speaker named, and its state after an opt-out. */
export const speakerAudit = (action: string): AuditMapping<{ SpeakerId: string }, { Speaker?: PresentedSpeaker }> => ({
  detailType: 'VoiceId Speaker Action',
  action,
  subject: (request, response) => ({ speakerId: request.SpeakerId, speaker: response?.Speaker && speakerSubject(response.Speaker) }),
});

/** DeleteFraudster, AssociateFraudster, DisassociateFraudster, RegisterSessionFraudster. */
export const fraudsterAudit = (
  action: string,
): AuditMapping<
  { FraudsterId?: string; WatchlistId?: string; SessionNameOrId?: string; WatchlistIds?: string[] },
  { Fraudster?: { GeneratedFraudsterId: string; WatchlistIds?: string[] } }
> => ({
  detailType: 'VoiceId Fraudster Action',
  action,
  subject: (request, response) => ({
    fraudsterId: request.FraudsterId,
    watchlistId: request.WatchlistId,
    session: request.SessionNameOrId === undefined ? undefined : namedSession(request),
    fraudster: response?.Fraudster && fraudsterSubject(response.Fraudster),
  }),
});

export type AuditedJobType = 'SPEAKER_ENROLLMENT' | 'FRAUDSTER_REGISTRATION';

export const JOB_DETAIL_TYPES: Record<AuditedJobType, AuditDetailType> = {
  SPEAKER_ENROLLMENT: 'VoiceId Batch Speaker Enrollment Action',
  FRAUDSTER_REGISTRATION: 'VoiceId Batch Fraudster Registration Action',
};

/** StartSpeakerEnrollmentJob and StartFraudsterRegistrationJob: the job as started (its end is another event). */
export const startJobAudit = (jobType: AuditedJobType): AuditMapping<{ JobName?: string }, { Job: PresentedJob }> => ({
  detailType: JOB_DETAIL_TYPES[jobType],
  action: `START_${jobType}_JOB`,
  subject: (request, response) => ({ job: response ? jobSubject(response.Job) : camelCased({ JobName: request.JobName }) }),
});

/** The event of a job that ended: SUCCESS when it COMPLETED (with or without errors of single requests), else FAILURE. */
export function jobEndedRecord(jobType: AuditedJobType, domainId: string, job: PresentedJob): AuditRecord {
  const failure = job.FailureDetails as { StatusCode?: number; Message?: string } | undefined;
  return {
    detailType: JOB_DETAIL_TYPES[jobType],
    action: `END_${jobType}_JOB`,
    domainId,
    subject: { job: jobSubject(job) },
    errorInfo:
      job.JobStatus === 'FAILED'
        ? { errorCode: failure?.StatusCode ?? 500, errorMessage: failure?.Message ?? 'The job failed.', errorType: 'JobFailed' }
        : undefined,
  };
}
