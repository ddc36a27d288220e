#!/usr/bin/env node
/**
 * Provisions the speaker-embedding model; `npm install` runs it as the package's postinstall script.
 *
 * The ONNX file is not in the repository: it is built from the Resemblyzer wheel on PyPI by model/provision.py
 * (see model/README.md), which needs Python with numpy and onnx. This script does that in model/.venv and checks
 * the result against the sha256 pinned in model/models.json. When the file is already there and matches, it
 * only hashes it (milliseconds), so repeated installs cost nothing.
 *
 * It never fails `npm install`: without a suitable Python, or when the build fails, it prints what to run and
 * exits 0. Everything but biometrics works without the model, and the service says the same thing when a request
 * needs it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODEL_DIR = path.join(ROOT, 'model');
const VENV = path.join(MODEL_DIR, '.venv');
const VENV_PYTHON = path.join(VENV, ...(process.platform === 'win32' ? ['Scripts', 'python.exe'] : ['bin', 'python']));
const REQUIREMENTS = path.join(MODEL_DIR, 'requirements-provision.txt');

/** numpy 2.4, pinned for byte-identical ONNX output, supports Python 3.11 and newer. */
const MIN_PYTHON = [3, 11];

const { models } = JSON.parse(readFileSync(path.join(MODEL_DIR, 'models.json'), 'utf8'));
const model = models.find((entry) => entry.name === 'resemblyzer-ge2e');
const target = path.join(MODEL_DIR, 'out', model.file);
const relative = (file) => path.relative(ROOT, file);
const log = (line) => console.log(`[provision-model] ${line}`);

const MANUAL = [
  `python3 -m venv model/.venv`,
  `model/.venv/bin/pip install -r model/requirements-provision.txt`,
  `model/.venv/bin/python model/provision.py --skip-self-test`,
  `node bin/provision-model.mjs   # checks the sha256`,
];

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function run(command, args, options = {}) {
  return spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
}

/** A Python new enough for the pinned packages, or undefined. `PYTHON` picks one explicitly. */
function findPython() {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : ['python3', 'python'];
  const check = `import sys; sys.exit(0 if sys.version_info[:2] >= (${MIN_PYTHON.join(', ')}) else 1)`;
  return candidates.find((python) => run(python, ['-c', check], { stdio: 'ignore' }).status === 0);
}

function giveUp(reason) {
  console.warn(
    [
      '',
      `[provision-model] The speaker model (${relative(target)}) is NOT provisioned: ${reason}`,
      '[provision-model] Everything except voice biometrics works without it. To provision it, from the project root:',
      ...MANUAL.map((line) => `    ${line}`),
      `[provision-model] This needs Python ${MIN_PYTHON.join('.')}+ with venv and access to PyPI (about 55 MB of downloads).`,
      '',
    ].join('\n'),
  );
  // Deliberately 0: a missing model must not break `npm install` for everything else.
  process.exit(0);
}

function provision() {
  if (existsSync(target) && sha256(target) === model.sha256) {
    log(`${relative(target)} is present and its sha256 matches models.json.`);
    return;
  }
  const started = Date.now();
  log(`building ${relative(target)} from resemblyzer ${model.source.version} on PyPI (20-60 s, once).`);

  const venvWorks = existsSync(VENV_PYTHON) && run(VENV_PYTHON, ['-c', 'import sys'], { stdio: 'ignore' }).status === 0;
  if (!venvWorks) {
    const python = findPython();
    if (!python) giveUp(`no Python ${MIN_PYTHON.join('.')} or newer was found (tried ${process.env.PYTHON ?? 'python3, python'}).`);
    // --clear replaces a venv left broken by a Python upgrade.
    if (run(python, ['-m', 'venv', '--clear', VENV]).status !== 0) {
      giveUp(`\`${python} -m venv\` failed (on Debian and Ubuntu, install the python3-venv package).`);
    }
  }
  const pip = run(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS]);
  if (pip.status !== 0) giveUp('installing numpy and onnx into model/.venv failed (see the pip output above).');
  // The self-test needs onnxruntime for Python, which provisioning does not otherwise need; the sha256 check below
  // is stricter anyway: the bytes must equal those the self-test and the parity checks passed on.
  if (run(VENV_PYTHON, [path.join(MODEL_DIR, 'provision.py'), '--skip-self-test']).status !== 0) {
    giveUp('model/provision.py failed (see its output above).');
  }
  if (!existsSync(target) || sha256(target) !== model.sha256) {
    giveUp(`the built file's sha256 does not match models.json (${model.sha256}).`);
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s; sha256 ${model.sha256} matches models.json.`);
}

provision();
