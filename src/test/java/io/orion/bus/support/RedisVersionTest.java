package io.orion.bus.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RedisVersionTest {

  @Test
  void readsRedisVersionFromInfoServer() {
    String info = "# Server\r\nredis_version:6.2.11\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\n";

    assertEquals(new RedisVersion(6, 2, 11), RedisVersion.fromInfo(info));
  }

  @Test
  void infoWithoutAVersionFailsWithTheReply() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> RedisVersion.fromInfo("NOAUTH Authentication required."));

    assertTrue(e.getMessage().contains("NOAUTH"), e.getMessage());
  }

  @Test
  void atLeastComparesMajorThenMinor() {
    RedisVersion v62 = new RedisVersion(6, 2, 11);

    assertTrue(v62.atLeast(6, 2));
    assertTrue(v62.atLeast(5, 9));
    assertFalse(v62.atLeast(7, 0));
    assertTrue(new RedisVersion(7, 0, 15).atLeast(7, 0));
    assertTrue(new RedisVersion(10, 0, 0).atLeast(7, 2));
  }

  @Test
  void matchesWholeVersionParts() {
    RedisVersion v = new RedisVersion(6, 2, 11);

    assertTrue(v.matches("6"));
    assertTrue(v.matches("6.2"));
    assertTrue(v.matches("6.2.11"));
    assertFalse(v.matches("6.2.1"));
    assertFalse(v.matches("7.0"));
  }
}
