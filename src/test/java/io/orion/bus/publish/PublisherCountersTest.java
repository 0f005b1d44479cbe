package io.orion.bus.publish;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PublisherCountersTest {

  @Test
  void admitHoldsTheCapPerPrefixWhateverTheThreads() throws InterruptedException {
    String prefix = "t-" + UUID.randomUUID();
    Set<String> admitted = ConcurrentHashMap.newKeySet();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int offset = t;
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        // Each thread asks for every stream, in its own order: the same stream is admitted once.
        for (int i = 0; i < 50; i++) {
          String stream = prefix + ":c" + ((i + offset * 13) % 50) + "s";
          if (PublisherCounters.admit(prefix, stream, 10) != null) {
            admitted.add(stream);
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertEquals(10, admitted.size());
    assertEquals(admitted, Set.copyOf(PublisherCounters.all().keySet().stream()
      .filter(name -> name.startsWith(prefix + ":")).toList()));
    String first = admitted.iterator().next();
    assertSame(PublisherCounters.of(first), PublisherCounters.admit(prefix, first, 10), "admitted stays admitted");
    assertNull(PublisherCounters.admit(prefix, prefix + ":others", 10));
    assertTrue(PublisherCounters.admit("t-" + UUID.randomUUID(), prefix + ":others", 1) != null,
      "another prefix has its own count");
  }

  @Test
  void onlyTheFirstRefusalOfAPrefixIsReported() {
    String prefix = "t-" + UUID.randomUUID();

    assertTrue(PublisherCounters.firstRefusal(prefix));
    assertFalse(PublisherCounters.firstRefusal(prefix));
    assertTrue(PublisherCounters.firstRefusal(prefix + "-other"));
  }
}
