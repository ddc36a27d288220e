import { ListDomainsCommand, VoiceIDClient } from '@aws-sdk/client-voice-id';
import { endpoints, http } from '../support/clients';
import { newDomain } from '../support/voice-id-errors';

const wire = (operation: string, body: unknown, headers: Record<string, string> = {}) =>
  http('POST', '/', {
    body,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `VoiceID.${operation}`, ...headers },
  });

describe('REST routes', () => {
  it('serve the domain operations with Voice ID shapes', async () => {
    const created = await http('POST', '/domains', {
      body: { Name: 'rest-domain', ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn } },
    });
    expect(created.status).toBe(200);
    const domainId = created.body.Domain.DomainId;
    expect(typeof created.body.Domain.CreatedAt).toBe('number');

    const described = await http('GET', `/domains/${domainId}`);
    expect(described.body.Domain).toEqual(created.body.Domain);

    const updated = await http('PUT', `/domains/${domainId}`, {
      body: { Name: 'rest-renamed', ServerSideEncryptionConfiguration: { KmsKeyId: endpoints().defaultKmsKeyArn } },
    });
    expect(updated.body.Domain.Name).toBe('rest-renamed');

    const page = await http('GET', '/domains?MaxResults=1');
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
    const created = await http('POST', `${base}/watchlists`, { body: { Name: 'rest-watchlist' } });
    expect(created.status).toBe(200);
    const watchlistId = created.body.Watchlist.WatchlistId;
    const patched = await http('PATCH', `${base}/watchlists/${watchlistId}`, { body: { Description: 'from REST' } });
    expect(patched.body.Watchlist).toMatchObject({ Name: 'rest-watchlist', Description: 'from REST' });
    expect((await http('GET', `${base}/watchlists?MaxResults=1`)).body.WatchlistSummaries).toHaveLength(1);

    const optedOut = await http('POST', `${base}/speakers/rest-caller/opt-out`);
    const generated = optedOut.body.Speaker.GeneratedSpeakerId;
    // A GeneratedSpeakerId travels in the path percent-encoded (#).
    const described = await http('GET', `${base}/speakers/${encodeURIComponent(generated)}`);
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
  it('answers every one of the 29 operations with a Voice ID shape', async () => {
    const operations = [
      'CreateDomain', 'DescribeDomain', 'UpdateDomain', 'DeleteDomain', 'ListDomains',
      'CreateWatchlist', 'DescribeWatchlist', 'UpdateWatchlist', 'DeleteWatchlist', 'ListWatchlists',
      'DescribeFraudster', 'DeleteFraudster', 'ListFraudsters', 'AssociateFraudster', 'DisassociateFraudster',
      'DescribeSpeaker', 'ListSpeakers', 'DeleteSpeaker', 'OptOutSpeaker',
      'StartSpeakerEnrollmentJob', 'DescribeSpeakerEnrollmentJob', 'ListSpeakerEnrollmentJobs',
      'StartFraudsterRegistrationJob', 'DescribeFraudsterRegistrationJob', 'ListFraudsterRegistrationJobs',
      'EvaluateSession', 'TagResource', 'UntagResource', 'ListTagsForResource',
    ];
    for (const operation of operations) {
      const response = await wire(operation, {});
      if (response.status !== 200) {
        expect([400, 404]).toContain(response.status);
        expect(response.body.__type).toMatch(/^(ValidationException|ResourceNotFoundException)$/);
        expect(response.body.message).toEqual(expect.any(String));
      }
    }
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

  it('refuses a request signed with the wrong secret', async () => {
    const response = await http('GET', '/domains', { secretAccessKey: 'wrong-secret' });
    expect(response.status).toBe(403);
    expect(response.body.message).toMatch(/signature does not match/);
  });

  it('accepts requests signed for execute-api, as clients configured for the deployed API Gateway sign them', async () => {
    const e = endpoints();
    const gatewayStyle = new VoiceIDClient({ endpoint: e.voiceId, region: e.region, credentials: e.credentials, signingName: 'execute-api' } as never);
    await expect(gatewayStyle.send(new ListDomainsCommand({}))).resolves.toHaveProperty('DomainSummaries');
  });

  it('refuses an SDK client with unknown credentials', async () => {
    const e = endpoints();
    const stranger = new VoiceIDClient({
      endpoint: e.voiceId,
      region: e.region,
      credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await expect(stranger.send(new ListDomainsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
  });
});
