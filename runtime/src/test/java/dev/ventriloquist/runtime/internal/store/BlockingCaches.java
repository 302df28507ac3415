package dev.ventriloquist.runtime.internal.store;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Line caches whose disk writes block until a test lets them go, for tests outside this package. */
public final class BlockingCaches {
  private BlockingCaches() {}

  /**
   * A cache whose every write, once inside its temp file, counts down {@code entered} and waits (up to a minute)
   * for {@code release}, then writes the file whole.
   */
  public static LineCache open(Path dir, CountDownLatch entered, CountDownLatch release) {
    return LineCache.builder(dir).durable(false).tempWriter((temp, file, length, durable) -> {
      entered.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      StoreFormat.DEFAULT_WRITER.write(temp, file, length, durable);
    }).build();
  }
}
