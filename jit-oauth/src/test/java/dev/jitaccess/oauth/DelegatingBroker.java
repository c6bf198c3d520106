package dev.jitaccess.oauth;

import dev.jitaccess.Decision;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.Grant;
import dev.jitaccess.GrantBroker;
import dev.jitaccess.GrantInfo;
import dev.jitaccess.GrantRequest;
import dev.jitaccess.GrantTask;
import dev.jitaccess.GrantVerifier;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** A decorated {@link GrantBroker}, as a user writes one (metrics, tracing): forwards every call and counts them. */
final class DelegatingBroker implements GrantBroker {
  private final GrantBroker inner;
  final AtomicInteger calls = new AtomicInteger();

  DelegatingBroker(GrantBroker inner) {
    this.inner = inner;
  }

  @Override
  public Grant request(GrantRequest request) {
    calls.incrementAndGet();
    return inner.request(request);
  }

  @Override
  public Decision evaluate(GrantRequest request) {
    calls.incrementAndGet();
    return inner.evaluate(request);
  }

  @Override
  public CompletionStage<Grant> requestAsync(GrantRequest request) {
    calls.incrementAndGet();
    return inner.requestAsync(request);
  }

  @Override
  public <T extends @Nullable Object> T runWithGrant(GrantRequest request, GrantTask<T> task) {
    calls.incrementAndGet();
    return inner.runWithGrant(request, task);
  }

  @Override
  public Grant delegate(DelegationRequest request) {
    calls.incrementAndGet();
    return inner.delegate(request);
  }

  @Override
  public boolean revoke(String grantId) {
    calls.incrementAndGet();
    return inner.revoke(grantId);
  }

  @Override
  public int revokeTask(String taskId) {
    calls.incrementAndGet();
    return inner.revokeTask(taskId);
  }

  @Override
  public int revokeIdentity(String identityId) {
    calls.incrementAndGet();
    return inner.revokeIdentity(identityId);
  }

  @Override
  public boolean renew(String grantId) {
    calls.incrementAndGet();
    return inner.renew(grantId);
  }

  @Override
  public boolean isLive(String grantId) {
    calls.incrementAndGet();
    return inner.isLive(grantId);
  }

  @Override
  public Optional<GrantInfo> find(String grantId) {
    calls.incrementAndGet();
    return inner.find(grantId);
  }

  @Override
  public GrantVerifier verifier() {
    calls.incrementAndGet();
    return inner.verifier();
  }

  @Override
  public String publicJwks() {
    calls.incrementAndGet();
    return inner.publicJwks();
  }

  @Override
  public void rotateKeys() {
    calls.incrementAndGet();
    inner.rotateKeys();
  }

  @Override
  public void close() {
    inner.close();
  }
}
