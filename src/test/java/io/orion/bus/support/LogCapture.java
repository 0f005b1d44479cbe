package io.orion.bus.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Copies what the process logs while it is open (slf4j-simple writes to System.out, see simplelogger.properties),
 * still passing it on to the console. Close it to stop copying.
 */
public final class LogCapture implements AutoCloseable {

  private final PrintStream original;
  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

  private LogCapture() {
    original = System.out;
    System.setOut(new PrintStream(new Tee(original, copy), true, StandardCharsets.UTF_8));
  }

  /** Starts copying. */
  public static LogCapture start() {
    return new LogCapture();
  }

  /** The lines logged so far that contain {@code text}. */
  public List<String> linesWith(String text) {
    System.out.flush();
    String logged;
    synchronized (copy) {
      logged = copy.toString(StandardCharsets.UTF_8);
    }
    return logged.lines().filter(line -> line.contains(text)).toList();
  }

  @Override
  public void close() {
    System.out.flush();
    System.setOut(original);
  }

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
