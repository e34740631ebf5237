import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { RetentionService } from '../../src/storage/retention.service';
import { testConfig } from '../support/test-config';
import { startTestApp } from '../support/test-app';

async function ttlOf(ch: ClickHouseAdapter, table = 'flows'): Promise<string> {
  const [t] = await ch.query<{ q: string }>('SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = {table:String}', { table });
  return /\sTTL\s(.*?)\sSETTINGS\s/s.exec(t.q)?.[1] ?? '';
}

describe('flow retention from configuration (embedded ClickHouse)', () => {
  it('applies separate retention to allowed and to denied flows, and changes it on restart', async () => {
    const config = testConfig({ FLOWSCOPE_RETENTION_ALLOWED_DAYS: '7', FLOWSCOPE_RETENTION_DENIED_DAYS: '400' });
    let t = await startTestApp(config);
    const ttl = await ttlOf(t.app.get(ClickHouseAdapter));
    assert.match(ttl, /toIntervalDay\(7\) WHERE action = 'allow'/);
    assert.match(ttl, /toIntervalDay\(400\) WHERE action != 'allow'/);
    assert.equal(await ttlOf(t.app.get(ClickHouseAdapter), 'flow_details'), ttl, "a flow's details live as long as the flow");
    assert.equal(await ttlOf(t.app.get(ClickHouseAdapter), 'flow_ips'), ttl, "so do its addresses' search rows");
    assert.equal(
      await ttlOf(t.app.get(ClickHouseAdapter), 'policy_peers_1h'),
      "(hour + toIntervalHour(1)) + toIntervalDay(7) WHERE action = 'allow', (hour + toIntervalHour(1)) + toIntervalDay(400) WHERE action != 'allow'",
      "and its policies' peer counts, from the end of their hour",
    );
    // The same configuration again changes nothing: every table already reports the wanted TTL.
    const ch = t.app.get(ClickHouseAdapter);
    const commands: string[] = [];
    const command = ch.command.bind(ch);
    ch.command = async (sql: string) => {
      commands.push(sql);
      return command(sql);
    };
    await t.app.get(RetentionService).apply();
    ch.command = command;
    assert.deepEqual(commands, []);
    await t.close();

    t = await startTestApp(testConfig({ FLOWSCOPE_DATA_DIR: config.clickhouse.dataDir, FLOWSCOPE_RETENTION_ALLOWED_DAYS: '0', FLOWSCOPE_RETENTION_DENIED_DAYS: '90' }));
    const changed = await ttlOf(t.app.get(ClickHouseAdapter));
    assert.doesNotMatch(changed, /action = 'allow'/, 'allowed flows are kept forever');
    assert.match(changed, /toIntervalDay\(90\) WHERE action != 'allow'/);
    assert.equal(await ttlOf(t.app.get(ClickHouseAdapter), 'flow_details'), changed);
    assert.equal(await ttlOf(t.app.get(ClickHouseAdapter), 'flow_ips'), changed);
    assert.equal(await ttlOf(t.app.get(ClickHouseAdapter), 'policy_peers_1h'), "(hour + toIntervalHour(1)) + toIntervalDay(90) WHERE action != 'allow'");
    await t.close();
  });
});
