/**
 * @module
 * The `clickhouse` target: each pack's hunt as SQL over the normalised events table, for teams
 * that query ClickHouse themselves: `clickhouse/hunt.sql` for one server's `events` table, and
 * `clickhouse/hunt.distributed.sql` for a `Distributed` table over shards (the same statement
 * with `GLOBAL JOIN`s). Findings are those `huntpack hunt --engine clickhouse` gives.
 */
import type { Target, TargetFile } from '../target.ts'
import { clickHouseCommentText, clickHouseHuntSql } from './query.ts'

export const clickhouseTarget: Target = {
  id: 'clickhouse',
  describe: 'SQL over the normalised events table in ClickHouse (one server, or Distributed)',
  emit(content) {
    const { pack } = content
    const files: TargetFile[] = []
    for (const distributed of [false, true]) {
      const sql = clickHouseHuntSql(pack.indicators, {
        table: 'events',
        lookback: content.lookback,
        distributed,
      })
      if (sql === undefined) continue
      const header = [
        `-- huntpack: ${clickHouseCommentText(pack.title)}`,
        `-- Feeds: ${clickHouseCommentText(pack.feeds.join(', '))}`,
        `-- ${pack.indicators.length} indicators over the last ${content.lookback} of events, ` +
          'the table `huntpack logs import --into clickhouse://host:8123/db` writes' +
          (distributed ? ' (its Distributed table over the shards).' : '.'),
        '-- One row per finding with its event, as `huntpack hunt --engine clickhouse` gives them.',
        '-- To hunt another table or window, edit the `hunted` line.',
        '',
      ]
      const name = distributed ? 'hunt.distributed.sql' : 'hunt.sql'
      files.push({
        path: `${pack.id}/clickhouse/${name}`,
        content: `${header.join('\n')}${sql}`,
      })
    }
    return files
  },
}
