package dev.ventriloquist.runtime.internal.openal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Lines opened while the output closes still end: each gets exactly one "failed", none is left hanging. */
class CloseRaceTest {
  @Test
  void aLineOpenedAfterCloseFailsAtOnce() {
    LoopbackOutput out = OpenAlOutputs.loopback(48_000, OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build());
    out.close();
    RecordingEvents events = new RecordingEvents();
    out.open(Lines.at(0, 0, -1, false), events);
    assertEquals(List.of("failed"), events.kinds());
  }

  @Test
  void everyLineOpenedWhileTheOutputClosesFails() throws Exception {
    for (int round = 0; round < 20; round++) {
      LoopbackOutput out = OpenAlOutputs.loopback(48_000,
          OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build());
      List<RecordingEvents> opened = new CopyOnWriteArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      Thread producer = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 2_000; i++) {
          RecordingEvents e = new RecordingEvents();
          opened.add(e);
          out.open(Lines.at(0, 0, -1, false), e);
        }
      }, "producer");
      producer.start();
      go.countDown();
      out.close();
      producer.join(TimeUnit.SECONDS.toMillis(10));
      for (RecordingEvents e : opened) {
        assertTrue(e.terminal.await(0, TimeUnit.MILLISECONDS), "round " + round + ": a line never ended");
        assertEquals(1, e.of("failed").size(), "round " + round + ": " + e.kinds());
      }
    }
  }
}
