package dev.jitaccess.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourceServersTest {

  @Test
  void bothServersAcceptOnlyAValidGrantAndOnlyTheVerifierSeesRevocation() {
    ResourceServers.Result[] result = new ResourceServers.Result[1];
    String printed = Outputs.capture(out -> result[0] = ResourceServers.run(out));
    ResourceServers.Result r = result[0];

    for (String server : new String[] {"A", "B"}) {
      assertThat(r.status("no token", server)).as(server).isEqualTo(401);
      assertThat(r.status("valid grant", server)).as(server).isEqualTo(200);
      assertThat(r.status("tampered token", server)).as(server).isEqualTo(401);
      assertThat(r.status("after expiry", server)).as(server).isEqualTo(401);
    }
    assertThat(r.status("after close", "A")).isEqualTo(401);
    assertThat(r.status("after close", "B")).isEqualTo(200); // plain JWT: no view of the store
    assertThat(r.calls()).filteredOn(c -> c.status() == 200)
        .allSatisfy(c -> assertThat(c.body()).isEqualTo("report for " + ResourceServers.CLIENT));
    assertThat(r.calls()).filteredOn(c -> c.situation().equals("after close") && c.server().startsWith("A"))
        .singleElement().satisfies(c -> assertThat(c.body()).contains("REVOKED"));
    Outputs.assertNoSecrets(printed, r.audit());
  }
}
