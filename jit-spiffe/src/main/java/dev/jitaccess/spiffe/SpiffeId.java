package dev.jitaccess.spiffe;

/** A SPIFFE ID (placeholder; being written). */
public final class SpiffeId {
  private SpiffeId() {}
}
