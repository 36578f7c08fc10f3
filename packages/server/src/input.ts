// What the API accepts, validated with zod: a 400 names the field and says what is wrong.
import type { ImagePart } from '@smol/core';
import { z } from 'zod';

export interface InputLimits {
  maxTaskChars: number;
  maxImages: number;
  maxFiles: number;
  maxSteps: number;
}

const IMAGE_URL = /^(?:data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}|https?:\/\/[^\s]+)$/;

export function startSchema(limits: InputLimits) {
  return z.strictObject({
    agent: z.string({ error: 'must be a string' }).min(1, 'must not be empty').optional(),
    task: z
      .string({ error: 'is required and must be a string' })
      .trim()
      .min(1, 'must not be empty')
      .max(limits.maxTaskChars, `must be at most ${limits.maxTaskChars} characters`),
    images: z
      .array(z.string({ error: 'must be a URL string' }).regex(IMAGE_URL, 'must be an http(s) URL or a data:image/(png|jpeg|gif|webp);base64 URL'), {
        error: 'must be an array of image URLs',
      })
      .max(limits.maxImages, `must hold at most ${limits.maxImages} images`)
      .optional(),
    files: z
      .array(
        z.strictObject({
          name: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
          content: z.string({ error: 'must be text (UTF-8)' }),
        }),
        { error: 'must be an array of {name, content} text files' },
      )
      .max(limits.maxFiles, `must hold at most ${limits.maxFiles} files`)
      .optional(),
    maxSteps: maxStepsField(limits),
    additionalArgs: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
    stream: z.boolean({ error: 'must be true or false' }).optional(),
    keep: z.boolean({ error: 'must be true or false' }).optional(),
  });
}
export type StartInput = z.infer<ReturnType<typeof startSchema>>;

export const decisionsSchema = z.strictObject({
  decisions: z
    .record(z.string(), z.boolean({ error: 'must map call ids to true (approve) or false (reject)' }), { error: 'is required: an object of call id → true/false' })
    .refine((d) => Object.keys(d).length > 0, 'must decide at least one call'),
  stream: z.boolean({ error: 'must be true or false' }).optional(),
  keep: z.boolean({ error: 'must be true or false' }).optional(),
});
export type DecisionsInput = z.infer<typeof decisionsSchema>;

export interface Issue {
  field: string;
  message: string;
}

/** zod issues as {field, message}; an unknown field is named as such. */
export function issuesOf(error: z.ZodError): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: [...issue.path, key].join('.'), message: 'is not a known field' });
    } else {
      out.push({ field: issue.path.join('.') || '(body)', message: issue.path.length === 0 && issue.code === 'invalid_type' ? 'must be a JSON object' : issue.message });
    }
  }
  return out;
}

/** One sentence for the `error` field: the first issue, with the field named. */
export function issueSentence(issues: readonly Issue[]): string {
  const first = issues[0];
  if (!first) return 'Invalid request.';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `Invalid request: "${first.field}" ${first.message}${more}.`;
}

/** Attached text files join the run's additionalArgs as `files` (name → content): the model sees them with the task. */
export function withFiles(args: Record<string, unknown> | undefined, files: readonly { name: string; content: string }[] | undefined): Record<string, unknown> | undefined {
  if (!files || files.length === 0) return args;
  return { ...args, files: Object.fromEntries(files.map((f) => [f.name, f.content])) };
}

export function imageParts(urls: readonly string[] | undefined): ImagePart[] | undefined {
  if (!urls || urls.length === 0) return undefined;
  return urls.map((url) => {
    const m = /^data:(image\/[a-z]+);base64,/.exec(url);
    return m ? { type: 'image', image: url, mediaType: m[1] } : { type: 'image', image: url };
  });
}

/** A run's optional step limit, at most the server's. Shared by /api/runs and /api/chat. */
export function maxStepsField(limits: InputLimits) {
  return z
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(limits.maxSteps, `must be at most ${limits.maxSteps}`)
    .optional();
}
