package dev.ventriloquist.runtime.internal.openal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.lwjgl.BufferUtils;
import org.lwjgl.openal.SOFTLoopback;

import dev.ventriloquist.api.Emitter;
import dev.ventriloquist.api.PoolFullPolicy;
import dev.ventriloquist.api.Spatial;
import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/**
 * Prints playback figures. Run from {@code core/} after {@code mvn test-compile} with the test class path, and
 * {@code ALSOFT_DRIVERS=null} for the real-time part on a machine without a sound card:
 *
 * <pre>
 * ALSOFT_DRIVERS=null java -cp target/test-classes:target/classes:$(cat cp.txt) \
 *     dev.ventriloquist.runtime.internal.openal.OpenAlBenchmark
 * </pre>
 *
 * <ol>
 *   <li>Latency: from the first PCM chunk handed to a stream to its first rendered sample, in audio-clock
 *       milliseconds (loopback, so exact), for streamed lines at several pre-rolls and for cached lines.
 *   <li>Audio-thread CPU per active source: thread CPU time of the tick alone (loopback, N moving sources), and of
 *       the whole {@code ventriloquist-audio} thread on a real-time device and on the silent device.
 * </ol>
 */
public final class OpenAlBenchmark {
  private static final int OUT_RATE = 48_000;
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    System.out.println("== latency: first chunk handed over -> first rendered sample (audio clock) ==");
    for (int preRoll : new int[] {0, 40, 80, 100}) {
      latency("streamed, 40 ms chunks in real time, pre-roll " + preRoll + " ms", preRoll, false);
    }
    latency("cached line (preRolled), pre-roll 80 ms", 80, true);

    System.out.println();
    System.out.println("== tick CPU per active source (loopback, moving emitters, 20 ms buffers) ==");
    for (int n : new int[] {1, 8, 32}) {
      tickCpu(n);
    }

    System.out.println();
    System.out.println("== ventriloquist-audio thread CPU, real time, 3 s ==");
    for (boolean silent : new boolean[] {false, true}) {
      String label = silent ? "silent device (mixing on this thread too)" : "default device";
      double idle = realtimeCpu(label, 0, silent);
      double full = 0;
      for (int n : new int[] {1, 8, 32}) {
        full = realtimeCpu(label, n, silent);
      }
      System.out.printf("%s: marginal cost %.3f %% of a core per source (32 vs 0 sources)%n", label,
          (full - idle) / 32);
    }
  }

  private static void latency(String label, int preRollMs, boolean preRolled) {
    OpenAlConfig config = OpenAlConfig.builder().preRollMillis(preRollMs).hrtf(OpenAlConfig.Hrtf.OFF).build();
    Random random = new Random(1);
    int chunk = Lines.RATE * 40 / 1000;
    float[] sine = Signals.sine(440, 0.5f, Lines.RATE, chunk * 10);
    double[] ms = new double[30];
    try (LoopbackOutput out = OpenAlOutputs.loopback(OUT_RATE, config)) {
      for (int run = 0; run < ms.length; run++) {
        // A loopback render ticks at the start of each call, so a chunk written between calls is picked up at
        // once; on a real-time thread it arrives at a random moment of the 5 ms tick period and waits for the
        // next tick. Add that wait, uniformly drawn, to stay honest.
        int tickPhase = random.nextInt(OUT_RATE * config.tickMillis() / 1000);
        long handed = out.renderedFrames();
        PlaybackStream s = out.open(Lines.request(Emitter.at(0, 0, -1), 0, Spatial.DEFAULT, preRolled,
            PoolFullPolicy.WAIT), new RecordingEvents());
        float[] rendered = new float[OUT_RATE * 2];
        int frames = 0;
        for (int k = 0; k < 10; k++) {
          if (preRolled && k == 0) {
            s.write(sine, 0, sine.length);
            s.end();
          } else if (!preRolled) {
            s.write(sine, k * chunk, chunk);
          }
          out.render(rendered, frames, OUT_RATE * 40 / 1000); // the next chunk comes 40 ms later
          frames += OUT_RATE * 40 / 1000;
        }
        int first = Signals.firstAudible(Arrays.copyOf(rendered, frames * 2), 1e-6f);
        ms[run] = (first + tickPhase + (out.renderedFrames() - frames - handed)) * 1000.0 / OUT_RATE;
        s.stop();
        out.renderUntilIdle(OUT_RATE);
      }
    }
    Arrays.sort(ms);
    System.out.printf("%-55s mean %6.1f ms, min %6.1f, max %6.1f (+ device output latency)%n", label, Arrays.stream(ms).average().orElse(0),
        ms[0], ms[ms.length - 1]);
  }

  private static List<PlaybackStream> openMoving(OpenAlOutput out, int n, int seconds) {
    List<PlaybackStream> streams = new ArrayList<>();
    float[] sine = Signals.sine(300, 0.05f, Lines.RATE, Lines.RATE * seconds);
    for (int i = 0; i < n; i++) {
      double phase = i * 2 * Math.PI / n;
      Emitter circling = xyz -> {
        double t = System.nanoTime() / 1e9 + phase;
        xyz[0] = (float) (5 * Math.cos(t));
        xyz[1] = 0;
        xyz[2] = (float) (5 * Math.sin(t));
      };
      PlaybackStream s = out.open(Lines.request(circling, 0, Spatial.DEFAULT, true, PoolFullPolicy.WAIT),
          new RecordingEvents());
      for (int k = 0; k < sine.length; k += 960) {
        s.write(sine, k, Math.min(960, sine.length - k));
      }
      s.end();
      streams.add(s);
    }
    return streams;
  }

  private static void tickCpu(int n) {
    OpenAlConfig config = OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build();
    try (LoopbackOutput out = OpenAlOutputs.loopback(OUT_RATE, config)) {
      openMoving(out, n, 4);
      int slice = OUT_RATE * config.tickMillis() / 1000;
      FloatBuffer buf = BufferUtils.createFloatBuffer(slice * 2);
      long tickCpu = 0;
      long mixCpu = 0;
      int ticks = 0;
      try (AlContext.Binding ignored = out.al.bind()) {
        long clock = 0;
        for (int i = 0; i < 600; i++) { // 3 s of audio
          long t0 = CPU.getCurrentThreadCpuTime();
          out.mixer.tick(clock);
          long t1 = CPU.getCurrentThreadCpuTime();
          buf.clear();
          SOFTLoopback.alcRenderSamplesSOFT(out.al.device, buf, slice);
          long t2 = CPU.getCurrentThreadCpuTime();
          clock += config.tickMillis() * 1_000_000L;
          if (i >= 100) { // after warm-up
            tickCpu += t1 - t0;
            mixCpu += t2 - t1;
            ticks++;
          }
        }
        out.mixer.stopAll();
      }
      double tickUs = tickCpu / 1e3 / ticks;
      System.out.printf("%2d sources: tick %6.1f us (%5.2f us/source/tick, %.3f %% of a core per source at 200 "
          + "ticks/s); OpenAL Soft mixing %6.1f us/tick%n", n, tickUs, tickUs / n, tickUs / n * 200 / 1e4,
          mixCpu / 1e3 / ticks);
    }
  }

  /** Returns the audio thread's share of one core, in percent (NaN when skipped). */
  private static double realtimeCpu(String label, int n, boolean silent) throws InterruptedException {
    OpenAlConfig config = OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build();
    OpenAlOutput out = silent ? OpenAlOutputs.silent(config) : OpenAlOutputs.defaultDevice(config);
    if (!silent && out.status().kind() != OpenAlStatus.Kind.OWN_DEVICE) {
      System.out.println("no real-time device (set ALSOFT_DRIVERS=null); skipped");
      out.close();
      return Double.NaN;
    }
    try (out) {
      Thread audio = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals(RealtimeOutput.THREAD_NAME)).findFirst().orElseThrow();
      openMoving(out, n, 5);
      Thread.sleep(500);
      long c0 = CPU.getThreadCpuTime(audio.getId());
      long w0 = System.nanoTime();
      Thread.sleep(3000);
      long c1 = CPU.getThreadCpuTime(audio.getId());
      long w1 = System.nanoTime();
      double share = (c1 - c0) * 100.0 / (w1 - w0);
      OpenAlStatus status = out.status();
      System.out.printf("%-45s %2d sources (active %2d): %.2f %% of a core, underruns %d, longest tick gap %.1f ms%n",
          label, n, status.activeSources(), share, status.underruns(), status.longestTickGapMillis());
      return share;
    }
  }
}
