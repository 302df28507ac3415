package dev.ventriloquist.runtime.internal.audio;

import java.util.function.LongSupplier;

/**
 * When a line that is still being synthesized may start playing so that it never runs dry: the adaptive pre-roll.
 *
 * <p><b>The rule.</b> Let {@code P} be the samples produced so far, {@code T} the line's length in samples, {@code R}
 * the output rate (samples per second played) and {@code r} the measured production rate (samples per second made).
 * A player that starts now needs sample {@code k} after {@code k / R} seconds; a producer going on at {@code r} has
 * it after {@code (k − P) / r} seconds. When {@code r < R} the gap widens towards the end, so the last sample is the
 * binding one: the line plays through if {@code P + r · T / R ≥ T}, that is if what is buffered plus what production
 * adds while the whole line plays covers the line. When {@code r ≥ R} the condition always holds. Production comes in
 * packets, not continuously (a sample arrives up to one packet later than the straight line says), so a cushion
 * {@code C} of one packet is kept on top: the largest packet seen so far after the first, the largest packet of the
 * backend's previous line (a line's first packet may be smaller than the rest: Qwen3-TTS sends one frame, then
 * 4-frame packets, so a line started on its first 80 ms with nothing else in hand ran dry while the next 320 ms were
 * made), and at least {@code minPreRoll} (one 80 ms frame of a 12.5 Hz model):
 *
 * <pre>
 *   start  ⇔  complete  ∨  ( P ≥ minPreRoll  ∧  P − C ≥ T · (1 − r / R) )
 * </pre>
 *
 * So a line is never started before the fixed minimum pre-roll, starts at it once production is faster than real
 * time (the length estimate then does not matter), starts at once when complete, and on a machine slower than real
 * time waits until the rest can be made while it plays, then plays whole.
 *
 * <p><b>The rate.</b> {@code r = (P − P₀) / (t − t₀)}, from the first observation with audio ({@code t₀, P₀}: the first
 * packet, whose time-to-first-audio is not steady-state work) to now. Between packets {@code P} stays and {@code t}
 * grows, so the condition only turns true when a packet arrives: checking at each packet (the benchmark) and at each
 * audio tick (the mixer) decide alike, to within a tick. A measurement over less than {@link #MIN_WINDOW_NANOS} is not
 * trusted (two packets handed over together would look infinitely fast); until then the {@code prior} rate is used
 * (the engine passes the rate of its backend's previous line), or none (the line waits for a measurement).
 *
 * <p><b>The length.</b> A backend rarely knows a line's length before it ends, so {@code T} is an estimate, normally
 * from the text ({@link #estimateSamples}: a deliberately slow speaking rate, so it errs long: a long estimate only
 * starts the line later, a short one risks a gap). If production reaches the estimate before the line has started,
 * the line is longer than estimated and is assumed to have at least a quarter more to come ({@code T = 1.25 · P}
 * from then on), so a line that outran its estimate on a slow machine is not started on the strength of it (below
 * {@code r / R = 0.2} such a line plays when complete). An estimate of 0 or less means unknown: the fixed pre-roll
 * alone decides (as before this rule).
 *
 * <p><b>What it cannot foresee.</b> A rate that falls after the start (the machine gets busier) and a length estimate
 * that is too short while production is still fast enough to start: such a line can still run dry, and the output
 * counts it ({@code SpeechStats.underruns()}).
 *
 * <p><b>Threads.</b> Not thread-safe: one instance per line, used by one thread (the audio tick, or the thread that
 * feeds a simulated player). The estimate supplier is read on that thread and must not block.
 */
public final class AdaptivePreRoll {
  /**
   * Speaking rate assumed for the length estimate, characters per second (spaces and punctuation included) of
   * alphabetic scripts: slower than usual speech (about 14-16 for English at 150-170 words a minute), so the estimate
   * errs long.
   */
  public static final double CHARS_PER_SECOND = 12.0;
  /** The same for Han, kana and Hangul characters (a syllable each; usual speech is about 5 a second). */
  public static final double CJK_CHARS_PER_SECOND = 4.0;
  /** Silence a backend puts around a line, seconds, added to the estimate. */
  public static final double EDGE_SECONDS = 0.3;
  /** Shortest production span whose rate is trusted. */
  public static final long MIN_WINDOW_NANOS = 100_000_000L;
  /** Once production reaches the estimate, the line is assumed at least this many times what is produced. */
  static final double OUTRUN_FACTOR = 1.25;

  private final int sampleRate;
  private final long minPreRoll;
  private final LongSupplier estimate;
  private final double priorRate;
  private long firstNanos;
  private long firstSamples = -1;
  private long lastNanos;
  private long lastSamples;
  /** Largest increase between two observations after the first: the packet size. */
  private long largestPacket;
  /** The largest packet of the backend's previous line (0: unknown), kept in hand from the first packet on. */
  private final long priorPacket;

  /**
   * @param sampleRate samples per second played (the output rate of the PCM counted)
   * @param minPreRollSamples the fixed minimum pre-roll, also the least packet cushion (at least 1 is used)
   * @param estimatedSamples the line's expected length in samples; 0 or less when unknown; read at each decision
   *     (a streamed-text line's estimate grows with its text)
   * @param priorRate production rate (samples per second) to assume until this line's own is measured; NaN or 0
   *     when none is known
   */
  public AdaptivePreRoll(int sampleRate, long minPreRollSamples, LongSupplier estimatedSamples, double priorRate) {
    this(sampleRate, minPreRollSamples, estimatedSamples, priorRate, 0);
  }

  /**
   * @param priorPacketSamples the largest packet the backend wrote on its previous line (after its first), 0 when
   *     unknown: part of the cushion from this line's first packet on
   */
  public AdaptivePreRoll(int sampleRate, long minPreRollSamples, LongSupplier estimatedSamples, double priorRate,
      long priorPacketSamples) {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate must be > 0, was " + sampleRate);
    }
    this.sampleRate = sampleRate;
    this.minPreRoll = Math.max(1, minPreRollSamples);
    this.estimate = estimatedSamples;
    this.priorRate = Double.isFinite(priorRate) && priorRate > 0 ? priorRate : 0;
    this.priorPacket = Math.max(0, priorPacketSamples);
  }

  /**
   * Records that {@code produced} samples exist at time {@code nowNanos} (any clock that runs at real-time pace:
   * {@link System#nanoTime()}, or an audio clock) and says whether playback may start now.
   *
   * @param complete no more samples will come
   */
  public boolean ready(long nowNanos, long produced, boolean complete) {
    observe(nowNanos, produced);
    if (complete) {
      return true;
    }
    if (produced < minPreRoll) {
      return false;
    }
    long e = estimate.getAsLong();
    if (e <= 0) {
      return true; // length unknown: the fixed pre-roll decides
    }
    double total = expectedSamples(e, produced);
    double r = rate(nowNanos);
    return produced - cushion() >= total * (1.0 - Math.min(1.0, r / sampleRate));
  }

  /** Records an observation without deciding: {@code produced} is the count so far (it only grows). */
  public void observe(long nowNanos, long produced) {
    if (produced <= 0) {
      return;
    }
    if (firstSamples < 0) {
      firstNanos = nowNanos;
      firstSamples = produced;
      lastNanos = nowNanos;
      lastSamples = produced;
      return;
    }
    if (produced > lastSamples) {
      largestPacket = Math.max(largestPacket, produced - lastSamples);
      lastSamples = produced;
      lastNanos = nowNanos;
    }
  }

  /**
   * Production rate in samples per second as of {@code nowNanos}: measured once the span since the first packet is
   * at least {@link #MIN_WINDOW_NANOS} and a second packet has come, else the prior (0 when none).
   */
  public double rate(long nowNanos) {
    long span = nowNanos - firstNanos;
    if (firstSamples >= 0 && lastSamples > firstSamples && span >= MIN_WINDOW_NANOS) {
      return (lastSamples - firstSamples) * 1e9 / span;
    }
    return priorRate;
  }

  /**
   * Samples kept in hand against packet arrival: the largest packet seen or of the previous line, at least the
   * minimum pre-roll.
   */
  public long cushion() {
    return Math.max(Math.max(minPreRoll, largestPacket), priorPacket);
  }

  /** The largest packet seen after the first (0 before the second), for the next line's prior. */
  public long largestPacket() {
    return largestPacket;
  }

  /** The production rate measured between the first and the latest packet (samples per second), or NaN. */
  public double measuredRate() {
    long span = lastNanos - firstNanos;
    if (firstSamples < 0 || lastSamples <= firstSamples || span < MIN_WINDOW_NANOS) {
      return Double.NaN;
    }
    return (lastSamples - firstSamples) * 1e9 / span;
  }

  /** The length assumed for the line with {@code produced} samples made: the estimate until production reaches it. */
  static double expectedSamples(long estimate, long produced) {
    return produced < estimate ? estimate : OUTRUN_FACTOR * produced;
  }

  /**
   * Estimated length in samples of {@code text} spoken at {@link #CHARS_PER_SECOND} (Han, kana, Hangul at
   * {@link #CJK_CHARS_PER_SECOND}), plus {@link #EDGE_SECONDS}. Errs long on purpose.
   */
  public static long estimateSamples(CharSequence text, int sampleRate) {
    return samplesOf(EDGE_SECONDS + speechSeconds(text), sampleRate);
  }

  /** {@code seconds} of audio in samples. */
  public static long samplesOf(double seconds, int sampleRate) {
    return Math.round(seconds * sampleRate);
  }

  /** Seconds {@code text} takes to say at the estimate's slow rates, without the edges; additive over pieces. */
  public static double speechSeconds(CharSequence text) {
    long cjk = 0;
    long other = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = Character.codePointAt(text, i);
      i += Character.charCount(cp);
      Character.UnicodeScript s = Character.UnicodeScript.of(cp);
      if (s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
          || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL) {
        cjk++;
      } else {
        other++;
      }
    }
    return other / CHARS_PER_SECOND + cjk / CJK_CHARS_PER_SECOND;
  }
}
