package io.orion.bus.consume;

import static io.orion.bus.consume.ConsumerFixture.idsOf;
import static io.orion.bus.support.BusTesting.pending;
import static io.orion.bus.support.BusTesting.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.orion.bus.consume.ConsumerFixture.Got;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Entries written by other producers (here redis-cli, as a Python or Go service would write them) are read strictly:
 * data that is not one RFC 8259 JSON object in UTF-8, or is larger than maxMessageBytes, is dead-lettered at once
 * with deliveries 0, its data as it was, and a one-line error that says why. Dead letters' errors are one short line.
 */
class ForeignEntriesTest extends ConsumerFixtureTest {

  /** Writes an entry whose data is {"a":"xxx…"} of ARGV[1] bytes in all. */
  private static final String ADD_DATA_OF_SIZE = "return redis.call('XADD', KEYS[1], '*', 'data', "
    + "'{\"a\":\"' .. string.rep('x', tonumber(ARGV[1]) - 8) .. '\"}')";


  @Test
  void dataThatIsNotOneStrictJsonObjectIsDeadLetteredAtOnceSayingWhy() {
    List<Got> got = fixture.handle((msg, g) -> msg.reply("ok"));
    fixture.deploy(fixture.config());

    String comment = cliAdd("data", "{/* c */\"a\":1}");
    String huge = cliAdd("data", "{\"a\":1e400}");
    String array = cliAdd("data", "[1,2]");
    String invalid = cliAdd("data", "{\"a\":");
    String missing = cliAdd("payload", "{\"a\":1}", "meta.trace", "t-1");
    String latin1 = fixture.redis.cli("EVAL", "return redis.call('XADD', KEYS[1], '*', 'data', '{\"a\":\"caf\\233\"}')", "1",
      fixture.stream);
    String good = cliAdd("data", "{\"a\":2}");

    until("the good entry delivered", () -> idsOf(got).contains(good));
    until("six dead letters", () -> fixture.deadLetters().size() == 6);
    until("nothing pending", () -> pending(fixture.raw, fixture.stream, fixture.group) == 0);
    assertEquals(List.of(good), idsOf(got));
    Map<String, Map<String, String>> dead = deadLettersById();
    assertDeadLetter(dead.get(comment), "{/* c */\"a\":1}", "data is not valid JSON at column 2");
    assertDeadLetter(dead.get(huge), "{\"a\":1e400}", "data has a number out of range at column 6");
    assertDeadLetter(dead.get(array), "[1,2]", "data is a JSON array, expected an object");
    assertDeadLetter(dead.get(invalid), "{\"a\":", "data is not valid JSON at column 6");
    assertDeadLetter(dead.get(missing), null, "entry has no 'data' field");
    assertEquals("t-1", dead.get(missing).get("meta.trace"));
    assertEquals("data is not valid UTF-8", dead.get(latin1).get("error"));
    assertEquals("0", dead.get(latin1).get("deliveries"));
    assertEquals(6, fixture.counters().poison.sum());
  }

  @Test
  void dataLargerThanMaxMessageBytesIsDeadLetteredAtOnce() {
    List<Got> got = fixture.handle((msg, g) -> msg.reply("ok"));
    fixture.deploy(fixture.config());

    String big = fixture.redis.cli("EVAL", ADD_DATA_OF_SIZE, "1", fixture.stream, String.valueOf(2 * 1024 * 1024));
    String good = cliAdd("data", "{\"a\":2}");

    until("the good entry delivered", () -> idsOf(got).contains(good));
    until("one dead letter", () -> fixture.deadLetters().size() == 1);
    Map<String, String> dead = fixture.deadLetters().get(0);
    assertEquals(big, dead.get("id"));
    assertEquals("data is 2097152 bytes, over maxMessageBytes 1048576", dead.get("error"));
    assertEquals("0", dead.get("deliveries"));
    assertEquals(2 * 1024 * 1024, dead.get("data").length(), "the data as it was");
    assertTrue(dead.get("data").startsWith("{\"a\":\"xxx"));
    assertEquals(List.of(good), idsOf(got));
  }

  @Test
  void dataOfExactlyMaxMessageBytesIsDeliveredAndOneByteMoreIsNot() {
    List<Got> got = fixture.handle((msg, g) -> msg.reply("ok"));
    fixture.deploy(fixture.config().put("maxMessageBytes", 64));

    String fits = fixture.redis.cli("EVAL", ADD_DATA_OF_SIZE, "1", fixture.stream, "64");
    String over = fixture.redis.cli("EVAL", ADD_DATA_OF_SIZE, "1", fixture.stream, "65");

    until("one dead letter", () -> fixture.deadLetters().size() == 1);
    until("the entry that fits delivered", () -> idsOf(got).contains(fits));
    Map<String, String> dead = fixture.deadLetters().get(0);
    assertEquals(over, dead.get("id"));
    assertEquals("data is 65 bytes, over maxMessageBytes 64", dead.get("error"));
    assertEquals(List.of(fits), idsOf(got));
  }

  @Test
  void aHandlersFailureIsOneShortLineInTheDeadLetter() {
    String longMessage = "y".repeat(2_000);
    fixture.handle((msg, g) -> msg.fail(500, g.body().getBoolean("long") ? longMessage
      : "cannot handle it\n\tat com.example.Handler.handle(Handler.java:42)\n\tat ..."));
    fixture.deploy(fixture.config().put("maxDeliveries", 1));

    String multiLine = cliAdd("data", new JsonObject().put("long", false).encode());
    String tooLong = cliAdd("data", new JsonObject().put("long", true).encode());

    until("two dead letters", () -> fixture.deadLetters().size() == 2);
    Map<String, Map<String, String>> dead = deadLettersById();
    assertEquals("cannot handle it", dead.get(multiLine).get("error"));
    assertEquals("y".repeat(499) + "…", dead.get(tooLong).get("error"));
    assertEquals("1", dead.get(tooLong).get("deliveries"));
  }

  private void assertDeadLetter(Map<String, String> letter, String data, String error) {
    assertEquals(error, letter.get("error"), "error of " + letter);
    assertEquals("0", letter.get("deliveries"), "deliveries of " + letter);
    assertEquals(fixture.group, letter.get("group"));
    if (data == null) {
      assertFalse(letter.containsKey("data"), "no data field where there was none: " + letter);
    } else {
      assertEquals(data, letter.get("data"), "data as it was");
    }
  }

  /** {@code redis-cli XADD stream * field value ...}: another client, as another producer. */
  private String cliAdd(String... fieldsAndValues) {
    String[] args = new String[fieldsAndValues.length + 3];
    args[0] = "XADD";
    args[1] = fixture.stream;
    args[2] = "*";
    System.arraycopy(fieldsAndValues, 0, args, 3, fieldsAndValues.length);
    return fixture.redis.cli(args);
  }

  /** The dead letters by the id of the entry they copy. */
  private Map<String, Map<String, String>> deadLettersById() {
    Map<String, Map<String, String>> byId = new LinkedHashMap<>();
    fixture.deadLetters().forEach(letter -> byId.put(letter.get("id"), letter));
    return byId;
  }
}
