/**
 * jit-store-postgres: shared state for several replicas through PostgreSQL. Exports exactly
 * {@code dev.jitaccess.store.postgres}.
 */
module dev.jitaccess.store.postgres {
  requires static transitive org.jspecify;
  requires transitive dev.jitaccess.core;
  requires transitive java.sql;
  requires org.postgresql.jdbc;
  requires org.slf4j;
  requires com.github.benmanes.caffeine;

  exports dev.jitaccess.store.postgres;
}
