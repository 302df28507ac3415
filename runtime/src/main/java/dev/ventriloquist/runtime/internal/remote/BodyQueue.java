package dev.ventriloquist.runtime.internal.remote;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as a queue the synthesis thread polls, so that it can check for cancellation and stalls between
 * polls and cancel the exchange (which closes an HTTP/1.1 connection, telling the server to stop synthesizing)
 * instead of sitting in a blocking read. Requests one item at a time: the server is back-pressured through TCP
 * while the sink is busy.
 *
 * <p><b>Threads.</b> The HTTP client's threads call the subscriber methods; one synthesis thread calls
 * {@link #poll} and {@link #cancel}.
 */
final class BodyQueue implements Flow.Subscriber<List<ByteBuffer>> {
  private static final Object END = new Object();

  private final LinkedBlockingQueue<Object> items = new LinkedBlockingQueue<>();
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (cancelled) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    items.add(item);
  }

  @Override
  public void onError(Throwable t) {
    items.add(t);
  }

  @Override
  public void onComplete() {
    items.add(END);
  }

  /** What {@link #poll} found. */
  sealed interface Item permits Bytes, End, Nothing, Failed {}

  record Bytes(byte[] bytes) implements Item {}

  record End() implements Item {}

  record Nothing() implements Item {}

  record Failed(Throwable error) implements Item {}

  /** The next piece of the body, waiting at most {@code millis}; {@link Nothing} when none came in time. */
  @SuppressWarnings("unchecked")
  Item poll(long millis) throws InterruptedException {
    Object o = items.poll(millis, TimeUnit.MILLISECONDS);
    if (o == null) {
      return new Nothing();
    }
    if (o == END) {
      return new End();
    }
    if (o instanceof Throwable t) {
      return new Failed(t);
    }
    List<ByteBuffer> buffers = (List<ByteBuffer>) o;
    int size = 0;
    for (ByteBuffer b : buffers) {
      size += b.remaining();
    }
    byte[] bytes = new byte[size];
    int at = 0;
    for (ByteBuffer b : buffers) {
      int n = b.remaining();
      b.get(bytes, at, n);
      at += n;
    }
    Flow.Subscription s = subscription;
    if (s != null && !cancelled) {
      s.request(1);
    }
    return new Bytes(bytes);
  }

  /** Stops the body: the client aborts the exchange. Idempotent. */
  void cancel() {
    cancelled = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }
}
