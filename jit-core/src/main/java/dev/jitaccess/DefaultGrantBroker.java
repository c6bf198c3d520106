package dev.jitaccess;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

final class DefaultGrantBroker implements GrantBroker {
  DefaultGrantBroker(GrantBroker.Builder b) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public Grant request(GrantRequest request) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Decision evaluate(GrantRequest request) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompletionStage<Grant> requestAsync(GrantRequest request) {
    throw new UnsupportedOperationException();
  }

  @Override
  public <T> T runWithGrant(GrantRequest request, GrantTask<T> task) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean revoke(String grantId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int revokeTask(String taskId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int revokeIdentity(String identityId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean renew(String grantId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Optional<GrantInfo> find(String grantId) {
    throw new UnsupportedOperationException();
  }

  @Override
  public GrantVerifier verifier() {
    throw new UnsupportedOperationException();
  }

  @Override
  public String publicJwks() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void rotateKeys() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
