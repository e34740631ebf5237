import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readMigrations, splitStatements } from '../../../src/storage/migration.runner';
import { tempDir } from '../../support/temp-dir';

describe('migration files', () => {
  it('splits statements on line-ending semicolons and drops comments', () => {
    const sql = `-- a comment\nCREATE TABLE a (x String DEFAULT ';') ENGINE = Memory;\n\nALTER TABLE a ADD COLUMN IF NOT EXISTS y UInt8;\n`;
    assert.deepEqual(splitStatements(sql), [
      `CREATE TABLE a (x String DEFAULT ';') ENGINE = Memory`,
      'ALTER TABLE a ADD COLUMN IF NOT EXISTS y UInt8',
    ]);
  });

  it('orders files by version and refuses bad names and duplicate versions', () => {
    const dir = tempDir('flowscope-mig-');
    writeFileSync(join(dir, '0002_b.sql'), 'SELECT 2;');
    writeFileSync(join(dir, '0001_a.sql'), 'SELECT 1;');
    assert.deepEqual(readMigrations(dir).map((m) => m.version), [1, 2]);
    writeFileSync(join(dir, '0002_c.sql'), 'SELECT 3;');
    assert.throws(() => readMigrations(dir), /two migration files share version 0002/);
    const bad = tempDir('flowscope-mig-');
    writeFileSync(join(bad, 'add_users.sql'), 'SELECT 1;');
    assert.throws(() => readMigrations(bad), /must look like 0001_what_it_does.sql/);
  });
});
