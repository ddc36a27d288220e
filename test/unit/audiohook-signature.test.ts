import { type AudioHookConnector, audioHookRefusal, signAudioHookRequest } from '#connectors/audiohook';

/**
 * The AudioHook connection request's checks, against the example of the AudioHook protocol specification
 * ("Establishing a connection"): its request, API key, client secret and published signature.
 */
describe('AudioHook connection requests', () => {
  const connector: AudioHookConnector = {
    apiKey: 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh',
    clientSecret: 'TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU=',
    routes: { default: {} },
  };
  const created = 1641013200;
  const example = () => ({
    url: '/api/v1/voicebiometrics/ws',
    headers: {
      host: 'audiohook.example.com',
      'audiohook-organization-id': 'd7934305-0972-4844-938e-9060eef73d05',
      'audiohook-correlation-id': 'e160e428-53e2-487c-977d-96989bf5c99d',
      'audiohook-session-id': '30b0e395-84d3-4570-ac13-9a62d8f514c0',
      'x-api-key': 'SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh',
      signature: 'sig1=:NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=:',
      'signature-input':
        'sig1=("@request-target" "@authority" "audiohook-organization-id" "audiohook-session-id" "audiohook-correlation-id" "x-api-key");' +
        'keyid="SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh";nonce="VGhpc0lzQVVuaXF1ZU5vbmNl";alg="hmac-sha256";created=1641013200;expires=3282026430',
    } as Record<string, string>,
  });

  it('accept the specification’s example, signed by its client secret, within 10 seconds of its creation', () => {
    expect(audioHookRefusal(connector, example(), undefined, created + 5)).toBeUndefined();
    // Behind a proxy, @authority is the host Genesys Cloud was given.
    const proxied = { ...example(), headers: { ...example().headers, host: '127.0.0.1:9011' } };
    expect(audioHookRefusal(connector, proxied, 'wss://audiohook.example.com', created)).toBeUndefined();
  });

  it('refuse another API key, another client secret, and a request the signature does not match', () => {
    const refused = (request: ReturnType<typeof example>, other = connector) => audioHookRefusal(other, request, undefined, created);
    expect(refused(example(), { ...connector, apiKey: 'another-key' })).toMatch(/X-API-KEY is not the API key/);
    expect(refused(example(), { ...connector, clientSecret: Buffer.from('another secret').toString('base64') })).toMatch(/does not match/);
    const changed = (name: string, value: string) => ({ ...example(), headers: { ...example().headers, [name]: value } });
    expect(refused({ ...example(), url: '/api/v1/voicebiometrics/ws?route=other' })).toMatch(/does not match/);
    expect(refused(changed('host', 'elsewhere.example.com'))).toMatch(/does not match/);
    expect(refused(changed('audiohook-session-id', 'b0e39530-84d3-4570-ac13-9a62d8f514c0'))).toMatch(/does not match/);
    expect(refused(changed('signature', 'sig1=:AAAA:'))).toMatch(/does not match/);
  });

  it('refuse an old or future signature, an unsigned request, and a signature that leaves a component out', () => {
    expect(audioHookRefusal(connector, example(), undefined, created + 20)).toMatch(/not created in the last 10 seconds/);
    expect(audioHookRefusal(connector, example(), undefined, created - 20)).toMatch(/not created in the last 10 seconds/);
    const { signature: _, ...unsigned } = example().headers;
    expect(audioHookRefusal(connector, { ...example(), headers: unsigned }, undefined, created)).toMatch(
      /no Signature-Input and Signature/,
    );
    const input = example().headers['signature-input'];
    const without = (text: string) => ({ ...example(), headers: { ...example().headers, 'signature-input': text } });
    expect(audioHookRefusal(connector, without(input.replace(' "x-api-key"', '')), undefined, created)).toMatch(/does not cover x-api-key/);
    expect(audioHookRefusal(connector, without(input.replace('keyid="SGVs', 'keyid="XGVs')), undefined, created)).toMatch(/keyid/);
    expect(audioHookRefusal(connector, without(input.replace(';nonce="VGhpc0lzQVVuaXF1ZU5vbmNl"', '')), undefined, created)).toMatch(
      /nonce/,
    );
    expect(audioHookRefusal(connector, without(input.replace('(', '')), undefined, created)).toMatch(/Structured Field|list of covered/);
  });

  it('accept what Genesys Cloud’s side signs (the tests’ and npm run call’s client)', () => {
    const url = 'ws://127.0.0.1:9011/audiohook/consented';
    const ids = {
      'Audiohook-Organization-Id': 'd7934305-0972-4844-938e-9060eef73d05',
      'Audiohook-Session-Id': '30b0e395-84d3-4570-ac13-9a62d8f514c0',
      'Audiohook-Correlation-Id': 'e160e428-53e2-487c-977d-96989bf5c99d',
    };
    const signed = signAudioHookRequest(url, ids, connector, created);
    const headers = Object.fromEntries(
      Object.entries({ ...signed, Host: '127.0.0.1:9011' }).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(audioHookRefusal(connector, { url: '/audiohook/consented', headers }, undefined, created + 1)).toBeUndefined();
    expect(audioHookRefusal(connector, { url: '/audiohook', headers }, undefined, created + 1)).toMatch(/does not match/);
  });
});
