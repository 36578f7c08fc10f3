// The demo's tools: small, deterministic, and honest about cancellation (they wait on the run's signal).
import { setTimeout as sleep } from 'node:timers/promises';
import { tool, type Tool } from '@smol/core';
import { z } from 'zod';

const WEATHER = ['sunny', 'cloudy', 'light rain', 'windy', 'clear skies', 'foggy'];

/** A stable pseudo-random number from a string, so the same city always gets the same weather. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export const PRICES: Readonly<Record<string, number>> = Object.freeze({
  apple: 0.5,
  pear: 0.75,
  banana: 0.25,
  orange: 0.6,
  bread: 2.2,
  milk: 1.1,
  cheese: 4.5,
  coffee: 7.9,
});

/** The price list's key for a word: "apples" → "apple", "peaches" → "peach"; undefined if unknown. */
export function itemKey(word: string): string | undefined {
  const w = word.toLowerCase().trim();
  for (const key of [w, w.replace(/s$/, ''), w.replace(/es$/, '')]) if (PRICES[key] !== undefined) return key;
  return undefined;
}

export interface DemoToolOptions {
  /** Simulated latency of each tool call. Default 20 ms. */
  latencyMs?: number;
}

export function demoTools(options: DemoToolOptions = {}): Tool[] {
  const latency = options.latencyMs ?? 20;
  const getWeather = tool({
    name: 'get_weather',
    description: 'The current weather in a city.',
    inputSchema: z.object({ city: z.string().describe('The city, e.g. "Paris"') }),
    execute: async ({ city }, { signal }) => {
      await sleep(latency, undefined, { signal });
      const h = hash(city.toLowerCase());
      return `${WEATHER[h % WEATHER.length]}, ${8 + (h % 22)}°C in ${city}`;
    },
  });
  const getPrice = tool({
    name: 'get_price',
    description: `The price in euros of one unit of a grocery item (${Object.keys(PRICES).join(', ')}).`,
    inputSchema: z.object({ item: z.string().describe('The item, singular, e.g. "apple"') }),
    execute: async ({ item }, { signal }) => {
      await sleep(latency, undefined, { signal });
      const key = itemKey(item);
      const price = key === undefined ? undefined : PRICES[key];
      if (price === undefined) throw new Error(`Unknown item "${item}". Known items: ${Object.keys(PRICES).join(', ')}.`);
      return price;
    },
  });
  return [getWeather, getPrice];
}
