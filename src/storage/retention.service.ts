import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ClickHouseAdapter } from './clickhouse.adapter';

/**
 * The TTL clause for the configured retention; undefined when flows are kept forever. `time` is when
 * a row's flows are done: the flow's start, or for an hourly rollup's row the end of its hour (in the
 * engine's own spelling, so the clause compares equal to what the table reports).
 */
export function retentionTtl(allowedDays: number, deniedDays: number, time = 'toDateTime(start_time)'): string | undefined {
  const rules: string[] = [];
  if (allowedDays > 0) rules.push(`${time} + toIntervalDay(${allowedDays}) WHERE action = 'allow'`);
  // Denied flows and Log-rule events are what auditors ask for: they get their own, usually longer, retention.
  if (deniedDays > 0) rules.push(`${time} + toIntervalDay(${deniedDays}) WHERE action != 'allow'`);
  return rules.length ? rules.join(', ') : undefined;
}

/** When a peers rollup row's flows are done: the end of its hour. */
const PEER_HOUR_END = '(hour + toIntervalHour(1))';

/**
 * Retention is configuration, not schema: it is applied to the flows table, and to the tables that
 * follow its rows, on start, and only when it differs from what the table has (a TTL change
 * re-evaluates old parts lazily, on merges, rather than rewriting the table at every start).
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clickhouse: ClickHouseAdapter,
  ) {}

  async apply(): Promise<void> {
    const { allowedDays, deniedDays } = this.config.retention;
    const wanted = retentionTtl(allowedDays, deniedDays);
    // A flow's details (process, TCP statistics...), its addresses' search rows and its policies' peer
    // counts live as long as the flow.
    let changed = false;
    for (const table of ['flows', 'flow_details', 'flow_ips']) changed = (await this.applyTo(table, wanted)) || changed;
    changed = (await this.applyTo('policy_peers_1h', retentionTtl(allowedDays, deniedDays, PEER_HOUR_END))) || changed;
    if (changed) this.logger.log(`flow retention: allowed ${allowedDays || 'forever'} days, denied and logged ${deniedDays || 'forever'} days`);
  }

  private async applyTo(table: string, wanted: string | undefined): Promise<boolean> {
    const [row] = await this.clickhouse.query<{ q: string }>(
      'SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
      { table },
    );
    const current = /\sTTL\s(.*?)(\sSETTINGS\s|$)/s.exec(row?.q ?? '')?.[1]?.trim();
    const normalise = (ttl: string | undefined) => ttl?.replace(/\s+DELETE\s+WHERE\s+/g, ' WHERE ').replace(/\s+/g, ' ');
    if (normalise(current) === normalise(wanted)) return false;
    if (wanted) {
      await this.clickhouse.command(`ALTER TABLE ${table} MODIFY TTL ${wanted.replace(/ WHERE /g, ' DELETE WHERE ')} SETTINGS materialize_ttl_after_modify = 0`);
    } else {
      await this.clickhouse.command(`ALTER TABLE ${table} REMOVE TTL`);
    }
    return true;
  }
}
