import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Endpoints } from '#lib/local/embedded-stack';
import { pythonClients } from '#test/support/python-clients';

const run = promisify(execFile);
const PLUGIN_DIR = path.join(__dirname, '..', '..', 'clients', 'open-voice-id-signing');

/**
 * clients/open-voice-id-signing, the AWS CLI plugin (and boto3 hook) that signs Voice ID calls for API Gateway.
 * The embedded stack accepts either signing name, so what the CLI signed for is read from its --debug output.
 */
describe('the AWS CLI with the open-voice-id-signing plugin', () => {
  const configDir = mkdtempSync(path.join(tmpdir(), 'voice-id-cli-'));
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));

  it('keeps botocore signing for voiceid at Amazon and switches to execute-api elsewhere', async () => {
    const { python } = pythonClients();
    // Asynchronous on purpose: Jest may run this in the process that serves the embedded stack.
    const { stderr } = await run(python, ['-m', 'unittest', 'test_open_voice_id_signing'], { cwd: PLUGIN_DIR });
    expect(stderr).toMatch(/\nOK\n?$/);
  });

  it("signs the CLI's Voice ID calls for execute-api once configured as a plugin, and they succeed", async () => {
    const { aws } = pythonClients();
    const endpoints = JSON.parse(process.env.VOICE_ID_TEST_ENDPOINTS!) as Endpoints;
    const config = path.join(configDir, 'config');
    // What `aws configure set plugins.open_voice_id open_voice_id_signing` writes; the module is found on
    // PYTHONPATH here rather than pip-installed into the shared virtualenv.
    writeFileSync(config, '[plugins]\nopen_voice_id = open_voice_id_signing\n');
    const env = {
      ...process.env,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: path.join(configDir, 'credentials'),
      PYTHONPATH: PLUGIN_DIR,
      AWS_ACCESS_KEY_ID: endpoints.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: endpoints.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: endpoints.region,
    };
    const { stdout, stderr } = await run(
      aws,
      ['voice-id', 'list-domains', '--endpoint-url', endpoints.voiceId, '--output', 'json', '--debug'],
      {
        env,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    expect(JSON.parse(stdout)).toHaveProperty('DomainSummaries');
    expect(stderr).toContain(`/${endpoints.region}/execute-api/aws4_request`);
    expect(stderr).not.toContain('/voiceid/aws4_request');
  });
});
