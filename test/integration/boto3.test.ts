import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { LIBRISPEECH } from '#test/support/calls';
import { pythonClients } from '#test/support/python-clients';

describe('boto3', () => {
  it('drives domains, watchlists, speakers and tags as Voice ID customers do', async () => {
    const { python } = pythonClients();
    const endpointsFile = path.join(process.env.VOICE_ID_TEST_DATA_DIR!, 'endpoints.json');
    // Asynchronous on purpose: Jest may run this in the process that serves the embedded stack.
    const { stdout } = await promisify(execFile)(python, [path.join(__dirname, '..', 'compat', 'boto3_control_plane.py'), endpointsFile]);
    expect(stdout.trim()).toBe('OK');
  }, 180_000);

  it('runs a batch enrollment job from recordings it uploaded to S3 itself', async () => {
    const { python } = pythonClients();
    const endpointsFile = path.join(process.env.VOICE_ID_TEST_DATA_DIR!, 'endpoints.json');
    const speaker = path.join(LIBRISPEECH, 'spk2609');
    const { stdout } = await promisify(execFile)(python, [
      path.join(__dirname, '..', 'compat', 'boto3_batch_job.py'),
      endpointsFile,
      speaker,
    ]);
    expect(stdout.trim()).toBe('OK');
  }, 180_000);
});
