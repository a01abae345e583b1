import { migrate, openDatabase } from '@kennebec/db';
import { loadConfig } from '@kennebec/server';
import type { CliIo } from '../io.ts';

export async function migrateCommand(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrate(db);
    io.out(applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : 'Database is up to date');
    return 0;
  } finally {
    await db.close();
  }
}
