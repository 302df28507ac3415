package dev.ventriloquist.core.engine;

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
 *   <li>one {@link Channel} per character: at most one {@code QUEUE}/{@code REPLACE} line of a character is
 *       {@code active} (synthesizing or playing); later ones wait in the channel and become ready, in order, when
 *       the active one ends. {@code SIMPLE} lines skip the channel.
 * </ul>
 * A {@code REPLACE} line becomes the channel's active line at once and returns the lines it displaces, which the
 * caller interrupts outside the lock. The bound counts every line not yet taken by a synthesis thread.
 *
 * <p>Threads: {@link #submit} on callers' threads, {@link #take} on synthesis threads, {@link #terminated} on
 * whichever thread ended a line. Never blocks except {@link #take}.
 */
final class Scheduler {
  private static final class Channel {
    SpeechImpl active;
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
      if (queued >= capacity) {
        throw new SpeechRejectedException("the synthesis queue is full (" + capacity + " lines waiting); "
            + "cancel lines, use SIMPLE barks sparingly, or raise EngineConfig.queueCapacity");
      }
      List<SpeechImpl> displaced = List.of();
      switch (s.options().mode()) {
        case SIMPLE -> ready.add(s);
        case REPLACE -> {
          Channel ch = channels.computeIfAbsent(s.characterId(), k -> new Channel());
          displaced = new ArrayList<>(ch.waiting.size() + 1);
          if (ch.active != null) {
            displaced.add(ch.active);
          }
          displaced.addAll(ch.waiting);
          queued -= ch.waiting.size(); // they leave the queue now; an active line still in ready leaves in terminated()
          ch.waiting.clear();
          ch.active = s;
          ready.add(s);
        }
        case QUEUE -> {
          Channel ch = channels.computeIfAbsent(s.characterId(), k -> new Channel());
          if (ch.active == null) {
            ch.active = s;
            ready.add(s);
          } else {
            ch.waiting.add(s);
          }
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
      if (ch.active == s) {
        ch.active = ch.waiting.poll();
        if (ch.active != null) {
          ready.add(ch.active); // moves from waiting to ready: still counted
          readyNotEmpty.signal();
        }
      }
      if (ch.active == null && ch.waiting.isEmpty()) {
        channels.remove(s.characterId());
      }
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
