package dev.jitaccess;

import dev.jitaccess.spi.GrantListener;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * A grant this broker issued and has not seen end: its facts, its own listeners, and (as the timer
 * entry it extends) its pending lifecycle events. One object per live grant.
 */
final class LiveGrant extends LifecycleTimer.Entry {
  private static final VarHandle REPORTED;

  static {
    try {
      REPORTED = MethodHandles.lookup().findVarHandle(LiveGrant.class, "reported", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile GrantInfo info;
  private final List<GrantListener> own;
  /** 1 once a call has claimed the report of this grant's end: exactly one call reports it. */
  @SuppressWarnings("unused") // through REPORTED
  private volatile int reported;

  LiveGrant(GrantInfo info, List<GrantListener> own) {
    this.info = info;
    this.own = own;
  }

  /** Claims the report of this grant's end; true for exactly one caller. */
  boolean claimReport() {
    return REPORTED.compareAndSet(this, 0, 1);
  }

  GrantInfo info() {
    return info;
  }

  /** Its facts after a re-mint. */
  void info(GrantInfo reminted) {
    this.info = reminted;
  }

  List<GrantListener> own() {
    return own;
  }

  @Override
  String grantId() {
    return info.grantId();
  }
}
