package io.orion.bus.support;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A minimal RESP2 client over a plain socket, standing in for {@code redis-cli} where it is not
 * installed. It sends each command as a RESP array of bulk strings, reads one reply per command and
 * renders the last reply as {@code redis-cli} does when its output is not a terminal: one line per
 * value, arrays flattened, nil as an empty line, an error as its text (not as an exception, the
 * same as {@code redis-cli}, whose exit code is 0 on an error reply). No TLS. Public for the
 * benchmarks ({@code io.orion.bus.bench}), which read Redis's own counters with it.
 */
public final class RespClient {

  private RespClient() {
  }

  /**
   * Sends the commands in order on one connection and returns the trimmed rendering of the last
   * reply.
   *
   * @throws IOException when the server cannot be reached or closes the connection
   */
  public static String call(String host, int port, int timeoutMs, List<List<String>> commands)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), timeoutMs);
      socket.setSoTimeout(timeoutMs);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      InputStream in = new BufferedInputStream(socket.getInputStream());
      StringBuilder reply = new StringBuilder();
      for (List<String> command : commands) {
        write(out, command);
        reply.setLength(0);
        read(in, reply);
      }
      return reply.toString().trim();
    }
  }

  private static void write(OutputStream out, List<String> command) throws IOException {
    StringBuilder header = new StringBuilder().append('*').append(command.size()).append("\r\n");
    out.write(header.toString().getBytes(StandardCharsets.UTF_8));
    for (String arg : command) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      out.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.write(bytes);
      out.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.flush();
  }

  private static void read(InputStream in, StringBuilder rendered) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("Redis closed the connection before replying");
    }
    String line = readLine(in);
    switch (type) {
      case '+', '-', ':' -> rendered.append(line).append('\n');
      case '$' -> {
        int length = Integer.parseInt(line);
        if (length >= 0) {
          rendered.append(new String(in.readNBytes(length), StandardCharsets.UTF_8));
          readLine(in);
        }
        rendered.append('\n');
      }
      case '*' -> {
        int count = Integer.parseInt(line);
        if (count < 0) {
          rendered.append('\n');
        }
        for (int i = 0; i < count; i++) {
          read(in, rendered);
        }
      }
      default -> throw new IOException("Unexpected RESP type byte '" + (char) type + "'");
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new EOFException("Redis closed the connection mid-reply");
      }
      if (c != '\r') {
        line.write(c);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
