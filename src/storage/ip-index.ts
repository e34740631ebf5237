import { ClickHouseAdapter } from './clickhouse.adapter';
import { FlowFilter, IpAccess, IpMatch, ipIndexSql, singleAddress } from './flow-filter';

/**
 * Above this many per-address rows in the range, the granules they point at cover most of the range
 * anyway and building the set costs more than it saves (a broad CIDR): the flows are read directly.
 */
export const IP_INDEX_MAX_ROWS = 20_000;

/**
 * Which of a filter's IP conditions are narrow enough to go through the per-address table. One
 * small read of that table per IP condition (at most IP_INDEX_MAX_ROWS rows of its sort key).
 * A newest-first page (`page`) whose only condition is one exact address always goes through it
 * without asking: it takes the keys of that address's newest rows only (see flowWhere), which stays
 * cheap however many flows the address has (50 ms for the page of an address with a million). The
 * count cost about 6 ms of an address page's 60 ms (measured on 10 million stored flows).
 */
export async function ipAccess(clickhouse: ClickHouseAdapter, f: FlowFilter, page = false): Promise<IpAccess> {
  const single = page ? singleAddress(f) : undefined;
  if (single !== undefined) return { [single]: true };
  const narrow = async (m: IpMatch | undefined, side?: 'src' | 'dst'): Promise<boolean> => {
    if (m === undefined) return false;
    const params: Record<string, unknown> = { from: f.from.getTime(), to: f.to.getTime() };
    let n = 0;
    const bind = (v: unknown, type: string) => {
      params[`i${n}`] = v;
      return `{i${n++}:${type}}`;
    };
    const [row] = await clickhouse.query<{ n: number | string }>(
      `SELECT count() AS n FROM (SELECT 1 FROM flow_ips WHERE ${ipIndexSql(m, side, bind)} LIMIT {cap:UInt32})`,
      { ...params, cap: IP_INDEX_MAX_ROWS + 1 },
    );
    return Number(row.n) <= IP_INDEX_MAX_ROWS;
  };
  const [either, src, dst] = await Promise.all([narrow(f.ip), narrow(f.src?.ip, 'src'), narrow(f.dst?.ip, 'dst')]);
  return { either, src, dst };
}
