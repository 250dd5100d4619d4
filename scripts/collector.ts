// `npm run collector`: the collector alone (server mode: CLICKHOUSE_URL points at a ClickHouse server).
import { main } from './start.ts';
await main({ collector: true, dashboard: false });
