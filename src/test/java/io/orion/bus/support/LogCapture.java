package io.orion.bus.support;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Copies what this JVM writes to {@code System.out} and {@code System.err} (slf4j-simple logs to
 * {@code System.out}), which still reach the original streams: during each test as a field
 * {@code @RegisterExtension final LogCapture log = new LogCapture();}, or from {@link #start()} until
 * {@link #close()}.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback, AutoCloseable {

  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
  private PrintStream stdout;
  private PrintStream stderr;

  /** Starts copying now, until {@link #close()}. */
  public static LogCapture start() {
    LogCapture capture = new LogCapture();
    capture.begin();
    return capture;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    begin();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }

  private void begin() {
    synchronized (copy) {
      copy.reset();
    }
    stdout = System.out;
    stderr = System.err;
    System.setOut(new PrintStream(new Tee(stdout, copy), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new Tee(stderr, copy), true, StandardCharsets.UTF_8));
  }

  /** What was written since the start. */
  public String text() {
    System.out.flush();
    System.err.flush();
    synchronized (copy) {
      return copy.toString(StandardCharsets.UTF_8);
    }
  }

  /** The lines written since the start that contain {@code text}. */
  public List<String> linesWith(String text) {
    return text().lines().filter(line -> line.contains(text)).toList();
  }

  /** Puts the original streams back. */
  @Override
  public void close() {
    if (stdout != null) {
      System.setOut(stdout);
      System.setErr(stderr);
      stdout = null;
      stderr = null;
    }
  }

  /** Writes to the original stream and to the copy. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final ByteArrayOutputStream second;

    Tee(OutputStream first, ByteArrayOutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void write(int b) throws IOException {
      first.write(b);
      synchronized (second) {
        second.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      synchronized (second) {
        second.write(b, off, len);
      }
    }
  }
}
