package dev.ventriloquist.runtime.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child process for the multi-process tests: writes lines {@code from..to} (either direction) into a cache and
 * prints {@code committed <i>} once each is on disk. Arguments: cacheDir from to samplesPerLine [slow]. With
 * {@code slow}, each file is written in 64 KiB pieces 20 ms apart after printing {@code writing <temp name>}, so a
 * kill lands inside a write.
 */
public final class CacheWriterMain {
  private CacheWriterMain() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    int from = Integer.parseInt(args[1]);
    int to = Integer.parseInt(args[2]);
    int samples = Integer.parseInt(args[3]);
    int step = from <= to ? 1 : -1;
    boolean slow = args.length > 4 && args[4].equals("slow");
    StoreFormat.TempWriter writer = !slow ? StoreFormat.DEFAULT_WRITER : (temp, file, length, durable) -> {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        System.out.println("writing " + temp.getFileName());
        System.out.flush();
        for (int off = 0; off < length; off += 64 * 1024) {
          ch.write(ByteBuffer.wrap(file, off, Math.min(64 * 1024, length - off)));
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
        }
      }
    };
    try (LineCache cache = LineCache.builder(dir).maxMemoryBytes(0).tempWriter(writer).build()) {
      for (int i = from; i != to + step; i += step) {
        StoreFixtures.write(cache, i, samples);
        System.out.println("committed " + i);
        System.out.flush();
      }
    }
    System.out.println("done");
  }
}
