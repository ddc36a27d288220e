/**
 * Invokes a handler by hand with a sample event, against a running embedded stack (`npm start` first):
 *   npx tsx events/invoke.ts api events/create-domain-wire.json
 * It reads the engines' endpoints from the data directory, as the embedded stack passes them to handlers.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Endpoints, loadOrCreateSecrets } from '#lib/local/embedded-stack';
import { applyHandlerEnvironment } from '#lib/local/handler-environment';
import { synthesizeTemplate } from '#lib/local/template';

async function main() {
  const [handlerName, eventFile] = process.argv.slice(2);
  if (!handlerName || !eventFile) throw new Error('usage: npx tsx events/invoke.ts <handler> <event.json>');
  const dataDir = path.resolve(process.env.VOICE_ID_DATA_DIR ?? path.join(__dirname, '..', '.data'));
  // The embedded stack wrote this file for its clients.
  const endpoints = JSON.parse(readFileSync(path.join(dataDir, 'endpoints.json'), 'utf8')) as Endpoints;
  const { tokenSecret } = loadOrCreateSecrets(path.join(dataDir, 'local-secrets.json'));
  applyHandlerEnvironment(synthesizeTemplate(), endpoints, tokenSecret, dataDir);
  const { handler } = (await import(path.join(__dirname, '..', 'lambda', 'handlers', `${handlerName}.ts`))) as {
    handler: (event: unknown) => Promise<unknown>;
  };
  console.log(JSON.stringify(await handler(JSON.parse(readFileSync(eventFile, 'utf8')) as unknown), null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
