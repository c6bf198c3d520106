package dev.jitaccess;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Verification interface's accessors, usable without a cast. */
class VerificationAccessorsTest {

  @Test
  void aVerifiedResultOffersItsInfoAndNoRejection() {
    GrantInfo info = GrantInfoTest.base().build();
    Verification v = new Verification.Verified(info);
    assertThat(v.isVerified()).isTrue();
    assertThat(v.info()).contains(info);
    assertThat(v.rejectionReason()).isEmpty();
    assertThat(v.rejectionDetail()).isEmpty();
  }

  @Test
  void aRejectedResultOffersItsReasonAndDetailAndNoInfo() {
    Verification v = new Verification.Rejected(Verification.RejectionReason.EXPIRED, "expired at T");
    assertThat(v.isVerified()).isFalse();
    assertThat(v.info()).isEmpty();
    assertThat(v.rejectionReason()).contains(Verification.RejectionReason.EXPIRED);
    assertThat(v.rejectionDetail()).contains("expired at T");
  }
}
