import { PortSpec } from '../policy';

/** Inclusive port interval. */
export interface PortInterval {
  min: number;
  max: number;
}

/** Sorted, merged intervals (adjacent ones joined). */
export function mergePorts(ports: Iterable<number | PortInterval>): PortInterval[] {
  const list = [...ports].map((p) => (typeof p === 'number' ? { min: p, max: p } : { ...p })).sort((a, b) => a.min - b.min || a.max - b.max);
  const out: PortInterval[] = [];
  for (const p of list) {
    const last = out[out.length - 1];
    if (last && p.min <= last.max + 1) last.max = Math.max(last.max, p.max);
    else out.push(p);
  }
  return out;
}

/** How Calico manifests write them: a number, or "min:max" for a range. */
export function portManifestValues(intervals: readonly PortInterval[]): Array<number | string> {
  return intervals.map((p) => (p.min === p.max ? p.min : `${p.min}:${p.max}`));
}

export function portTexts(intervals: readonly PortInterval[]): string[] {
  return portManifestValues(intervals).map(String);
}

export function portCount(intervals: readonly PortInterval[]): number {
  return intervals.reduce((n, p) => n + p.max - p.min + 1, 0);
}

/** The numeric intervals of a rule's port list; null when it names ports (resolved per endpoint). */
export function numericPorts(specs: readonly PortSpec[]): PortInterval[] | null {
  if (specs.some((s) => s.kind !== 'range')) return null;
  return mergePorts(specs.map((s) => (s.kind === 'range' ? { min: s.min, max: s.max } : { min: 0, max: -1 })));
}

/** Every interval of `inner` lies inside `outer` (both merged). */
export function portsWithin(inner: readonly PortInterval[], outer: readonly PortInterval[]): boolean {
  return inner.every((p) => outer.some((o) => o.min <= p.min && p.max <= o.max));
}
