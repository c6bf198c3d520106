package dev.jitaccess.testkit;

import dev.jitaccess.spi.KeyDirectory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A key directory with the mistakes {@link KeyDirectoryContract} must catch, for {@link
 * ContractsCatchBrokenImplementationsTest}; not named *Test so that no test runner picks it up.
 */
final class BrokenKeyDirectories {
  private BrokenKeyDirectories() {}

  /** Last write wins, retire moves either way, retired keys may stay listed, publication order. */
  static final class Sloppy implements KeyDirectory {
    final Map<String, PublishedKey> keys = Collections.synchronizedMap(new LinkedHashMap<>());
    boolean listsRetired;

    @Override
    public void publish(PublishedKey key) {
      keys.put(key.kid(), key);
    }

    @Override
    public boolean retire(String kid, Instant retireAfter) {
      PublishedKey k = keys.get(kid);
      if (k == null || !retireAfter.isAfter(k.notBefore())) {
        return false;
      }
      keys.put(kid, new PublishedKey(kid, k.publicJwk(), k.notBefore(), retireAfter));
      return true;
    }

    @Override
    public List<PublishedKey> keys(Instant at) {
      List<PublishedKey> out = new ArrayList<>();
      for (PublishedKey k : List.copyOf(keys.values())) {
        if (listsRetired || at.isBefore(k.retireAfter())) {
          out.add(k);
        }
      }
      return out;
    }
  }

  /** The contract over a {@link Sloppy} directory. */
  static class SloppyContract extends KeyDirectoryContract {
    final Sloppy directory = new Sloppy();

    @Override
    protected KeyDirectory newDirectory() {
      return directory;
    }
  }
}
