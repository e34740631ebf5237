/** One figure. `ceiling` is the best achievable for the same work, measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  notes?: string;
  ceiling?: { name: string; value: number };
}

export interface BenchModule {
  name: string;
  run(): Promise<BenchResult[]>;
}
