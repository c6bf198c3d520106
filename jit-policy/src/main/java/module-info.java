/** jit-policy: a rule-based {@link dev.jitaccess.spi.PolicyEvaluator} with YAML policies. */
module dev.jitaccess.policy {
  requires static transitive org.jspecify;
  requires transitive dev.jitaccess.core;
  requires org.snakeyaml.engine.v2;
  requires org.slf4j;

  exports dev.jitaccess.policy;
}
