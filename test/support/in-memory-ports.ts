/**
 * In-memory stand-ins of the context's ports, for unit tests of an operation's rules without DynamoDB Local. Each
 * holds plain records in maps and answers as its DynamoDB adapter does for the reads an operation makes; a member
 * a stand-in leaves out throws, naming itself, so a test never passes by touching what it did not set up.
 */
import type { AuditEvent } from '#api-model/audit-event';
import type { DomainRecord } from '#api-model/domain';
import { ResourceNotFoundException } from '#api-model/errors';
import type { FraudsterRecord } from '#api-model/fraudster';
import type { SessionRecord } from '#api-model/session';
import type { SpeakerRecord } from '#api-model/speaker';
import type { ServiceContext } from '#context';
import type { AuditEvents } from '#ports/audit-events';
import type { Fraudsters } from '#ports/fraudsters';
import type { Sessions } from '#ports/sessions';
import type { Speakers } from '#ports/speakers';
import type { StoredCohort, StoredVoiceprint, VoiceprintOwner, Voiceprints } from '#ports/voiceprints';

/** `members` (an object that has some of a `T`'s members) as a `T`; any other member throws when it is read. */
export function standIn<T extends object>(name: string, members: object = {}): T {
  return new Proxy(members, {
    get(target, key) {
      if (key in target || typeof key === 'symbol' || key === 'then') return target[key as keyof typeof target];
      throw new Error(`The stand-in ${name} has no ${key}: the code under test uses more than the test set up.`);
    },
  }) as T;
}

/** A whole context whose members are stand-ins except those given. */
export function standInContext(members: Partial<ServiceContext>): ServiceContext {
  return standIn<ServiceContext>('context', members);
}

export class InMemorySessions implements Pick<Sessions, 'requireWithDomain' | 'openStream'> {
  readonly streams = new Map<string, Uint8Array>();
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(private readonly domain: DomainRecord) {}

  put(session: SessionRecord, stream?: Uint8Array): void {
    this.sessions.set(session.sessionId, session);
    if (stream) this.streams.set(session.sessionId, stream);
  }

  requireWithDomain(domainId: string, nameOrId: string): Promise<{ domain: DomainRecord; session: SessionRecord }> {
    const session = [...this.sessions.values()].find((s) => s.sessionId === nameOrId || s.sessionName === nameOrId);
    if (domainId !== this.domain.domainId || !session)
      return Promise.reject(new ResourceNotFoundException('SESSION', `No session ${nameOrId}.`));
    return Promise.resolve({ domain: this.domain, session });
  }

  openStream(_domain: unknown, session: SessionRecord): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.streams.get(session.sessionId));
  }
}

export class InMemorySpeakers implements Pick<Speakers, 'find' | 'recordAccess'> {
  readonly accessed: { speakerId: string; nowMs: number }[] = [];
  private readonly speakers: SpeakerRecord[] = [];

  put(speaker: SpeakerRecord): void {
    this.speakers.push(speaker);
  }

  find(domainId: string, speakerId: string): Promise<SpeakerRecord | undefined> {
    return Promise.resolve(
      this.speakers.find((s) => s.domainId === domainId && (s.speakerId === speakerId || s.customerSpeakerId === speakerId)),
    );
  }

  recordAccess(speaker: SpeakerRecord, nowMs: number): Promise<void> {
    this.accessed.push({ speakerId: speaker.speakerId, nowMs });
    return Promise.resolve();
  }
}

export class InMemoryVoiceprints implements Pick<Voiceprints, 'get' | 'cohort' | 'fraudsterVoiceprints'> {
  private readonly voiceprints = new Map<string, StoredVoiceprint>();

  put(owner: VoiceprintOwner, voiceprint: StoredVoiceprint): void {
    this.voiceprints.set(`${owner.kind}#${owner.id}`, voiceprint);
  }

  get(_domain: unknown, owner: VoiceprintOwner): Promise<StoredVoiceprint | undefined> {
    return Promise.resolve(this.voiceprints.get(`${owner.kind}#${owner.id}`));
  }

  cohort(): Promise<StoredCohort> {
    const speakers = [...this.voiceprints].filter(([key]) => key.startsWith('speaker#'));
    return Promise.resolve(speakers.map(([key, voiceprint]) => ({ id: key.slice('speaker#'.length), ...voiceprint })));
  }

  fraudsterVoiceprints(_domain: unknown, fraudsterIds: string[]): Promise<Map<string, StoredVoiceprint>> {
    const found = fraudsterIds.flatMap((id) => {
      const voiceprint = this.voiceprints.get(`fraudster#${id}`);
      return voiceprint ? [[id, voiceprint] as const] : [];
    });
    return Promise.resolve(new Map(found));
  }
}

export class InMemoryFraudsters implements Pick<Fraudsters, 'idsOn'> {
  private readonly fraudsters: FraudsterRecord[] = [];

  put(fraudster: FraudsterRecord): void {
    this.fraudsters.push(fraudster);
  }

  idsOn(domainId: string, watchlistId: string): Promise<string[]> {
    return Promise.resolve(
      this.fraudsters.filter((f) => f.domainId === domainId && f.watchlistIds.includes(watchlistId)).map((f) => f.fraudsterId),
    );
  }
}

export class InMemoryAuditEvents implements AuditEvents {
  readonly published: AuditEvent[] = [];

  publish(events: AuditEvent[]): Promise<void> {
    this.published.push(...events);
    return Promise.resolve();
  }
}
