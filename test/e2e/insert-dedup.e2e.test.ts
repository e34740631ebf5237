import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { testConfig } from '../support/test-config';

describe('insert deduplication tokens on the embedded engine', () => {
  const clickhouse = new ClickHouseAdapter(testConfig());
  const count = async (table: string) => Number((await clickhouse.query<{ n: string }>(`SELECT count() AS n FROM ${table}`))[0].n);

  before(async () => {
    await clickhouse.connect();
    for (const table of ['dedup_json', 'dedup_tsv']) {
      await clickhouse.command(`CREATE TABLE ${table} (n UInt32) ENGINE = MergeTree ORDER BY n SETTINGS non_replicated_deduplication_window = 100`);
    }
  });
  after(() => clickhouse.onApplicationShutdown());

  it('drops a repeated insert with the same token, through both insert paths', async () => {
    await clickhouse.insert('dedup_json', [{ n: 1 }], 'batch-1');
    await clickhouse.insert('dedup_json', [{ n: 1 }], 'batch-1');
    await clickhouse.insertTsv('dedup_tsv', ['n'], ['1'], 'batch-1');
    await clickhouse.insertTsv('dedup_tsv', ['n'], ['1'], 'batch-1');
    assert.equal(await count('dedup_json'), 1);
    assert.equal(await count('dedup_tsv'), 1);
  });

  it('an insert without a token never inherits the previous insert\'s token (it would be dropped as a repeat)', async () => {
    await clickhouse.insert('dedup_json', [{ n: 2 }], 'batch-2');
    await clickhouse.insert('dedup_json', [{ n: 3 }]);
    await clickhouse.insertTsv('dedup_tsv', ['n'], ['2'], 'batch-2');
    await clickhouse.insert('dedup_json', [{ n: 4 }], 'batch-2-json');
    await clickhouse.insertTsv('dedup_tsv', ['n'], ['3']);
    assert.deepEqual((await clickhouse.query<{ n: number }>('SELECT n FROM dedup_json ORDER BY n')).map((r) => Number(r.n)), [1, 2, 3, 4]);
    assert.deepEqual((await clickhouse.query<{ n: number }>('SELECT n FROM dedup_tsv ORDER BY n')).map((r) => Number(r.n)), [1, 2, 3]);
  });
});
