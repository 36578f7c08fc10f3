// The OpenAPI 3.1 document the server serves at /openapi.json. Request bodies come from the same
// zod schemas that validate them, so the document cannot drift from what is enforced.
import { z } from 'zod';
import { chatSchema } from './chat.js';
import { decisionsSchema, startSchema, type InputLimits } from './input.js';

const error = { type: 'object', properties: { error: { type: 'string' }, issues: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } } }, required: ['error'] };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const runId = { name: 'runId', in: 'path', required: true, schema: { type: 'string' } };

const RESULT = {
  type: 'object',
  properties: {
    runId: { type: 'string' },
    agent: { type: 'string' },
    state: { enum: ['success', 'max_steps_error', 'awaiting_approval'], description: 'max_steps_error: the run used all its steps; the output is the best answer from memory.' },
    output: {},
    stepCount: { type: 'integer' },
    tokenUsage: { type: ['object', 'null'], properties: { inputTokens: { type: 'integer' }, outputTokens: { type: 'integer' }, totalTokens: { type: 'integer' } } },
    durationMs: { type: 'number' },
    note: { type: 'string' },
    pendingApprovals: { type: 'array', items: { type: 'object', properties: { callId: { type: 'string' }, toolName: { type: 'string' }, arguments: {} } } },
    steps: { type: 'array', items: { type: 'object' } },
  },
  required: ['runId', 'agent', 'state', 'output', 'stepCount', 'tokenUsage', 'durationMs', 'steps'],
};

const SSE_DESCRIPTION =
  'Server-Sent Events, each with an `id`. Events: `run`, `delta`, `code`, `tool_call`, `observation`, `code_output`, `step`, `plan`, `final_answer`, ' +
  'then `done` (the RunResult JSON) or `run_error` ({error, kind, cause?}); `resumed` after approvals; `gap` when a reconnecting client asked for events ' +
  'older than the buffer. Reconnect with GET /api/runs/{runId}/events and `Last-Event-ID`.';

const runResponses = {
  '200': {
    description: 'The finished (or paused) run as JSON; with `stream` or `Accept: text/event-stream`, its events. ' + SSE_DESCRIPTION,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/RunResult' } }, 'text/event-stream': { schema: { type: 'string' } } },
  },
  '400': errorResponse('Invalid input; `issues` names each field.'),
  '401': errorResponse('Missing or wrong bearer token.'),
  '413': errorResponse('The body is larger than the limit.'),
  '415': errorResponse('Not JSON or multipart/form-data.'),
  '429': errorResponse('Too many runs at once; see Retry-After.'),
  '499': errorResponse('The run was cancelled or its client disconnected.'),
  '502': errorResponse('The model failed.'),
  '503': errorResponse('The server is shutting down.'),
  '504': errorResponse('The run exceeded its time limit.'),
};

export function openApiDocument(limits: InputLimits, maxBodyBytes: number): Record<string, unknown> {
  const start = z.toJSONSchema(startSchema(limits), { io: 'input', unrepresentable: 'any' });
  const decisions = z.toJSONSchema(decisionsSchema, { io: 'input', unrepresentable: 'any' });
  const chat = z.toJSONSchema(chatSchema(limits), { io: 'input', unrepresentable: 'any' });
  return {
    openapi: '3.1.0',
    info: { title: 'smol agent server', version: '0.1.0', description: `Runs smol agents over HTTP. Bodies up to ${maxBodyBytes} bytes.` },
    components: {
      schemas: { Error: error, RunResult: RESULT, StartRun: start, Decisions: decisions, Chat: chat },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }, {}],
    paths: {
      '/api/agents': { get: { summary: 'The agents this server runs, with their tools', responses: { '200': { description: 'Agents and limits' }, '401': errorResponse('Missing or wrong bearer token.') } } },
      '/api/runs': {
        post: {
          summary: 'Start a run: await its result, or stream its events',
          description: 'JSON body, or multipart/form-data with the same fields and image files named `images`. `keep: true` keeps the run going when the client disconnects.',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/StartRun' } }, 'multipart/form-data': { schema: { $ref: '#/components/schemas/StartRun' } } },
          },
          responses: runResponses,
        },
      },
      '/api/chat': {
        post: {
          summary: "Start a run from an AI SDK `useChat` request; answer with the AI SDK UI message stream",
          description:
            "The body DefaultChatTransport sends (`{id, messages, trigger, messageId}`, plus `agent` and `maxSteps`, which the transport's `body` option adds). " +
            "The task is the last message's text (it must be the user's); its image file parts go to the model and its text files join `additionalArgs.files`. " +
            'Earlier messages are not sent to the agent. Needs the optional packages @smol/ai-sdk and ai (else 501). The client going away aborts the run.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Chat' } } } },
          responses: {
            '200': {
              description:
                'The AI SDK UI message stream (SSE, `x-vercel-ai-ui-message-stream: v1`, `x-run-id`): `start` (messageId = run id), steps with text, reasoning and tool parts, ' +
                '`data-step` / `data-plan` / `data-code` / `data-run` parts, then `finish`, or `abort` (cancelled, disconnected, time limit) or `error`.',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            '400': runResponses['400'],
            '401': runResponses['401'],
            '413': runResponses['413'],
            '415': runResponses['415'],
            '429': runResponses['429'],
            '501': errorResponse('@smol/ai-sdk or ai is not installed; `install` lists the packages, `missing` the one not found.'),
            '503': runResponses['503'],
          },
        },
      },
      '/api/chat/{chatId}/stream': {
        get: {
          summary: 'Where `useChat({ resume: true })` looks for a stream to resume: always 204, since a chat run ends with its request',
          parameters: [{ name: 'chatId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '204': { description: 'Nothing to resume.' }, '401': errorResponse('Missing or wrong bearer token.') },
        },
      },
      '/api/runs/{runId}': { get: { summary: "A run's status (and result once it ended)", parameters: [runId], responses: { '200': { description: 'Status' }, '404': errorResponse('Unknown run.') } } },
      '/api/runs/{runId}/events': {
        get: {
          summary: "Follow a run's events from an event id",
          parameters: [runId, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'integer', minimum: 0 } }, { name: 'lastEventId', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } }],
          responses: { '200': { description: SSE_DESCRIPTION, content: { 'text/event-stream': { schema: { type: 'string' } } } }, '404': errorResponse('Unknown run.') },
        },
      },
      '/api/runs/{runId}/cancel': { post: { summary: 'Cancel a running run', parameters: [runId], responses: { '202': { description: 'Cancelling' }, '200': { description: 'Already ended' }, '404': errorResponse('Unknown run.') } } },
      '/api/runs/{runId}/approvals': {
        post: {
          summary: 'Answer the pending approvals of a paused run; it resumes from its snapshot',
          parameters: [runId],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Decisions' } } } },
          responses: { ...runResponses, '404': errorResponse('Unknown run.'), '409': errorResponse('The run is not waiting for approvals.') },
        },
      },
      '/openapi.json': { get: { summary: 'This document', security: [] } },
      '/api/health': { get: { summary: 'Liveness and the active run count', security: [] } },
      '/': { get: { summary: 'The chat page', security: [] } },
    },
  };
}
