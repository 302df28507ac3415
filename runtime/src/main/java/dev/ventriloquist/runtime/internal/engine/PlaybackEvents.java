package dev.ventriloquist.runtime.internal.engine;

/**
 * What the audio layer reports about one stream, from its own thread. Implementations (the engine's speech
 * objects) only record and hand off; they never run game code on the calling thread.
 */
public interface PlaybackEvents {
  /** The first sample became audible (by the audio clock). Called at most once. */
  void started();

  /**
   * Playback progressed.
   *
   * @param playedSamples samples heard so far
   * @param totalSamples the line's length if {@link PlaybackStream#end()} was called, else -1
   */
  void progress(long playedSamples, long totalSamples);

  /**
   * The playback clock's reading this audio tick: samples heard so far (the same count as {@link #progress}, but
   * every tick, for lip-sync). Outputs without a clock need not call it; {@link #progress} stands in.
   */
  default void heard(long playedSamples) {}

  /**
   * The line ran dry while playing (its source had played everything queued before more PCM came) and has just
   * resumed: one call per dry spell. Outputs without a playback clock never call it.
   */
  default void underrun() {}

  /** Everything written was heard. Terminal. */
  void finished();

  /** A higher-priority line took the source. Terminal. */
  void stolen();

  /** The stream could not play (pool full with the FAIL policy, device lost). Terminal. */
  void failed(Throwable error);

  /** Events nobody listens to: for a copy of a line that another stream already reports (a tee). */
  PlaybackEvents NONE = new PlaybackEvents() {
    @Override
    public void started() {}

    @Override
    public void progress(long playedSamples, long totalSamples) {}

    @Override
    public void finished() {}

    @Override
    public void stolen() {}

    @Override
    public void failed(Throwable error) {}
  };
}
