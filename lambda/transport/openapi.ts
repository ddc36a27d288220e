import { z } from 'zod';
import { restRoutes } from './rest-routes.ts';

/** The part of a zod object's JSON Schema the document reads. */
interface JsonObjectSchema {
  properties: Record<string, unknown>;
  required?: string[];
}

const ERRORS: Record<string, string> = {
  '400': 'ValidationException',
  '402': 'ServiceQuotaExceededException',
  '403': 'AccessDeniedException',
  '404': 'ResourceNotFoundException',
  '409': 'ConflictException',
  '429': 'ThrottlingException',
  '500': 'InternalServerException',
};

/**
 * The OpenAPI 3.1 document of the REST routes, built from the route table and the operations' own request
 * schemas, so it cannot drift from what the service accepts. Response bodies are the Voice ID model's shapes.
 */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of restRoutes) {
    const { name: operationName, input } = route.operation;
    const members = z.toJSONSchema(input, { io: 'input' }) as JsonObjectSchema;
    const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const inQuery = Object.keys(route.query ?? {});
    const bodyMembers = Object.entries(members.properties ?? {}).filter(([name]) => !inPath.includes(name) && !inQuery.includes(name));
    const parameters = [
      ...inPath.map((name) => ({ name, in: 'path', required: true, schema: members.properties[name] ?? { type: 'string' } })),
      ...inQuery.map((name) => ({
        name,
        in: 'query',
        required: members.required?.includes(name) ?? false,
        schema: members.properties[name] ?? { type: 'string' },
        ...(route.query?.[name] === 'list' ? { style: 'form', explode: true } : {}),
      })),
    ];
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      operationId: operationName,
      summary: route.summary,
      description: `The ${operationName} operation; over the wire protocol it is POST / with X-Amz-Target: VoiceID.${operationName}.`,
      parameters,
      ...(bodyMembers.length && route.method !== 'GET' && route.method !== 'DELETE'
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: Object.fromEntries(bodyMembers),
                    required: (members.required ?? []).filter((name) => bodyMembers.some(([member]) => member === name)),
                  },
                },
              },
            },
          }
        : {}),
      responses: {
        '200': {
          description: `The ${operationName} response of the Voice ID model (timestamps in epoch seconds).`,
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        ...Object.fromEntries(Object.entries(ERRORS).map(([status, name]) => [status, { $ref: `#/components/responses/${name}` }])),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Open Voice ID REST API',
      version: '2021-09-27',
      description:
        'REST routes of the self-hosted Voice ID service. Every request is signed with AWS Signature Version 4 (service name voiceid). Member names are those of the Voice ID API.',
    },
    security: [{ sigv4: [] }],
    paths,
    components: {
      securitySchemes: { sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS Signature Version 4' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['__type', 'message'],
          properties: {
            __type: { type: 'string' },
            message: { type: 'string' },
            ResourceType: { type: 'string', description: 'With ResourceNotFoundException' },
            ConflictType: { type: 'string', description: 'With ConflictException' },
          },
        },
      },
      responses: Object.fromEntries(
        Object.values(ERRORS).map((name) => [
          name,
          { description: name, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        ]),
      ),
    },
  };
}
