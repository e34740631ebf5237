import { ClusterOptions, ClusterSize } from './cluster.types';

export type SizeName = 'demo' | 'small' | 'medium' | 'large';

/** Presets from a laptop demo to the scale the engine must handle (10k pods, 1k policies). */
export const SIZES: Readonly<Record<SizeName, ClusterSize>> = {
  demo: { pods: 50, policies: 20 },
  small: { pods: 500, policies: 100 },
  medium: { pods: 2_000, policies: 300 },
  large: { pods: 10_000, policies: 1_000 },
};

export const DEFAULT_CLUSTER_OPTIONS: Omit<ClusterOptions, 'pods' | 'policies'> = {
  seed: 1,
  podCidr: '10.244.0.0/16',
  podCidr6: 'fd00:10:244::/56',
  podsPerNode: 110,
};

export function clusterOptions(size: SizeName | ClusterSize, overrides: Partial<ClusterOptions> = {}): ClusterOptions {
  const s = typeof size === 'string' ? SIZES[size] : size;
  if (!s) throw new Error(`unknown size ${String(size)} (demo, small, medium, large)`);
  return { ...DEFAULT_CLUSTER_OPTIONS, ...s, ...overrides };
}
