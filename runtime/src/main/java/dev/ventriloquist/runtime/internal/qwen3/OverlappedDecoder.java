package dev.ventriloquist.runtime.internal.qwen3;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;

import ai.onnxruntime.OrtException;
import dev.ventriloquist.api.SynthesisException;
import dev.ventriloquist.spi.PcmSink;

/**
 * Runs a line's {@link StreamingDecoder} on the backend's decode thread, so that decoding frame n overlaps generating
 * frames n+1...: the generation loop hands each frame's codes over ({@link #add}) and goes on; the decode thread takes
 * them in order and decodes exactly as the one-thread path would (same packets, same samples). A queue of
 * {@value #QUEUE_FRAMES} frames bounds how far generation may run ahead (the generator then waits).
 *
 * <p><b>Threads.</b> {@link #add} and {@link #finish} are called by the synthesis thread; the decoder runs on the
 * executor's single decode thread and writes its packets into a hand-off queue ({@link #decoderSink()}); the
 * synthesis thread moves them to the line's sink at every {@link #add} and while {@link #finish} waits, so the sink is
 * still written only on the synthesis thread, as {@link PcmSink} promises. An ORT failure on the decode thread stops
 * the line: the next {@link #add} or {@link #finish} throws it.
 *
 * <p><b>First packet.</b> After the frame that completes the first packet, {@link #add} waits until that packet is
 * decoded and written to the sink before generation goes on. Otherwise the packet would wait in the hand-off queue for
 * the next frame's {@link #add} (up to one frame's generation, ~100 ms on two cores) and its decode would share the
 * cores with that frame; the line's time to first audio is what a player hears, its later packets have a pre-roll.
 */
final class OverlappedDecoder {
  static final int QUEUE_FRAMES = 32;
  private static final int[] END = new int[0];
  /** Put into the hand-off queue when the decode task ends, however it ends. */
  private static final float[] DONE = new float[0];

  private final PcmSink sink;
  private final int firstPacketFrames;
  private int added; // synthesis thread only
  private final BlockingQueue<int[]> queue = new ArrayBlockingQueue<>(QUEUE_FRAMES);
  private final BlockingQueue<float[]> pcm = new LinkedBlockingQueue<>();
  private StreamingDecoder decoder;
  private Future<?> task;
  private volatile Throwable failure;
  private long firstDeliveredAt = -1;
  private boolean doneSeen; // synthesis thread only

  /**
   * @param sink the line's sink, written on the synthesis thread
   * @param firstPacketFrames frames the decoder needs before its first packet ({@link StreamingOptions})
   */
  OverlappedDecoder(PcmSink sink, int firstPacketFrames) {
    this.sink = sink;
    this.firstPacketFrames = firstPacketFrames;
  }

  /** The sink the decoder writes on the decode thread: packets are copied into the hand-off queue. */
  PcmSink decoderSink() {
    return new PcmSink() {
      @Override
      public void write(float[] samples, int offset, int length) {
        pcm.add(java.util.Arrays.copyOfRange(samples, offset, offset + length));
      }

      @Override
      public boolean isCancelled() {
        return sink.isCancelled();
      }
    };
  }

  /** Starts decoding on {@code decodeThread} with a decoder made on {@link #decoderSink()}. */
  void start(StreamingDecoder d, ExecutorService decodeThread) {
    this.decoder = d;
    this.task = decodeThread.submit(this::drain);
  }

  /** When the first packet reached the line's sink ({@link System#nanoTime}), or -1. */
  long firstDeliveredAt() {
    return firstDeliveredAt;
  }

  private void deliver(float[] p) {
    if (firstDeliveredAt < 0) {
      firstDeliveredAt = System.nanoTime();
    }
    sink.write(p, 0, p.length);
  }

  /** Passes a packet from the hand-off queue to the sink, or notes the end of the decode task. */
  private void accept(float[] p) {
    if (p == DONE) {
      doneSeen = true;
    } else {
      deliver(p);
    }
  }

  private void deliverReady() {
    for (float[] p = pcm.poll(); p != null; p = pcm.poll()) {
      accept(p);
    }
  }

  private void drain() {
    try {
      while (true) {
        int[] codes = queue.take();
        if (codes == END) {
          if (!sink.isCancelled()) {
            decoder.finish();
          }
          return;
        }
        if (!sink.isCancelled()) {
          decoder.add(codes);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (OrtException | RuntimeException e) {
      failure = e;
      queue.clear(); // unblock a waiting add; it sees the failure
    } finally {
      pcm.add(DONE);
    }
  }

  /**
   * Hands a frame's codes to the decode thread (copied); waits while {@value #QUEUE_FRAMES} frames are queued, and after
   * the frame that completes the first packet until that packet is in the sink (see the class comment).
   */
  void add(int[] codes) throws OrtException {
    check();
    deliverReady();
    put(codes.clone());
    if (++added == firstPacketFrames) {
      awaitFirstPacket();
      check();
    }
  }

  /** Delivers packets as they come until the first one is in the sink, the task ended, or the line was cancelled. */
  private void awaitFirstPacket() {
    try {
      while (firstDeliveredAt < 0 && !doneSeen) {
        float[] p = pcm.poll(20, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (p != null) {
          accept(p);
        } else if (failure != null || task.isDone() || sink.isCancelled()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SynthesisException("interrupted while waiting for the first packet", e);
    }
  }

  /** Waits until every frame is decoded and the rest flushed (or the line was cancelled). */
  void finish() throws OrtException {
    check();
    put(END);
    await();
    check();
  }

  /** Stops the decode thread's work for this line without flushing (the caller's line was cancelled or failed). */
  void abandon() {
    queue.clear();
    queue.offer(END);
    try {
      task.get();
      pcm.clear();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // reported through failure when it matters
    }
  }

  private void put(int[] codes) {
    try {
      while (!queue.offer(codes, 20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        deliverReady(); // the decoder is behind: pass on what it made while waiting for room
        if (failure != null || task.isDone()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SynthesisException("interrupted while handing frames to the decoder", e);
    }
  }

  private void await() {
    try {
      while (!doneSeen) {
        accept(pcm.take());
      }
      task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SynthesisException("interrupted while waiting for the decoder", e);
    } catch (ExecutionException e) {
      failure = e.getCause();
    }
  }

  private void check() throws OrtException {
    Throwable f = failure;
    if (f instanceof OrtException oe) {
      throw oe;
    }
    if (f instanceof RuntimeException re) {
      throw re;
    }
  }
}
