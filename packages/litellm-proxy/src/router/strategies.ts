import type { DeploymentState } from './deployment.js';

/**
 * How the router picks among a group's usable deployments:
 * - round-robin: each in turn;
 * - least-busy: the fewest requests in flight (queued for its rate limit included);
 * - latency-based: the lowest moving-average response time; unmeasured deployments are tried first;
 * - simple-shuffle: at random (litellm's default).
 * Ties go round-robin, so equal deployments share the load.
 */
export type RoutingStrategy = 'round-robin' | 'least-busy' | 'latency-based' | 'simple-shuffle';

const ALIASES: Record<string, RoutingStrategy> = {
  'round-robin': 'round-robin',
  'least-busy': 'least-busy',
  'latency-based': 'latency-based',
  'latency-based-routing': 'latency-based',
  'simple-shuffle': 'simple-shuffle',
};

/** A strategy from its name, accepting litellm's names ("latency-based-routing"). */
export function resolveStrategy(name: string | undefined): RoutingStrategy | undefined {
  return name === undefined ? 'round-robin' : ALIASES[name];
}

/** Round-robin position per group; advanced past each pick. */
export class Cursor {
  private next = 0;

  /** Candidates (a subset of `all`) in round-robin order starting at the cursor. */
  order(all: readonly DeploymentState[], candidates: ReadonlySet<DeploymentState>): DeploymentState[] {
    const out: DeploymentState[] = [];
    for (let k = 0; k < all.length; k++) {
      const d = all[(this.next + k) % all.length];
      if (candidates.has(d)) out.push(d);
    }
    return out;
  }

  advancePast(all: readonly DeploymentState[], picked: DeploymentState): void {
    this.next = (all.indexOf(picked) + 1) % all.length;
  }
}

function score(strategy: RoutingStrategy, d: DeploymentState): number {
  if (strategy === 'least-busy') return d.inFlight;
  if (strategy === 'latency-based') return d.latencyMs ?? -1;
  return 0;
}

/** Picks one of `candidates` (non-empty). Deployments whose rate limit would make the call wait are avoided while others are ready. */
export function pick(
  strategy: RoutingStrategy,
  all: readonly DeploymentState[],
  candidates: ReadonlySet<DeploymentState>,
  cursor: Cursor,
  random: () => number = Math.random,
): DeploymentState {
  let ordered = cursor.order(all, candidates);
  const ready = ordered.filter((d) => !d.limiter || d.limiter.ready);
  if (ready.length > 0) ordered = ready;
  let chosen = ordered[0];
  if (strategy === 'simple-shuffle') chosen = ordered[Math.floor(random() * ordered.length)];
  else if (strategy !== 'round-robin') {
    let best = score(strategy, chosen);
    for (const d of ordered) {
      const s = score(strategy, d);
      if (s < best) {
        best = s;
        chosen = d;
      }
    }
  }
  cursor.advancePast(all, chosen);
  return chosen;
}
