package io.orion.bus.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How the error replies of Redis are told apart: each as Redis 6.2 and 7 send it. */
class RedisErrorsTest {

  private static Throwable reply(String text) {
    return ClientInternals.errorReply(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "READONLY You can't write against a read only replica.",
    "LOADING Redis is loading the dataset in memory",
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
    "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
    "@user_script: 4: -READONLY You can't write against a read only replica.",
    "ERR Error running script (call to f_c3fc): @user_script:17: @user_script: 17: -READONLY You can't write"
      + " against a read only replica.",
    "@user_script: 2: -LOADING Redis is loading the dataset in memory",
  })
  void aNodeThatCannotServeNowCallsForANewConnectionAndIsNeitherFinalNorAMissingGroup(String text) {
    Throwable e = reply(text);

    assertTrue(RedisErrors.isNotServing(e), text);
    assertFalse(RedisErrors.isServerError(e), text);
    assertFalse(RedisErrors.isNoGroup(e), text);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "NOGROUP No such key 'orion:events' or consumer group 'g' in XREADGROUP with GROUP option",
    "UNBLOCKED the stream key no longer exists",
    "ERR no such key",
  })
  void aMissingGroupIsNoReasonForANewConnection(String text) {
    Throwable e = reply(text);

    assertTrue(RedisErrors.isNoGroup(e), text);
    assertFalse(RedisErrors.isNotServing(e), text);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "WRONGTYPE Operation against a key holding the wrong kind of value",
    "NOPERM this user has no permissions to run the 'xadd' command",
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.",
    "ERR The ID specified in XADD is equal or smaller than the target stream top item",
  })
  void otherRepliesKeepTheConnection(String text) {
    assertFalse(RedisErrors.isNotServing(reply(text)), text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"READONLY", "Connection is closed"})
  void aJavaExceptionIsNeverAReplyOfTheServer(String text) {
    assertFalse(RedisErrors.isNotServing(new IllegalStateException(text)), text);
  }
}
