package io.orion.bus.ops;

import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure decisions of {@link WriteGate}: which client is loopback, which content type is JSON. */
class WriteGateTest {

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1",
    "::ffff:127.0.0.1"})
  void loopbackAddressesAreLoopback(String address) {
    assertTrue(WriteGate.isLoopback(address), address);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"192.0.2.2", "10.0.0.1", "128.0.0.1", "0.0.0.0", "::", "fd00::2", "::ffff:10.0.0.1",
    "fe80::1", "localhost", "127.0.0.1.example.com", ""})
  void otherAddressesAndNamesAreNotLoopback(String address) {
    assertFalse(WriteGate.isLoopback(address), address);
  }

  @Test
  void onlyAnInetSocketCanBeLoopback() {
    assertTrue(WriteGate.isLoopback(SocketAddress.inetSocketAddress(8080, "127.0.0.1")));
    assertFalse(WriteGate.isLoopback(SocketAddress.inetSocketAddress(8080, "192.0.2.2")));
    assertFalse(WriteGate.isLoopback(SocketAddress.domainSocketAddress("/tmp/orion.sock")));
    assertFalse(WriteGate.isLoopback((SocketAddress) null));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    "application/json|true",
    "Application/JSON|true",
    "application/json; charset=utf-8|true",
    "application/json;charset=\"UTF-8\"|true",
    "application/json; charset=UTF-8; foo=bar|true",
    "application/json; charset=iso-8859-1|false",
    "application/json; charset|false",
    "text/plain|false",
    "application/x-www-form-urlencoded|false",
    "multipart/form-data; boundary=x|false",
    "application/jsonx|false",
    "application/json-patch+json|false",
    "''|false",
  })
  void onlyUtf8JsonIsJson(String contentType, boolean json) {
    assertEquals(json, WriteGate.isJsonUtf8(contentType), contentType);
  }

  @Test
  void noContentTypeIsNotJson() {
    assertFalse(WriteGate.isJsonUtf8(null));
  }
}
