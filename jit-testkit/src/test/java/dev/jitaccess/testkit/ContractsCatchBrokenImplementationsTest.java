package dev.jitaccess.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.Approval;
import dev.jitaccess.Credential;
import dev.jitaccess.WorkloadIdentity;
import dev.jitaccess.spi.ApprovalHandler;
import dev.jitaccess.spi.ApprovalOutcome;
import dev.jitaccess.spi.ApprovalTicket;
import dev.jitaccess.spi.AuditSink;
import dev.jitaccess.spi.GrantRecord;
import dev.jitaccess.spi.GrantStore;
import dev.jitaccess.spi.IdentityResult;
import dev.jitaccess.spi.IdentityVerifier;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static dev.jitaccess.testkit.BrokenImplementations.*;

/** The contracts can fail: each broken implementation below is caught by the test named. */
class ContractsCatchBrokenImplementationsTest {

  static void fails(Executable contractTest) {
    assertThatThrownBy(contractTest::execute).isInstanceOf(AssertionError.class);
  }

  // ------------------------------------------------------------------ grant store

  @Test
  void storeContractCatchesIgnoredQuotasLostRemovalsStaleIndexesAndDoubleApplication() {
    fails(() -> new SloppyStoreContract().identityQuotaIsHonoured());
    fails(() -> new SloppyStoreContract().taskQuotaIsHonoured());
    fails(() -> new SloppyStoreContract().concurrentInsertsNeverExceedTheQuota());
    fails(() -> new SloppyStoreContract().removeForgetsTheRecordAndItsIndexes());
    fails(() -> new SloppyStoreContract().indexesFollowTheLiveState());
    SloppyStoreContract twice = new SloppyStoreContract();
    twice.store.applyTwice = true;
    fails(twice::updateAppliesTheChangeOnceAndStoresIt);
    assertThatCode(() -> new SloppyStoreContract().findReturnsExactlyWhatWasInserted()).doesNotThrowAnyException();
  }

  @Test
  void storeContractCatchesAnEndingCalledBeforeOnlyAfterTheEnd() {
    fails(() -> new LateBeforeStoreContract().endLiveWithAnEndingCallsItAroundEachGrant());
    assertThatCode(() -> new LateBeforeStoreContract().endLiveEndsOnlyTheLiveGrantsNamed())
        .doesNotThrowAnyException();
  }

  // ------------------------------------------------------------------ key directory

  @Test
  void keyDirectoryContractCatchesReplacedKidsLaterRetirementsRetiredKeysAndNoOrder() {
    fails(() -> new BrokenKeyDirectories.SloppyContract().aKidIsNeverReplaced());
    fails(() -> new BrokenKeyDirectories.SloppyContract().retireOnlyMovesTheEndEarlier());
    BrokenKeyDirectories.SloppyContract retired = new BrokenKeyDirectories.SloppyContract();
    retired.directory.listsRetired = true;
    fails(retired::aKeyIsListedUntilItsRetireAfter);
    fails(() -> new BrokenKeyDirectories.SloppyContract().keysAreOrderedByKidAndIncludeKeysNotYetValid());
    assertThatCode(() -> new BrokenKeyDirectories.SloppyContract().valuesRoundTripExactly()).doesNotThrowAnyException();
  }

  // ------------------------------------------------------------------ identity verifier

  @Test
  void verifierContractCatchesAVerifierThatAcceptsEverything() {
    fails(() -> new AcceptsAll().neverVerifiesGarbage());
    fails(() -> new AcceptsAll().neverThrowsNorReturnsNullOnGarbage());
    fails(() -> new AcceptsAll().rejectsATamperedCredential());
    fails(() -> new AcceptsAll().rejectsTheRefusedCredentials());
  }

  @Test
  void verifierContractCatchesThrowingNullAndLeakyVerifiers() {
    fails(() -> new Throws().neverThrowsNorReturnsNullOnGarbage());
    fails(() -> new ReturnsNull().neverThrowsNorReturnsNullOnGarbage());
    fails(() -> new Leaky().rejectionReasonsNeverContainTheToken());
    fails(() -> new UnsupportedButVerified().rejectsCredentialsItDoesNotSupport());
    assertThatCode(() -> new Leaky().verifiesAValidCredential()).doesNotThrowAnyException();
  }

  // ------------------------------------------------------------------ audit sink

  @Test
  void auditSinkContractCatchesASinkThatChokesOnLineBreaksOrConcurrency() {
    assertThatThrownBy(() -> new Choking().acceptsAwkwardFieldValues()).isInstanceOf(IllegalStateException.class);
    assertThatCode(() -> new NotThreadSafe().recordsEveryEventType()).doesNotThrowAnyException();
  }

  // ------------------------------------------------------------------ approval handler

  @Test
  void approvalContractCatchesARubberStamp() {
    fails(() -> new RubberStampContract().approvesOnceEnoughDistinctMembersApprove());
    fails(() -> new RubberStampContract().theRequesterNeverApprovesItself());
    fails(() -> new RubberStampContract().nonMembersCannotApprove());
    fails(() -> new RubberStampContract().approvalsAfterTheDeadlineDoNotCount());
    fails(() -> new RubberStampContract().cancelEndsTheApprovalAndIsIdempotent());
    assertThatCode(() -> new RubberStampContract().ticketsAreIndependent()).doesNotThrowAnyException();
  }
}
