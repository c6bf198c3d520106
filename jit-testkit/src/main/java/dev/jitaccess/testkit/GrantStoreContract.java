package dev.jitaccess.testkit;

import dev.jitaccess.spi.GrantStore;

/**
 * The {@link GrantStore} contract as JUnit 5 tests: extend this class in your test sources and return
 * a fresh, empty store from {@link #newStore()}.
 * <pre>{@code
 * class RedisGrantStoreContractTest extends GrantStoreContract {
 *   protected GrantStore newStore() { return new RedisGrantStore(redis, clock); }
 * }
 * }</pre>
 * What it checks, one part per job, each in its own class that this one inherits:
 * <ul>
 *   <li>{@link GrantStoreRecordContract}: insert then find gives back exactly the record stored (a record
 *       has no token, and none is added); duplicates are refused and leave the original; update applies its
 *       function exactly once per call, atomically under contention, and not at all for an unknown id; the
 *       live indexes and count follow revocation, expiry and removal; endLive ends only the live grants
 *       named; a record is kept at least until its expiry.
 *   <li>{@link GrantStoreQuotaContract}: the identity and task quotas are honoured, count only live grants,
 *       and hold under concurrent inserts; a task is bound to its owner while it has live grants.
 *   <li>{@link GrantStoreChangeFeedContract}: {@link GrantStore#subscribe} refuses null and its
 *       subscription closes twice harmlessly. When {@link #peerOf} gives a second instance sharing the data
 *       (a replica), also the change feed: a change made through the peer reaches every listener with the
 *       current record, a throwing listener stops nobody else, and a closed subscription hears nothing more.
 * </ul>
 * The fixtures (the {@link #clock}, {@link #record(String, String)}, {@link #peerOf}) are in
 * {@link GrantStoreContractSupport}.
 *
 * <p>A fresh instance of the test class, with a fresh {@link #clock}, runs each test.
 */
public abstract class GrantStoreContract extends GrantStoreChangeFeedContract {
  /** Creates this class; subclasses need a no-argument constructor for JUnit. */
  protected GrantStoreContract() {}
}
