// Optional bearer tokens, compared in constant time: both sides are hashed to the same length
// first, and every configured token is checked (no early exit that would time which one matched).
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export type TokenCheck = (request: Request) => boolean;

/** A check for `Authorization: Bearer <token>`; undefined when no token is configured (open server). */
export function bearerCheck(tokens: string | readonly string[] | undefined): TokenCheck | undefined {
  const list = (typeof tokens === 'string' ? [tokens] : (tokens ?? [])).filter((t) => t.length > 0);
  if (list.length === 0) return undefined;
  const hashes = list.map(digest);
  return (request) => {
    const header = request.headers.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    const given = digest(match ? match[1] : '');
    let ok = false;
    for (const h of hashes) ok = timingSafeEqual(h, given) || ok;
    return ok && match !== null;
  };
}
