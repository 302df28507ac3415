package dev.ventriloquist.runtime.internal.openal;

/**
 * A snapshot of an OpenAL output, for logs and the HUD. Any thread may ask for it.
 *
 * @param kind which device the output renders to
 * @param deviceName the OpenAL device specifier, or {@code none}
 * @param renderer {@code AL_RENDERER} and {@code AL_VERSION}, e.g. {@code OpenAL Soft 1.1 ALSOFT 1.24.1}
 * @param hrtf HRTF as the device reports it
 * @param activeSources sources now playing, pre-rolling or fading
 * @param sourcePoolSize the cap on sources
 * @param waitingLines lines waiting for a source
 * @param underruns times a playing line ran dry and was restarted, since the output opened
 * @param clockLatencyMillis output latency the device last reported ({@code AL_SOFT_source_latency}), 0 if unknown
 * @param longestTickGapMillis longest time between two audio ticks while lines played; above
 *     {@link OpenAlConfig#queueAheadMillis()} the audio thread was starved (a loaded CPU, a long GC pause)
 */
public record OpenAlStatus(
    Kind kind, String deviceName, String renderer, HrtfStatus hrtf, int activeSources, int sourcePoolSize,
    int waitingLines, long underruns, double clockLatencyMillis, double longestTickGapMillis) {

  /** Where the sound goes. */
  public enum Kind {
    /** A device this output opened itself. */
    OWN_DEVICE,
    /** A context someone else (libGDX) made current; this output only adds sources to it. */
    SHARED_CONTEXT,
    /** An offline loopback device driven by {@link LoopbackOutput#render}. */
    LOOPBACK,
    /** No audio device: a loopback device rendered in real time and thrown away, so events keep real time. */
    SILENT
  }
}
