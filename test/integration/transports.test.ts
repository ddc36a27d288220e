import { createHash } from 'node:crypto';
import { ListDomainsCommand } from '@aws-sdk/client-voice-id';
import { send } from '#test/fuzz/harness';
import { endpoints, http, voiceId } from '#test/support/clients';
import { newDomain } from '#test/support/voice-id-errors';

/** The members of REST responses these tests read (timestamps are epoch seconds over REST and the wire). */
interface Domain {
  DomainId: string;
  Name: string;
  CreatedAt: number;
}
interface Watchlist {
  WatchlistId: string;
  Name: string;
  Description?: string;
}
interface Speaker {
  GeneratedSpeakerId: string;
  CustomerSpeakerId: string;
}

const wire = (operation: string, body: unknown, headers: Record<string, string> = {}) =>
  http('POST', '/', {
    body,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `VoiceID.${operation}`, ...headers },
  });

describe('REST routes', () => {
  it('serve the domain operations with Voice ID shapes', async () => {
    const created = await http<{ Domain: Domain }>('POST', '/domains', {
      body: { Name: 'rest-domain', ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn } },
    });
    expect(created.status).toBe(200);
    const domainId = created.body.Domain.DomainId;
    expect(typeof created.body.Domain.CreatedAt).toBe('number');

    const described = await http<{ Domain: Domain }>('GET', `/domains/${domainId}`);
    expect(described.body.Domain).toEqual(created.body.Domain);

    const updated = await http<{ Domain: Domain }>('PUT', `/domains/${domainId}`, {
      body: { Name: 'rest-renamed', ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn } },
    });
    expect(updated.body.Domain.Name).toBe('rest-renamed');

    const page = await http<{ DomainSummaries: Domain[] }>('GET', '/domains?MaxResults=1');
    expect(page.status).toBe(200);
    expect(page.body.DomainSummaries).toHaveLength(1);

    expect((await http('DELETE', `/domains/${domainId}`)).status).toBe(200);
    const gone = await http('GET', `/domains/${domainId}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ __type: 'ResourceNotFoundException', ResourceType: 'DOMAIN' });
    expect(gone.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
  });

  it('validate query members like the wire protocol does', async () => {
    const response = await http('GET', '/domains?MaxResults=many');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ __type: 'ValidationException', message: 'MaxResults must be a whole number.' });
  });

  it.each(['/domains/%E0%A4%A', '/domains/%ZZ/speakers', '/domains/abc%/watchlists/%E0%A4%A'])(
    'answer a path that is not valid percent-encoding (%s) with ValidationException, not a fault',
    async (path) => {
      const response = await http('GET', path);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ __type: 'ValidationException' });
      expect(response.body.message).toMatch(/percent-encod/);
    },
  );

  it('refuse a body that is not JSON', async () => {
    const response = await http('POST', '/domains', { body: '{"Name":' });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('The request body is not valid JSON.');
  });
});

describe('REST routes of the control plane', () => {
  it('serve watchlists, speakers and fraudster membership with path members', async () => {
    const domain = await newDomain();
    const base = `/domains/${domain.DomainId}`;
    const created = await http<{ Watchlist: Watchlist }>('POST', `${base}/watchlists`, { body: { Name: 'rest-watchlist' } });
    expect(created.status).toBe(200);
    const watchlistId = created.body.Watchlist.WatchlistId;
    const patched = await http<{ Watchlist: Watchlist }>('PATCH', `${base}/watchlists/${watchlistId}`, {
      body: { Description: 'from REST' },
    });
    expect(patched.body.Watchlist).toMatchObject({ Name: 'rest-watchlist', Description: 'from REST' });
    expect(
      (await http<{ WatchlistSummaries: Watchlist[] }>('GET', `${base}/watchlists?MaxResults=1`)).body.WatchlistSummaries,
    ).toHaveLength(1);

    const optedOut = await http<{ Speaker: Speaker }>('POST', `${base}/speakers/rest-caller/opt-out`);
    const generated = optedOut.body.Speaker.GeneratedSpeakerId;
    // A GeneratedSpeakerId travels in the path percent-encoded (#).
    const described = await http<{ Speaker: Speaker }>('GET', `${base}/speakers/${encodeURIComponent(generated)}`);
    expect(described.body.Speaker.CustomerSpeakerId).toBe('rest-caller');
    expect((await http('DELETE', `${base}/speakers/rest-caller`)).status).toBe(200);

    const missing = await http('PUT', `${base}/watchlists/${watchlistId}/fraudsters/${encodeURIComponent(`id#${'m'.repeat(22)}`)}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ __type: 'ResourceNotFoundException', ResourceType: 'FRAUDSTER' });
    expect((await http('GET', `${base}/fraudsters?WatchlistId=${watchlistId}`)).body.FraudsterSummaries).toEqual([]);
    expect((await http('DELETE', `${base}/watchlists/${watchlistId}`)).status).toBe(200);
  });
});

describe('the Voice ID wire protocol', () => {
  it('answers each of the 29 Voice ID operations sent with no members with its own exact answer', async () => {
    const required = (member: string) => [400, 'ValidationException', `${member} is required.`] as const;
    const expected: Record<string, readonly [number, string, string] | 200> = {
      CreateDomain: required('Name'),
      DescribeDomain: required('DomainId'),
      UpdateDomain: required('DomainId'),
      DeleteDomain: required('DomainId'),
      ListDomains: 200,
      CreateWatchlist: required('DomainId'),
      DescribeWatchlist: required('DomainId'),
      UpdateWatchlist: required('DomainId'),
      DeleteWatchlist: required('DomainId'),
      ListWatchlists: required('DomainId'),
      DescribeFraudster: required('DomainId'),
      DeleteFraudster: required('DomainId'),
      ListFraudsters: required('DomainId'),
      AssociateFraudster: required('DomainId'),
      DisassociateFraudster: required('DomainId'),
      DescribeSpeaker: required('DomainId'),
      ListSpeakers: required('DomainId'),
      DeleteSpeaker: required('DomainId'),
      OptOutSpeaker: required('DomainId'),
      StartSpeakerEnrollmentJob: required('DomainId'),
      DescribeSpeakerEnrollmentJob: required('DomainId'),
      ListSpeakerEnrollmentJobs: required('DomainId'),
      StartFraudsterRegistrationJob: required('DomainId'),
      DescribeFraudsterRegistrationJob: required('DomainId'),
      ListFraudsterRegistrationJobs: required('DomainId'),
      EvaluateSession: required('DomainId'),
      TagResource: required('ResourceArn'),
      UntagResource: required('ResourceArn'),
      ListTagsForResource: required('ResourceArn'),
    };
    expect(Object.keys(expected)).toHaveLength(29);
    const answers: Record<string, unknown> = {};
    for (const operation of Object.keys(expected)) {
      const response = await wire(operation, {});
      answers[operation] =
        response.status === 200
          ? 200
          : [response.status, response.body.__type, response.body.message, response.headers.get('x-amzn-errortype')];
    }
    expect(answers).toEqual(
      Object.fromEntries(Object.entries(expected).map(([operation, answer]) => [operation, answer === 200 ? 200 : [...answer, answer[1]]])),
    );
  });

  it('refuses an unknown X-Amz-Target', async () => {
    const response = await wire('MakeCoffee', {});
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/X-Amz-Target must name a Voice ID operation/);
  });

  it('refuses a request body that is a JSON array', async () => {
    const response = await wire('ListDomains', '[]');
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('The request body must be a JSON object.');
  });
});

describe('authentication', () => {
  it('refuses an unsigned request with AccessDeniedException', async () => {
    const response = await wire('ListDomains', {}, {});
    expect(response.status).toBe(200);
    const unsigned = await http('POST', '/', {
      body: {},
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'VoiceID.ListDomains' },
      sign: false,
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toMatchObject({ __type: 'AccessDeniedException' });
    expect(unsigned.body.message).toMatch(/not signed/);
  });

  it('refuses a body other than the one signed, and an unsigned payload, as API Gateway does', async () => {
    const signed = JSON.stringify({ Name: 'signed-body' });
    const swapped = JSON.stringify({ Name: 'other-body!' });
    expect(swapped).toHaveLength(signed.length);
    // The signature covers x-amz-content-sha256, and a signer trusts that header for the body's hash.
    const declared = { 'x-amz-content-sha256': createHash('sha256').update(signed).digest('hex') };
    expect((await http('POST', '/domains', { body: swapped, headers: declared })).status).toBe(403);
    const unsignedPayload = await http('POST', '/domains', { body: swapped, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    expect(unsignedPayload.status).toBe(403);
    expect(unsignedPayload.body).toMatchObject({ __type: 'AccessDeniedException' });
    expect(unsignedPayload.body.message).toMatch(/x-amz-content-sha256/);
    // The body the header declares, or no header at all, is what a client sends.
    expect(
      (
        await http('POST', '/', {
          body: '{}',
          headers: {
            'x-amz-target': 'VoiceID.ListDomains',
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-content-sha256': createHash('sha256').update('{}').digest('hex'),
          },
        })
      ).status,
    ).toBe(200);
  });

  it("refuses a body over API Gateway's 10 MB before reading it whole", async () => {
    const response = await http('POST', '/domains', { body: `{"Name":"${'x'.repeat(10 * 1024 * 1024)}"}` });
    expect(response.status).toBe(413);
    expect(response.body.__type).toBe('ValidationException');
    expect(response.body.message).toMatch(/10 MB/);
    expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException');
  });

  // Found by the fuzzer (test/fuzz): the gateway's own refusals answered {"message": "Not Found"}, or a bare 431.
  it('answers a path outside every route, a method not on one and headers over 16 KB with Voice ID errors', async () => {
    const answers = [
      await http('GET', '/no-such-route/x'),
      await http('PATCH', '/domains'),
      await http('GET', '/domains', { headers: { 'x-padding': 'a'.repeat(20_000) } }),
    ];
    expect(answers.map(({ status }) => status)).toEqual([404, 405, 431]);
    for (const answer of answers) {
      expect(answer.body.__type).toBe('ValidationException');
      expect(answer.headers.get('x-amzn-errortype')).toBe('ValidationException');
    }
    expect(answers[0].body.message).toMatch(/no route \/no-such-route\/x/);
  });

  it('answers a HEAD request whose headers are over 16 KB with no body, as HTTP has it, so the client reads the answer', async () => {
    const answer = await send({
      index: 0,
      kind: 'headers',
      method: 'HEAD',
      target: `/domains/${'a'.repeat(60_000)}`,
      headers: {},
      body: Buffer.alloc(0),
      signing: 'signed',
      expect: 'refused',
      notes: [],
    });
    expect(answer).toMatchObject({ status: 431, body: '', headers: { 'x-amzn-errortype': 'ValidationException' } });
  });

  it('refuses a request signed with the wrong secret', async () => {
    const response = await http('GET', '/domains', { secretAccessKey: 'wrong-secret' });
    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(/signature does not match/);
  });

  it('accepts requests signed for execute-api, as clients configured for the deployed API Gateway sign them', async () => {
    const gatewayStyle = voiceId({ signingName: 'execute-api' } as never);
    await expect(gatewayStyle.send(new ListDomainsCommand({}))).resolves.toHaveProperty('DomainSummaries');
  });

  it('refuses an SDK client with unknown credentials', async () => {
    const stranger = voiceId({ credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' } });
    await expect(stranger.send(new ListDomainsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
  });
});
