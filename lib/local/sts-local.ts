import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from './json-protocol-server.ts';
import { LOCAL_ACCOUNT_ID } from './template.ts';

const ROLE_ARN = /^arn:aws(-[^:]+)?:iam::([0-9]{12}):role\/(.+)$/;
const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

const escape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * STS AssumeRole (the AWS query protocol), so that batch job workers take on a job's DataAccessRoleArn through
 * the same code as in AWS. There are no IAM policies here: a role of the local account (000000000000) is
 * assumed, one of another account is refused as a role that does not trust this deployment would be. The
 * credentials it hands out open the local S3, which accepts any.
 */
export async function startLocalSts() {
  const reply = (response: ServerResponse, status: number, xml: string) => {
    response.writeHead(status, { 'Content-Type': 'text/xml' });
    response.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
  };
  const refuse = (response: ServerResponse, status: number, code: string, message: string) =>
    reply(
      response,
      status,
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const form = new URLSearchParams((await readBody(request)).toString('utf8'));
    if (form.get('Action') !== 'AssumeRole')
      return refuse(response, 400, 'InvalidAction', `The local STS answers AssumeRole only, not ${form.get('Action')}.`);
    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    const role = ROLE_ARN.exec(roleArn);
    if (!role || !/^[\w+=,.@-]{2,64}$/.test(sessionName))
      return refuse(response, 400, 'ValidationError', 'RoleArn must be a role ARN and RoleSessionName 2-64 of [\\w+=,.@-].');
    if (role[2] !== LOCAL_ACCOUNT_ID) {
      return refuse(response, 403, 'AccessDenied', `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const seconds = Number(form.get('DurationSeconds') ?? 3600);
    const expiration = new Date(Date.now() + seconds * 1000).toISOString();
    reply(
      response,
      200,
      `<AssumeRoleResponse xmlns="${XMLNS}"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>ASIALOCAL${randomBytes(6).toString('hex').toUpperCase()}</AccessKeyId>` +
        `<SecretAccessKey>${randomBytes(30).toString('base64url')}</SecretAccessKey>` +
        `<SessionToken>${randomBytes(48).toString('base64url')}</SessionToken>` +
        `<Expiration>${expiration}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROALOCAL:${escape(sessionName)}</AssumedRoleId>` +
        `<Arn>arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/${escape(role[3])}/${escape(sessionName)}</Arn></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  };
  const server = createServer(
    (request, response) => void handle(request, response).catch((error) => refuse(response, 500, 'InternalFailure', String(error))),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
