package dev.jitaccess.policy;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * An IPv4 or IPv6 address block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address).
 * Parsed by hand: never a DNS lookup. IPv4-mapped IPv6 addresses ({@code ::ffff:10.1.2.3}) are matched
 * as IPv4.
 */
final class Cidr {
  private final String text;
  private final byte[] network;
  private final int prefix;

  private Cidr(String text, byte[] network, int prefix) {
    this.text = text;
    this.network = network;
    this.prefix = prefix;
  }

  /**
   * Parses a block.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    byte[] bytes = addr.indexOf(':') < 0 ? parseIpv4(addr) : parseIpv6(addr);
    if (bytes == null) {
      throw new IllegalArgumentException("'" + addr + "' is not an IPv4 or IPv6 address");
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("prefix length '" + p + "' is not a number");
      }
      prefix = Integer.parseInt(p);
      if (prefix > max) {
        throw new IllegalArgumentException("prefix length " + prefix + " is above " + max);
      }
    }
    byte[] network = mask(bytes, prefix);
    if (!Arrays.equals(network, bytes)) {
      throw new IllegalArgumentException(
          "'" + text + "' has host bits set (did you mean " + format(network) + "/" + prefix + "?)");
    }
    return new Cidr(text, network, prefix);
  }

  /** Whether an address literal lies in this block; false for anything that is not an address. */
  boolean contains(byte[] address) {
    if (address == null) {
      return false;
    }
    if (address.length == 4 && network.length == 16) {
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(address, 0, mapped, 12, 4);
      address = mapped;
    }
    if (address.length != network.length) {
      return false;
    }
    return Arrays.equals(mask(address, prefix), network);
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff00 >> bits));
    }
    return out;
  }

  /** Parses an IPv4 or IPv6 literal (IPv4-mapped IPv6 becomes IPv4), or returns null. */
  static byte @Nullable [] parseAddress(String s) {
    if (s.isEmpty() || s.length() > 45) {
      return null;
    }
    if (s.indexOf(':') < 0) {
      return parseIpv4(s);
    }
    byte[] v6 = parseIpv6(s);
    if (v6 == null) {
      return null;
    }
    boolean mapped = true;
    for (int i = 0; i < 10; i++) {
      mapped &= v6[i] == 0;
    }
    mapped &= v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
    return mapped ? Arrays.copyOfRange(v6, 12, 16) : v6;
  }

  private static byte @Nullable [] parseIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      if (p.length() > 1 && p.charAt(0) == '0') {
        return null; // leading zeros are ambiguous (octal in some parsers)
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  private static byte @Nullable [] parseIpv6(String s) {
    int dc = s.indexOf("::");
    if (dc >= 0 && s.indexOf("::", dc + 1) >= 0) {
      return null;
    }
    String head = dc < 0 ? s : s.substring(0, dc);
    String tail = dc < 0 ? "" : s.substring(dc + 2);
    int[] h = groups(head, dc < 0);
    int[] t = groups(tail, true);
    if (h == null || t == null) {
      return null;
    }
    int total = h.length + t.length;
    if ((dc < 0 && total != 8) || (dc >= 0 && total > 7)) {
      return null;
    }
    byte[] out = new byte[16];
    for (int i = 0; i < h.length; i++) {
      out[2 * i] = (byte) (h[i] >> 8);
      out[2 * i + 1] = (byte) h[i];
    }
    for (int i = 0; i < t.length; i++) {
      int g = 8 - t.length + i;
      out[2 * g] = (byte) (t[i] >> 8);
      out[2 * g + 1] = (byte) t[i];
    }
    return out;
  }

  /** 16-bit groups of one side of "::"; an IPv4 tail counts as two groups. */
  private static int @Nullable [] groups(String part, boolean mayEndWithIpv4) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] raw = part.split(":", -1);
    int n = raw.length;
    byte[] v4 = null;
    if (mayEndWithIpv4 && raw[n - 1].indexOf('.') >= 0) {
      v4 = parseIpv4(raw[n - 1]);
      if (v4 == null) {
        return null;
      }
      n--;
    }
    int[] out = new int[n + (v4 == null ? 0 : 2)];
    for (int i = 0; i < n; i++) {
      String g = raw[i];
      if (g.isEmpty() || g.length() > 4) {
        return null;
      }
      int v = 0;
      for (int c = 0; c < g.length(); c++) {
        int d = Character.digit(g.charAt(c), 16);
        if (d < 0) {
          return null;
        }
        v = v * 16 + d;
      }
      out[i] = v;
    }
    if (v4 != null) {
      out[n] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
      out[n + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
    }
    return out;
  }

  private static String format(byte[] b) {
    StringBuilder sb = new StringBuilder();
    if (b.length == 4) {
      for (int i = 0; i < 4; i++) {
        sb.append(i == 0 ? "" : ".").append(b[i] & 0xff);
      }
    } else {
      for (int i = 0; i < 16; i += 2) {
        sb.append(i == 0 ? "" : ":").append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)));
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
