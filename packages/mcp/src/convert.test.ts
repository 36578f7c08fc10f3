import { describe, expect, it } from 'vitest';
import { McpToolError, resultToOutput } from './index.js';
import { sanitiseNames } from './convert.js';

describe('sanitiseNames', () => {
  it('keeps valid names, makes the others identifiers, and never lets two collide', () => {
    const map = sanitiseNames(['get-weather', 'get_weather', 'fs.read', '2fa', 'get.weather']);
    expect([...map]).toEqual([
      ['get_weather_2', 'get-weather'],
      ['get_weather', 'get_weather'],
      ['fs_read', 'fs.read'],
      ['_2fa', '2fa'],
      ['get_weather_3', 'get.weather'],
    ]);
  });
});

describe('resultToOutput', () => {
  const png = { type: 'image' as const, data: 'AAAA', mimeType: 'image/png' };

  it('returns texts joined, an image alone as an ImagePart, mixed content as parts', () => {
    expect(resultToOutput({ content: [] })).toBe('');
    expect(resultToOutput({ content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] })).toBe('a\nb');
    expect(resultToOutput({ content: [png] })).toEqual({ type: 'image', image: 'data:image/png;base64,AAAA', mediaType: 'image/png' });
    expect(resultToOutput({ content: [{ type: 'text', text: 'chart:' }, png] })).toEqual([
      { type: 'text', text: 'chart:' },
      { type: 'image', image: 'data:image/png;base64,AAAA', mediaType: 'image/png' },
    ]);
  });

  it('prefers structuredContent, describes what smol cannot show', () => {
    expect(resultToOutput({ content: [{ type: 'text', text: '{"n":1}' }], structuredContent: { n: 1 } })).toEqual({ n: 1 });
    expect(
      resultToOutput({
        content: [
          { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' },
          { type: 'resource', resource: { uri: 'file:///a.txt', text: 'inside a' } },
          { type: 'resource', resource: { uri: 'file:///b.bin', blob: 'AAAA', mimeType: 'application/octet-stream' } },
          { type: 'resource_link', uri: 'file:///c', name: 'c' },
        ],
      }),
    ).toBe('[audio: audio/wav, 3 bytes]\ninside a\n[resource file:///b.bin (application/octet-stream)]\n[resource c: file:///c]');
  });

  it('throws McpToolError for isError, with the text or a default message', () => {
    const result = { content: [{ type: 'text' as const, text: 'nope' }], isError: true };
    expect(() => resultToOutput(result)).toThrow(new McpToolError('nope', result));
    expect(() => resultToOutput({ content: [], isError: true })).toThrow(/without a message/);
  });
});
