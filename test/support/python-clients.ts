import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const VENV = path.join(ROOT, '.cache', 'python-clients');
const REQUIREMENTS = path.join(ROOT, 'test', 'compat', 'requirements.txt');

/**
 * A virtualenv with the pinned AWS CLI and boto3, made on first use (pip from PyPI), so that the compatibility
 * tests never depend on whatever a machine happens to have installed.
 */
export function pythonClients(): { aws: string; python: string } {
  const bin = path.join(VENV, 'bin');
  const marker = path.join(VENV, '.installed');
  if (!existsSync(marker)) {
    execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
    execFileSync(path.join(bin, 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS], {
      stdio: 'inherit',
    });
    execFileSync('touch', [marker]);
  }
  return { aws: path.join(bin, 'aws'), python: path.join(bin, 'python') };
}
