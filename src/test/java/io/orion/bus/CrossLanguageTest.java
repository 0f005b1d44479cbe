package io.orion.bus;

import io.orion.bus.consume.ConsumerVerticle;
import io.orion.bus.ops.HttpVerticle;
import io.orion.bus.publish.PublisherVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.orion.bus.support.BusFixture;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.orion.bus.support.BusTesting.await;
import static io.orion.bus.support.BusTesting.consumerConfig;
import static io.orion.bus.support.BusTesting.deploy;
import static io.orion.bus.support.BusTesting.fresh;
import static io.orion.bus.support.BusTesting.publisherConfig;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The streams as services in other languages see them, through {@code redis-cli} and Python's standard {@code json}
 * module, in both directions: what the bus writes (on the event bus and over HTTP) reads back in Python as the same
 * value with the same metadata, and what {@code redis-cli} writes reaches a handler as the same data and headers.
 */
@ExtendWith(VertxExtension.class)
class CrossLanguageTest {

  /** The longest an external tool may run; a guard against a hang, not a measure. */
  private static final long TOOL_TIMEOUT_S = 60;

  /** The message Java publishes: UTF-8 text, escapes, nesting, big integers and floats. */
  private static final JsonObject MESSAGE = new JsonObject()
    .put("text", "café")
    .put("emoji", "😀 🚀")
    .put("escaped", "quote \" backslash \\ newline \n tab \t nul \u0000 del \u007f sep \u2028 slash /")
    .put("nested", new JsonObject().put("list", new JsonArray().add(1).add("zoë").add(new JsonObject()
      .put("deep", true).put("none", (Object) null)).add(new JsonArray())).put("empty", new JsonObject()))
    .put("big", new BigInteger("123456789012345678901234567890"))
    .put("long", Long.MAX_VALUE)
    .put("negative", -42)
    .put("float", 0.1)
    .put("tiny", Double.MIN_VALUE)
    .put("huge", Double.MAX_VALUE)
    .put("negativeZero", -0.0)
    .put("false", false);

  /** The same message as a Python literal, ASCII only: what Python's json module must read from the entry. */
  private static final String MESSAGE_IN_PYTHON = "{'text': 'caf\\u00e9', 'emoji': '\\U0001F600 \\U0001F680',"
    + " 'escaped': 'quote \" backslash \\\\ newline \\n tab \\t nul \\x00 del \\x7f sep \\u2028 slash /',"
    + " 'nested': {'list': [1, 'zo\\u00eb', {'deep': True, 'none': None}, []], 'empty': {}},"
    + " 'big': 123456789012345678901234567890, 'long': 9223372036854775807, 'negative': -42, 'float': 0.1,"
    + " 'tiny': 5e-324, 'huge': 1.7976931348623157e308, 'negativeZero': -0.0, 'false': False}";

  @RegisterExtension
  final BusFixture bus = new BusFixture();

  @Test
  void whatTheBusPublishesReadsBackInPythonAsTheSameValueAndMetadata(Vertx vertx) throws Exception {
    deploy(vertx, PublisherVerticle.class, bus.publisherConfig(), 1);
    HttpVerticle http = new HttpVerticle();
    await(vertx.deployVerticle(http, new DeploymentOptions().setConfig(new JsonObject()
      .put("host", "127.0.0.1").put("port", 0).put("shutdownTimeoutMs", 5_000)
      .put("redis", new JsonObject().put("connectionString", bus.server().url())).put("publisherAddress", bus.address())
      .put("streamPrefix", bus.prefix()))));

    String onTheBus = await(vertx.eventBus().<String>request(bus.address(), MESSAGE, new DeliveryOptions()
      .addHeader("contract", "event").addHeader("who", "zoë").addHeader("city", "São Paulo")
      .addHeader("party", "🎉"))).body();
    HttpResponse<Buffer> overHttp = await(WebClient.create(vertx).post(http.actualPort(), "127.0.0.1",
        "/publish/event").putHeader("Content-Type", "application/json").putHeader("X-Orion-Meta-Trace", "t-1")
      // The UTF-8 bytes of the value on the wire, as curl or Python's requests send them.
      .putHeader("X-Orion-Meta-Who", new String("zoë".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1))
      .sendBuffer(Buffer.buffer(MESSAGE.encode())));

    assertEquals(202, overHttp.statusCode(), overHttp.bodyAsString());
    assertEquals("ok", checkInPython(onTheBus,
      "{'meta.who': 'zo\\u00eb', 'meta.city': 'S\\u00e3o Paulo', 'meta.party': '\\U0001F389'}"));
    assertEquals("ok", checkInPython(overHttp.bodyAsJsonObject().getString("id"),
      "{'meta.trace': 't-1', 'meta.who': 'zo\\u00eb'}"));
  }

  @Test
  void whatRedisCliWritesReachesTheHandlerAsTheSameDataAndHeaders(Vertx vertx) throws Exception {
    List<JsonObject> bodies = new CopyOnWriteArrayList<>();
    List<MultiMap> headers = new CopyOnWriteArrayList<>();
    String delivery = fresh("deliver");
    vertx.eventBus().<JsonObject>localConsumer(delivery, message -> {
      bodies.add(message.body());
      headers.add(MultiMap.caseInsensitiveMultiMap().addAll(message.headers()));
      message.reply("ok");
    });
    // Written as a Python service writes it (ASCII, escapes for the rest), and as UTF-8 text typed by hand.
    String fromPython = run(new byte[0], "python3", "-c", "import ast, json, sys;"
      + " sys.stdout.write(json.dumps(ast.literal_eval(sys.argv[1])))", MESSAGE_IN_PYTHON);
    String byHand = "{\"a\":\"café\",\"emoji\":\"😀\",\"esc\":\"line\\nbreak \\\"q\\\" \\u00e9 \\ud83d\\ude00\","
      + "\"n\":[1,2.5,-0.0,1e2,12345678901234567890123],\"o\":{\"k\":null,\"t\":true}}";
    bus.server().cliInput(xadd(bus.stream(), "data", fromPython, "meta.who", "zoë", "meta.city", "São Paulo") + "\n"
      + xadd(bus.stream(), "data", byHand, "meta.party", "🎉") + "\n");

    deploy(vertx, ConsumerVerticle.class, consumerConfig(bus.server(), bus.prefix(), "event", fresh("g"), delivery), 1);
    until("both entries delivered", () -> bodies.size() == 2);

    assertEquals(MESSAGE, bodies.get(0));
    assertEquals("zoë", headers.get(0).get("who"));
    assertEquals("São Paulo", headers.get(0).get("city"));
    JsonObject second = bodies.get(1);
    assertEquals("café", second.getString("a"));
    assertEquals("😀", second.getString("emoji"));
    assertEquals("line\nbreak \"q\" é 😀", second.getString("esc"));
    assertEquals(List.of("1", "2.5", "-0.0", "100.0", "12345678901234567890123"),
      second.getJsonArray("n").stream().map(String::valueOf).toList());
    assertEquals(new JsonObject().putNull("k").put("t", true), second.getJsonObject("o"));
    assertEquals("🎉", headers.get(1).get("party"));
    for (MultiMap delivered : headers) {
      assertEquals(bus.stream(), delivered.get("stream"));
      assertNotNull(delivered.get("id"));
    }
  }

  /**
   * Reads entry {@code id} with {@code redis-cli --raw XRANGE} and has Python check it: strict UTF-8, {@code data}
   * equal to {@link #MESSAGE_IN_PYTHON} (types included), the other fields equal to {@code fieldsInPython}.
   */
  private String checkInPython(String id, String fieldsInPython) throws IOException, InterruptedException,
    URISyntaxException {
    String raw = bus.server().cli("--raw", "XRANGE", bus.stream(), id, id);
    Path script = Path.of(CrossLanguageTest.class.getResource("/cross-language/check_entry.py").toURI());
    return run(raw.getBytes(StandardCharsets.UTF_8), "python3", script.toString(), MESSAGE_IN_PYTHON,
      fieldsInPython);
  }

  /** An XADD line for redis-cli's stdin, every byte outside printable ASCII as a {@code \xHH} escape. */
  private static String xadd(String stream, String... fieldsAndValues) {
    StringBuilder line = new StringBuilder("XADD ").append(quoted(stream)).append(" *");
    for (String value : fieldsAndValues) {
      line.append(' ').append(quoted(value));
    }
    return line.toString();
  }

  private static String quoted(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        quoted.append((char) c);
      } else {
        quoted.append(String.format("\\x%02x", c));
      }
    }
    return quoted.append('"').toString();
  }

  /** Runs a command with {@code input} on its stdin and returns its stdout (UTF-8, trimmed); fails on exit != 0. */
  private static String run(byte[] input, String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("cross-language-", ".out");
    Path err = Files.createTempFile("cross-language-", ".err");
    try {
      Process process = new ProcessBuilder(new ArrayList<>(List.of(command)))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write(input);
      }
      if (!process.waitFor(TOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command[0] + " did not finish");
      }
      if (process.exitValue() != 0) {
        throw new AssertionError(command[0] + " exited with " + process.exitValue() + ": " + Files.readString(err));
      }
      return new String(Files.readAllBytes(out), StandardCharsets.UTF_8).trim();
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
