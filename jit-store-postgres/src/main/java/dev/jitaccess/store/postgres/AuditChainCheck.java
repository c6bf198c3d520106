package dev.jitaccess.store.postgres;

import org.jspecify.annotations.Nullable;

/**
 * The checks of one audit chain of {@link PostgresAuditSink}, fed its records in seq order, then ended:
 * one rule for every chain. Record {@code n} (from 1) must have seq {@code n}; its line must start with its
 * seq, end with the previous record's hash ({@code GENESIS} for the first) and hash to its stored hash; it
 * must not lie past the chain's head; at the end the head must name the last record's seq and hash, and an
 * anchor taken earlier must still be a record of the chain. Each method returns null while all is well, else
 * the problem; {@link #badSeq()} then names the record where it shows.
 */
final class AuditChainCheck {
  private final int chain;
  private final PostgresAuditSink.Head head;
  private final PostgresAuditSink.@Nullable Head anchor;
  private long expected = 1;
  private long badSeq;
  private String prev = AuditLine.GENESIS;

  AuditChainCheck(int chain, PostgresAuditSink.Head head, PostgresAuditSink.@Nullable Head anchor) {
    this.chain = chain;
    this.head = head;
    this.anchor = anchor;
  }

  /** How many records passed. */
  long passed() {
    return expected - 1;
  }

  /** The seq of the record where the problem shows. */
  long badSeq() {
    return badSeq;
  }

  /** Checks the next record of the chain. */
  @Nullable String next(long seq, String line, String hash) {
    if (seq != expected) {
      return bad(expected, "removed: seq " + expected + (seq == expected + 1 ? "" : " to " + (seq - 1))
          + " missing (seq " + (expected - 1) + " is followed by " + seq + ")");
    }
    if (seq > head.seq()) {
      return bad(seq, "appended past the head: the head names seq " + head.seq()
          + ", so this record was not written by an append");
    }
    if (!line.startsWith(AuditLine.prefix(seq))) {
      return bad(seq, "altered: the line does not start with its seq " + seq);
    }
    if (!line.endsWith(AuditLine.suffix(prev))) {
      return bad(seq, seq == 1
          ? "altered: the first record's prev is not " + AuditLine.GENESIS
          : "altered: its prev does not match the hash of seq " + (seq - 1) + " (that record or this one was changed)");
    }
    if (!AuditLine.hash(line).equals(hash)) {
      return bad(seq, "altered: the line does not match its stored hash");
    }
    if (anchor != null && seq == anchor.seq() && !hash.equals(anchor.hash())) {
      return bad(seq, "altered: the hash differs from the anchor taken at seq " + anchor.seq());
    }
    prev = hash;
    expected++;
    return null;
  }

  /** Checks the end of the chain against its head and the anchor. */
  @Nullable String end() {
    long last = expected - 1;
    if (head.seq() > last) {
      return bad(last + 1, "truncated: the head names seq " + head.seq() + " but the trail ends at seq " + last);
    }
    if (!head.hash().equals(prev)) {
      return bad(last, "altered: the hash of the last record, seq " + last + ", does not match the head");
    }
    if (anchor != null && anchor.seq() > last) {
      return bad(last + 1, "truncated: the anchor names seq " + anchor.seq() + " but the trail ends at seq " + last);
    }
    return null;
  }

  private String bad(long seq, String problem) {
    badSeq = seq;
    return problem + ", in chain " + chain;
  }
}
