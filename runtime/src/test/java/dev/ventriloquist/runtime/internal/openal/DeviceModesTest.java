package dev.ventriloquist.runtime.internal.openal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.lwjgl.openal.AL;
import org.lwjgl.openal.AL10;
import org.lwjgl.openal.ALC;
import org.lwjgl.openal.ALC10;
import org.lwjgl.openal.ALCCapabilities;
import org.lwjgl.openal.EXTThreadLocalContext;

import dev.ventriloquist.api.AudioDeviceException;
import dev.ventriloquist.runtime.internal.engine.PlaybackStream;

/**
 * The real-time outputs: no device at all, the default device (the null driver under test), and sharing a context
 * that someone else (libGDX) made current process-wide, next to a private loopback context on another thread.
 */
class DeviceModesTest {
  private static final float[] LINE = Signals.sine(440, 0.5f, Lines.RATE, Lines.RATE * 3 / 10); // 300 ms

  /** Plays LINE and returns its events once terminal; checks they came in real time from the audio thread. */
  private static RecordingEvents playInRealTime(OpenAlOutput out) throws InterruptedException {
    RecordingEvents events = new RecordingEvents(System::nanoTime);
    long t0 = System.nanoTime();
    PlaybackStream s = out.open(Lines.at(2, 0, 0, true), events);
    s.write(LINE, 0, LINE.length);
    s.end();
    assertTrue(events.terminal.await(5, TimeUnit.SECONDS), "no terminal event: " + events.events);
    assertEquals(java.util.List.of("started", "progress", "finished"), events.kinds());
    double startedMs = (events.of("started").get(0).clock() - t0) / 1e6;
    double finishedMs = (events.of("finished").get(0).clock() - t0) / 1e6;
    System.out.printf("%s: started after %.1f ms, finished after %.1f ms (line 300 ms)%n", out.description(),
        startedMs, finishedMs);
    assertTrue(finishedMs >= 290, "finished faster than real time: " + finishedMs + " ms");
    assertTrue(finishedMs < 1500, "finished too late: " + finishedMs + " ms");
    for (RecordingEvents.Event e : events.events) {
      assertEquals(RealtimeOutput.THREAD_NAME, e.thread());
    }
    return events;
  }

  @Test
  void silentOutputKeepsRealTime() throws Exception {
    try (OpenAlOutput out = OpenAlOutputs.silent(OpenAlConfig.DEFAULT)) {
      assertEquals(OpenAlStatus.Kind.SILENT, out.status().kind());
      assertTrue(out.description().startsWith("silent"), out.description());
      playInRealTime(out);
    }
  }

  @Test
  void missingDeviceFallsBackToSilent() throws Exception {
    OpenAlConfig config = OpenAlConfig.builder().deviceName("no such device 4711").build();
    try (OpenAlOutput out = OpenAlOutputs.defaultDevice(config)) {
      assertEquals(OpenAlStatus.Kind.SILENT, out.status().kind());
      playInRealTime(out);
    }
  }

  @Test
  void defaultDevicePlaysOnItsOwnThread() throws Exception {
    // Surefire sets ALSOFT_DRIVERS=null: a real device that plays in real time into nothing.
    try (OpenAlOutput out = OpenAlOutputs.defaultDevice(OpenAlConfig.DEFAULT)) {
      System.out.println("default device: " + out.description() + " / " + out.status());
      playInRealTime(out);
      assertTrue(out.status().deviceName().length() > 0);
    }
  }

  @Test
  void currentContextWithoutOneIsAClearError() {
    AudioDeviceException e = assertThrows(AudioDeviceException.class,
        () -> OpenAlOutputs.currentContext(OpenAlConfig.DEFAULT));
    assertTrue(e.getMessage().contains("libGDX"), e.getMessage());
  }

  @Test
  void sharesAGameContextAndAPrivateLoopbackWithoutDisturbingIt() throws Exception {
    // Stand-in for libGDX's OpenALLwjgl3Audio: a device and a context made current for the whole process.
    long device = ALC10.alcOpenDevice((ByteBuffer) null);
    // Surefire sets ALSOFT_DRIVERS=null, so OpenAL Soft's null backend always opens: a 0 here is a broken setup,
    // which must fail rather than skip the only test of context sharing.
    assertNotEquals(0L, device, "OpenAL could not open a device; the build sets ALSOFT_DRIVERS=null for tests");
    ALCCapabilities alcCaps = ALC.createCapabilities(device);
    long context = ALC10.alcCreateContext(device, (int[]) null);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      ALC10.alcMakeContextCurrent(context);
      AL.createCapabilities(alcCaps);
      int gameSource = AL10.alGenSources();
      AL10.alListenerf(AL10.AL_GAIN, 0.3f);
      AL10.alListener3f(AL10.AL_POSITION, 1, 2, 3);

      // 1. The engine inside the game: our sources on the game's context, played by our audio thread.
      int[] ours;
      try (OpenAlOutput shared = OpenAlOutputs.currentContext(OpenAlConfig.DEFAULT)) {
        assertEquals(OpenAlStatus.Kind.SHARED_CONTEXT, shared.status().kind());
        playInRealTime(shared);
        ours = ((RealtimeOutput) shared).mixer.sourceIds();
        assertTrue(ours.length == 1);
      }
      assertFalse(AL10.alIsSource(ours[0]), "close() must delete our source");
      assertTrue(AL10.alIsSource(gameSource), "close() must not touch the game's source");
      assertEquals(context, ALC10.alcGetCurrentContext());

      // 2. A loopback output rendering on another thread, and then on this very thread.
      try (LoopbackOutput loop = OpenAlOutputs.loopback(48_000,
          OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build())) {
        Future<Double> db = other.submit(() -> renderRightOverLeft(loop));
        assertTrue(db.get(10, TimeUnit.SECONDS) >= 20);
        assertTrue(renderRightOverLeft(loop) >= 20, "rendering on the game's thread");
        assertEquals(0, EXTThreadLocalContext.alcGetThreadContext(), "our thread context was left behind");
      }

      assertEquals(context, ALC10.alcGetCurrentContext());
      assertEquals(0.3f, AL10.alGetListenerf(AL10.AL_GAIN), 1e-6);
      float[] x = new float[1];
      float[] y = new float[1];
      float[] z = new float[1];
      AL10.alGetListener3f(AL10.AL_POSITION, x, y, z);
      assertEquals(1f, x[0]);
      assertEquals(2f, y[0]);
      assertEquals(3f, z[0]);
      assertTrue(AL10.alIsSource(gameSource));
      assertEquals(AL10.AL_NO_ERROR, AL10.alGetError());
      AL10.alDeleteSources(gameSource);
    } finally {
      other.shutdownNow();
      ALC10.alcMakeContextCurrent(0);
      AL.setCurrentProcess(null);
      ALC10.alcDestroyContext(context);
      ALC10.alcCloseDevice(device);
    }
  }

  private static double renderRightOverLeft(LoopbackOutput loop) {
    loop.setListenerPosition(0, 0, 0);
    PlaybackStream s = loop.open(Lines.at(5, 0, 0, true), new RecordingEvents());
    s.write(LINE, 0, LINE.length);
    s.end();
    float[] r = loop.renderUntilIdle(48_000);
    int n = Signals.frames(r);
    return Signals.db(Signals.energy(r, 1, 0, n) / Math.max(1e-20, Signals.energy(r, 0, 0, n)));
  }
}
