/**
 * @module
 * The `elastic` target: one ES|QL query per hunt kind over ECS fields (`elastic/<query>.esql`),
 * for Kibana's Discover or an ES|QL detection rule.
 */
import { shapeSets } from '../siem/indicators.ts'
import type { Target, TargetFile } from '../target.ts'
import { ELASTIC_INDEX, ELASTIC_QUERIES, elasticQuery } from './queries.ts'

export const elasticTarget: Target = {
  id: 'elastic',
  describe: `one ES|QL query per hunt kind over ECS fields in ${ELASTIC_INDEX}`,
  emit(content, queries) {
    const { pack } = content
    const sets = shapeSets(queries)
    const files: TargetFile[] = []
    for (const query of ELASTIC_QUERIES) {
      const set = sets[query.shape]
      if (!set) continue
      const text = elasticQuery(query, set, {
        packId: pack.id,
        packTitle: pack.title,
        feeds: pack.feeds,
        lookback: content.lookback,
      })
      if (text !== undefined)
        files.push({ path: `${pack.id}/elastic/${query.id}.esql`, content: text })
    }
    return files
  },
}
