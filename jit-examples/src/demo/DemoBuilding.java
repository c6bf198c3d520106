/**
 * The demo's first line (README command 1, {@code mvn -B -q -Pdemo -DskipTests verify}). With {@code -q}
 * Maven prints nothing while it compiles the modules, so the demo profile runs this one file through the
 * JDK's source launcher ({@code java DemoBuilding.java}) before anything is compiled. Not part of any
 * module: it only prints.
 */
public final class DemoBuilding {
  private DemoBuilding() {}

  /** Prints the line. */
  public static void main(String[] args) {
    System.out.println("jit-access demo: compiling the modules first (about 30 s), then the five scenarios run...");
  }
}
