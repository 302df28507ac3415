package dev.ventriloquist.runtime.internal.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.ventriloquist.api.SpeechRejectedException;

/**
 * Decides which line a synthesis thread takes next.
 *
 * <p>Two structures under one lock:
 * <ul>
 *   <li>{@code ready}: lines that may be synthesized now, highest priority first, then in {@code say} order;
 *   <li>one {@link Channel} per character for {@code QUEUE}/{@code REPLACE} lines. Its {@code inFlight} lines
 *       (synthesizing or playing) play one after another in {@code say} order; the next waiting line becomes
 *       ready as soon as the last in-flight line has finished <em>synthesizing</em>, so it is synthesized while its
 *       predecessor plays and starts without a gap. Its {@link SpeechImpl#predecessor()} is set then: the engine
 *       holds its playback back until that line has ended. At most one line per channel synthesizes at a time.
 *       {@code SIMPLE} lines skip the channel.
 * </ul>
 * A {@code REPLACE} line takes the channel at once and returns the lines it displaces (every in-flight and waiting
 * line of the character), which the caller interrupts outside the lock. The bound counts every line not yet taken
 * by a synthesis thread.
 *
 * <p>Threads: {@link #submit} on callers' threads, {@link #take} and {@link #synthesized} on synthesis threads,
 * {@link #terminated} on whichever thread ended a line. Never blocks except {@link #take}.
 */
final class Scheduler {
  private static final class Channel {
    /** Lines taken from {@code waiting} (or a REPLACE line), not yet ended, in say order. */
    final ArrayDeque<SpeechImpl> inFlight = new ArrayDeque<>();
    final ArrayDeque<SpeechImpl> waiting = new ArrayDeque<>();
  }

  /** Highest priority first (compared, not negated: -Integer.MIN_VALUE overflows), then in say order. */
  private static final Comparator<SpeechImpl> ORDER =
      ((Comparator<SpeechImpl>) (a, b) -> Integer.compare(b.options().priority(), a.options().priority()))
          .thenComparingLong(SpeechImpl::id);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition readyNotEmpty = lock.newCondition();
  private final PriorityQueue<SpeechImpl> ready = new PriorityQueue<>(ORDER);
  private final Map<String, Channel> channels = new HashMap<>();
  private final int capacity;
  private int queued; // lines in ready or in a channel's waiting queue
  private boolean closed;

  Scheduler(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Accepts a line.
   *
   * @return the lines it replaces (to be interrupted by the caller), usually none
   * @throws SpeechRejectedException if {@code capacity} lines are already waiting
   */
  List<SpeechImpl> submit(SpeechImpl s) {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("scheduler closed");
      }
      int freed = 0;
      if (s.options().mode() == dev.ventriloquist.api.ChannelMode.REPLACE) {
        Channel ch = channels.get(s.characterId());
        freed = ch == null ? 0 : ch.waiting.size(); // a REPLACE drops these, so it fits where they were
      }
      if (queued - freed >= capacity) {
        throw new SpeechRejectedException("the synthesis queue is full (" + capacity + " lines waiting); "
            + "cancel lines, use SIMPLE barks sparingly, or raise EngineConfig.queueCapacity");
      }
      List<SpeechImpl> displaced = List.of();
      switch (s.options().mode()) {
        case SIMPLE -> ready.add(s);
        case REPLACE -> {
          Channel ch = channels.computeIfAbsent(s.characterId(), k -> new Channel());
          displaced = new ArrayList<>(ch.inFlight.size() + ch.waiting.size());
          displaced.addAll(ch.inFlight);
          displaced.addAll(ch.waiting);
          queued -= ch.waiting.size(); // they leave the queue now; an in-flight line still in ready leaves in terminated()
          ch.inFlight.clear();
          ch.waiting.clear();
          ch.inFlight.add(s);
          ready.add(s);
        }
        case QUEUE -> {
          Channel ch = channels.computeIfAbsent(s.characterId(), k -> new Channel());
          ch.waiting.add(s);
          release(ch);
        }
      }
      queued++;
      readyNotEmpty.signal();
      return displaced;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the next line to synthesize, waiting up to {@code timeoutMillis}.
   *
   * @return the line, or null on timeout or once closed
   */
  SpeechImpl take(long timeoutMillis) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long nanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      while (ready.isEmpty() && !closed) {
        if (nanos <= 0) {
          return null;
        }
        nanos = readyNotEmpty.awaitNanos(nanos);
      }
      if (closed) {
        return null;
      }
      SpeechImpl s = ready.poll();
      queued--;
      return s;
    } finally {
      lock.unlock();
    }
  }

  /** A line finished synthesizing (it may still be playing): the next line of its character may start. */
  void synthesized(SpeechImpl s) {
    lock.lock();
    try {
      Channel ch = channels.get(s.characterId());
      if (ch != null) {
        release(ch);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Forgets an ended line and lets the next line of its character go. */
  void terminated(SpeechImpl s) {
    lock.lock();
    try {
      if (ready.remove(s)) {
        queued--;
      }
      Channel ch = channels.get(s.characterId());
      if (ch == null) {
        return;
      }
      if (ch.waiting.remove(s)) {
        queued--;
      }
      ch.inFlight.remove(s);
      release(ch);
      if (ch.inFlight.isEmpty() && ch.waiting.isEmpty()) {
        channels.remove(s.characterId());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves the channel's next waiting line to ready when nothing of the character is synthesizing: the last
   * in-flight line has produced all its PCM (or there is none). Caller holds the lock.
   */
  private void release(Channel ch) {
    if (ch.waiting.isEmpty()) {
      return;
    }
    SpeechImpl last = ch.inFlight.peekLast();
    if (last != null && !last.isSynthesized()) {
      return;
    }
    SpeechImpl next = ch.waiting.poll();
    next.setPredecessor(last); // plays after it; null when the channel is idle
    ch.inFlight.add(next);
    ready.add(next); // moves from waiting to ready: still counted
    readyNotEmpty.signal();
  }

  /**
   * Hands back a line a synthesis thread took and set aside (its character's voice was being prepared): it is
   * ready again, in its place by priority and say order. Ignored once the line ended or the scheduler closed.
   */
  void requeue(SpeechImpl s) {
    lock.lock();
    try {
      if (closed || s.isTerminal()) {
        return;
      }
      ready.add(s);
      queued++;
      readyNotEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Lines waiting for synthesis. */
  int queued() {
    lock.lock();
    try {
      return queued;
    } finally {
      lock.unlock();
    }
  }

  /** Stops handing out lines and wakes every waiting thread. */
  void close() {
    lock.lock();
    try {
      closed = true;
      ready.clear();
      channels.clear();
      queued = 0;
      readyNotEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
