import appendSessionAudio from './append-session-audio.ts';
import associateFraudster from './associate-fraudster.ts';
import createDomain from './create-domain.ts';
import createWatchlist from './create-watchlist.ts';
import deleteDomain from './delete-domain.ts';
import deleteFraudster from './delete-fraudster.ts';
import deleteSpeaker from './delete-speaker.ts';
import deleteWatchlist from './delete-watchlist.ts';
import describeDomain from './describe-domain.ts';
import describeFraudster from './describe-fraudster.ts';
import describeFraudsterRegistrationJob from './describe-fraudster-registration-job.ts';
import describeSession from './describe-session.ts';
import describeSpeaker from './describe-speaker.ts';
import describeSpeakerEnrollmentJob from './describe-speaker-enrollment-job.ts';
import describeWatchlist from './describe-watchlist.ts';
import disassociateFraudster from './disassociate-fraudster.ts';
import endSession from './end-session.ts';
import enrollSessionSpeaker from './enroll-session-speaker.ts';
import evaluateSession from './evaluate-session.ts';
import getComplianceReport from './get-compliance-report.ts';
import listDomains from './list-domains.ts';
import listFraudsterRegistrationJobs from './list-fraudster-registration-jobs.ts';
import listFraudsters from './list-fraudsters.ts';
import listSpeakerEnrollmentJobs from './list-speaker-enrollment-jobs.ts';
import listSpeakers from './list-speakers.ts';
import listTagsForResource from './list-tags-for-resource.ts';
import listWatchlists from './list-watchlists.ts';
import type { Operation } from './operation.ts';
import optOutSpeaker from './opt-out-speaker.ts';
import registerSessionFraudster from './register-session-fraudster.ts';
import startFraudsterRegistrationJob from './start-fraudster-registration-job.ts';
import startSession from './start-session.ts';
import startSpeakerEnrollmentJob from './start-speaker-enrollment-job.ts';
import tagResource from './tag-resource.ts';
import untagResource from './untag-resource.ts';
import updateDomain from './update-domain.ts';
import updateSession from './update-session.ts';
import updateWatchlist from './update-watchlist.ts';

/**
 * Every operation the service answers, in the order the REST routes and the OpenAPI document list them: Voice ID's
 * 29, then the session and audio operations Voice ID kept inside Amazon Connect. Each module declares its own name,
 * input schema and route; a unit test fails if a module is missing here.
 */
export const operations: readonly Operation[] = [
  createDomain,
  listDomains,
  describeDomain,
  updateDomain,
  deleteDomain,
  createWatchlist,
  listWatchlists,
  describeWatchlist,
  updateWatchlist,
  deleteWatchlist,
  associateFraudster,
  disassociateFraudster,
  listFraudsters,
  describeFraudster,
  deleteFraudster,
  listSpeakers,
  describeSpeaker,
  deleteSpeaker,
  optOutSpeaker,
  listTagsForResource,
  tagResource,
  untagResource,
  evaluateSession,
  startSpeakerEnrollmentJob,
  describeSpeakerEnrollmentJob,
  listSpeakerEnrollmentJobs,
  startFraudsterRegistrationJob,
  describeFraudsterRegistrationJob,
  listFraudsterRegistrationJobs,
  startSession,
  describeSession,
  updateSession,
  appendSessionAudio,
  endSession,
  enrollSessionSpeaker,
  registerSessionFraudster,
  getComplianceReport,
];

export const operationsByName: ReadonlyMap<string, Operation> = new Map(operations.map((op) => [op.name, op]));
