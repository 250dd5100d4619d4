// `npm run migrate`: applies pending migrations. In embedded mode the data directory must not be
// in use by a running telmark (chDB allows one process per directory); migrations also run at start.
import { checkStore, openStore } from '../schema/client.ts';
import { storageConfig } from '../schema/config.ts';
import { ConfigError } from '../schema/env.ts';
import { migrate } from '../schema/migrate.ts';
import { errorLine } from '../schema/errors.ts';
import { retentionConfig } from '../schema/retention.ts';

try {
  const config = storageConfig(process.env);
  const store = openStore(config);
  await checkStore(store, config);
  await migrate(store, {
    ...retentionConfig(process.env),
    log: (l) => console.log(l),
  });
  await store.close();
} catch (err) {
  console.error(`telmark migrate: ${errorLine(err)}`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
