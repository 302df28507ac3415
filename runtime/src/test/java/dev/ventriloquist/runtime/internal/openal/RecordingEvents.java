package dev.ventriloquist.runtime.internal.openal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;

import dev.ventriloquist.runtime.internal.engine.PlaybackEvents;

/** Records every event with the audio clock (frames rendered) and the thread at the time it fired. */
final class RecordingEvents implements PlaybackEvents {
  /** One event. {@code clock} is the clock supplier's value when it fired, -1 without one. */
  record Event(String kind, long played, long total, long clock, String thread, Throwable error) {}

  private final LongSupplier clock;
  final List<Event> events = new ArrayList<>();
  final CountDownLatch terminal = new CountDownLatch(1);

  RecordingEvents(LongSupplier clock) {
    this.clock = clock;
  }

  RecordingEvents() {
    this(() -> -1);
  }

  private synchronized void add(String kind, long played, long total, Throwable error) {
    events.add(new Event(kind, played, total, clock.getAsLong(), Thread.currentThread().getName(), error));
    if (!kind.equals("started") && !kind.equals("progress")) {
      terminal.countDown();
    }
  }

  @Override
  public void started() {
    add("started", 0, -1, null);
  }

  @Override
  public void progress(long playedSamples, long totalSamples) {
    add("progress", playedSamples, totalSamples, null);
  }

  @Override
  public void finished() {
    add("finished", 0, 0, null);
  }

  @Override
  public void stolen() {
    add("stolen", 0, 0, null);
  }

  @Override
  public void failed(Throwable error) {
    add("failed", 0, 0, error);
  }

  synchronized List<Event> of(String kind) {
    return events.stream().filter(e -> e.kind().equals(kind)).toList();
  }

  synchronized boolean has(String kind) {
    return events.stream().anyMatch(e -> e.kind().equals(kind));
  }

  synchronized List<String> kinds() {
    return events.stream().map(Event::kind).distinct().toList();
  }
}
