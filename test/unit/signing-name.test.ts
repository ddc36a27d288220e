import { ListDomainsCommand, VoiceIDClient, type VoiceIDClientConfig } from '@aws-sdk/client-voice-id';

/** The SigV4 credential scope (`<date>/<region>/<service>/aws4_request`) a client signs a request with; nothing is sent. */
async function credentialScope(config: VoiceIDClientConfig): Promise<string> {
  const client = new VoiceIDClient({
    region: 'eu-west-1',
    endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    ...config,
  });
  let authorization = '';
  client.middlewareStack.add(
    (_next, _context) => (args) => {
      authorization = (args.request as { headers: Record<string, string> }).headers.authorization;
      return Promise.reject(new Error('not sent'));
    },
    { step: 'finalizeRequest', priority: 'low' },
  );
  await expect(client.send(new ListDomainsCommand({}))).rejects.toThrow('not sent');
  return /Credential=[^/]+\/([^,]+)/.exec(authorization)![1];
}

// README "Signing requests for the deployed endpoint": API Gateway's IAM auth accepts only execute-api signatures.
describe('the JS SDK v3 setting for a deployed endpoint', () => {
  it('signs for execute-api with signingName, where the client alone signs for voiceid', async () => {
    // Not in the config's public type (SigV4's resolved settings are marked internal), hence the cast.
    expect(await credentialScope({ signingName: 'execute-api' } as VoiceIDClientConfig)).toMatch(
      /^\d{8}\/eu-west-1\/execute-api\/aws4_request$/,
    );
    expect(await credentialScope({})).toMatch(/^\d{8}\/eu-west-1\/voiceid\/aws4_request$/);
  });
});
