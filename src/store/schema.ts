/**
 * @module
 * The store's schema as numbered migrations. `meta.schema_version` says how many have run; a
 * store opened by an older huntpack is migrated forward, one written by a newer one is refused.
 * Times are milliseconds since the epoch (BIGINT), so every comparison is plain arithmetic.
 */

/**
 * Each entry is one migration, run in its own transaction. Never edit a released entry: append
 * a new one instead.
 */
export const MIGRATIONS: readonly (readonly string[])[] = [
  [
    // One row per indicator, keyed by kind, canonical value and family (as intake merges).
    // Attributes are as the latest pull states them; first/last seen span every pull and source.
    // `original` is NULL when the feed wrote the canonical value; `attrs` is a JSON object of
    // the lists (aliases, threatTypes, tags, references, reporters).
    `CREATE TABLE indicators (
      id BIGINT NOT NULL,
      kind VARCHAR NOT NULL,
      value VARCHAR NOT NULL,
      family_key VARCHAR NOT NULL,
      family VARCHAR,
      family_id VARCHAR,
      original VARCHAR,
      ip VARCHAR,
      port INTEGER,
      attrs VARCHAR NOT NULL,
      confidence INTEGER,
      first_seen BIGINT NOT NULL,
      last_seen BIGINT NOT NULL,
      first_pulled BIGINT NOT NULL,
      last_pulled BIGINT NOT NULL,
      feed VARCHAR NOT NULL,
      record VARCHAR
    )`,
    // One row per pull that committed; a pull that failed left nothing.
    `CREATE TABLE pulls (
      id INTEGER NOT NULL,
      source VARCHAR NOT NULL,
      mode VARCHAR NOT NULL,
      full_list BOOLEAN NOT NULL,
      format VARCHAR NOT NULL,
      started BIGINT NOT NULL,
      finished BIGINT NOT NULL,
      status VARCHAR NOT NULL,
      fingerprint VARCHAR NOT NULL,
      cursor VARCHAR,
      records INTEGER NOT NULL,
      indicators INTEGER NOT NULL,
      rejected INTEGER NOT NULL,
      added INTEGER NOT NULL,
      changed INTEGER NOT NULL,
      removed INTEGER NOT NULL
    )`,
    // Each indicator in each pull, with the feed's own record id.
    `CREATE TABLE sightings (
      indicator_id BIGINT NOT NULL,
      pull_id INTEGER NOT NULL,
      source VARCHAR NOT NULL,
      pulled_at BIGINT NOT NULL,
      feed VARCHAR NOT NULL,
      record VARCHAR
    )`,
    // Per indicator and source: when it was first and last pulled, and when that source's full
    // list stopped carrying it.
    `CREATE TABLE presence (
      indicator_id BIGINT NOT NULL,
      source VARCHAR NOT NULL,
      first_pulled BIGINT NOT NULL,
      last_pulled BIGINT NOT NULL,
      removed_at BIGINT,
      removed_pull INTEGER
    )`,
    // What each pull did to an indicator: added, changed (attributes), removed (by a source).
    `CREATE TABLE changes (
      indicator_id BIGINT NOT NULL,
      pull_id INTEGER NOT NULL,
      changed_at BIGINT NOT NULL,
      change VARCHAR NOT NULL,
      source VARCHAR NOT NULL
    )`,
    // Packs `build --from-store` wrote.
    `CREATE TABLE packs (
      id VARCHAR NOT NULL,
      name VARCHAR NOT NULL,
      built_at BIGINT NOT NULL,
      out_dir VARCHAR NOT NULL,
      indicators INTEGER NOT NULL,
      hunts INTEGER NOT NULL
    )`,
  ],
]

export const SCHEMA_VERSION = MIGRATIONS.length
