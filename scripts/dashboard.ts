// `npm run dashboard`: the dashboard server alone (server mode: CLICKHOUSE_URL points at a ClickHouse server).
import { main } from './start.ts';
await main({ collector: false, dashboard: true });
