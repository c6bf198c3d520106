package dev.jitaccess.spring.boot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalysisReporter;

/**
 * Test only (registered in the test resources' spring.factories): keeps every failure analysis Spring
 * Boot reports, so a test sees what a user would read when startup fails.
 */
public class RecordingFailureAnalysisReporter implements FailureAnalysisReporter {
  static final List<FailureAnalysis> REPORTED = new CopyOnWriteArrayList<>();

  @Override
  public void report(FailureAnalysis analysis) {
    REPORTED.add(analysis);
  }
}
