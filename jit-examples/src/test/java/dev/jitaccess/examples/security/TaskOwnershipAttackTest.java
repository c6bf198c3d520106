package dev.jitaccess.examples.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jitaccess.AccessDeniedException;
import dev.jitaccess.Credential;
import dev.jitaccess.DelegationRequest;
import dev.jitaccess.DenialCategory;
import dev.jitaccess.Grant;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 #13, task ids belong to nobody: while a task has live grants it belongs to the owner that
 * opened it. Another owner's request for it is refused (POLICY) unless a rule allows a shared task or it
 * is a delegation; the per-task quota counts per (owner, task), so an outsider can neither fill the
 * victim's quota nor obtain a token that passes {@code VerificationRequest.taskId(victimTask)}.
 */
class TaskOwnershipAttackTest {
  private static final AtomicInteger TASKS = new AtomicInteger();
  private static final String BUILD = "spiffe://example.org/ci/build";
  private static final String DEPLOY = "spiffe://example.org/ci/deploy";
  private static final String INTRUDER = "spiffe://example.org/other-team/job";

  @AfterAll
  static void stop() {
    Attacks.report();
  }

  static String task() {
    return "own-" + TASKS.incrementAndGet();
  }

  static Credential svid(Target t, String id, String owner) {
    return Credential.jwtSvid(t.svid(id, owner));
  }

  @Test
  void anotherOwnersRequestForALiveTaskIsRefused() {
    try (Target t = new Target(b -> b.maxGrantsPerTask(3))) {
      String victimTask = task();
      Grant build = t.broker.request(t.request(svid(t, BUILD, "team-a"), victimTask).build());
      Target.Issued before = t.issued();
      for (int i = 0; i < 10; i++) {
        assertThatThrownBy(() -> t.broker.request(t.request(svid(t, INTRUDER, "team-b"), victimTask).build()))
            .isInstanceOfSatisfying(AccessDeniedException.class, e -> {
              assertThat(e.category()).isEqualTo(DenialCategory.POLICY);
              assertThat(e.getMessage()).contains("belongs to another owner").doesNotContain("team-a");
            });
        Attacks.tried("broker.request");
      }
      t.assertNothingIssuedSince(before);
      // the owner's other pipeline job shares the task, and the quota was not touched by the attempts
      assertThat(t.broker.request(t.request(svid(t, DEPLOY, "team-a"), victimTask).build()).isLive()).isTrue();
      assertThat(t.broker.request(t.request(svid(t, DEPLOY, "team-a"), victimTask).build()).isLive()).isTrue();
      // revokeTask ends only the owner's grants: nobody else holds one in the task
      assertThat(t.broker.revokeTask(victimTask)).isEqualTo(3);
      assertThat(build.isLive()).isFalse();
      // once the task has no live grant, it is free again
      assertThat(t.broker.request(t.request(svid(t, INTRUDER, "team-b"), victimTask).build()).isLive()).isTrue();
    }
  }

  @Test
  void theTaskQuotaCountsPerOwnerSoAnOutsiderCannotExhaustIt() {
    try (Target t = new Target(b -> b.maxGrantsPerTask(2))) {
      String victimTask = task();
      t.broker.request(t.request(svid(t, BUILD, "team-a"), victimTask).build());
      // a rule that allows a shared task lets the outsider in, but it fills only its own quota
      for (int i = 0; i < 2; i++) {
        t.broker.request(t.request(svid(t, INTRUDER, "team-b"), victimTask, "shared").build());
      }
      assertThatThrownBy(() -> t.broker.request(t.request(svid(t, INTRUDER, "team-b"), victimTask, "shared").build()))
          .isInstanceOfSatisfying(AccessDeniedException.class, e -> assertThat(e.category()).isEqualTo(DenialCategory.QUOTA));
      Attacks.tried("broker.request");
      assertThat(t.broker.request(t.request(svid(t, DEPLOY, "team-a"), victimTask).build()).isLive())
          .as("the owner's quota is its own").isTrue();
      assertThatThrownBy(() -> t.broker.request(t.request(svid(t, DEPLOY, "team-a"), victimTask).build()))
          .isInstanceOfSatisfying(AccessDeniedException.class, e -> assertThat(e.category()).isEqualTo(DenialCategory.QUOTA));
    }
  }

  @Test
  void aDelegationToAnotherOwnersToolJoinsTheTaskUnderTheParentsOwner() {
    try (Target t = new Target(b -> b.maxGrantsPerTask(2))) {
      String agentTask = task();
      Grant agent = t.broker.request(t.request(svid(t, BUILD, "team-a"), agentTask, "agent").actions("read").build());
      Grant tool = t.broker.delegate(DelegationRequest.builder(agent).credential(svid(t, INTRUDER, "team-b"))
          .actions("read").ttl(Duration.ofMinutes(1)).build());
      assertThat(tool.info().owner()).as("accountability stays with the parent's owner").contains("team-a");
      // the sub-grant counted under team-a: the owner's quota of 2 is now full
      assertThatThrownBy(() -> t.broker.request(t.request(svid(t, DEPLOY, "team-a"), agentTask).build()))
          .isInstanceOfSatisfying(AccessDeniedException.class, e -> assertThat(e.category()).isEqualTo(DenialCategory.QUOTA));
      // and the tool's owner cannot use the task on its own account
      assertThatThrownBy(() -> t.broker.request(t.request(svid(t, INTRUDER, "team-b"), agentTask).build()))
          .isInstanceOfSatisfying(AccessDeniedException.class, e -> assertThat(e.category()).isEqualTo(DenialCategory.POLICY));
      Attacks.tried("broker.request");
    }
  }
}
