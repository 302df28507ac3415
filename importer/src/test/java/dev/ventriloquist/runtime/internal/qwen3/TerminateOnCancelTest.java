package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.onnxruntime.OrtException;
import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.api.DevicePreference;
import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.importer.internal.onnx.TinyCheckpoints;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisRequest;

/**
 * A cancel reaches ORT's terminate flag: the talker and predictor runs of a line run under the generator's
 * RunOptions, so a cancelled line stops inside the run in flight (a long prefill) rather than after it.
 */
class TerminateOnCancelTest {
  private static final int FRAMES = 6;
  private static Qwen3ModelPack pack;
  private static Qwen3Sessions sessions;
  private static Qwen3Generator gen;
  private static Qwen3Generator.PromptEmbeddings prompt;

  @BeforeAll
  static void open() throws Exception {
    pack = Qwen3ModelPack.load(TinyCheckpoints.packDir());
    sessions = Qwen3Sessions.open(pack, DevicePreference.CPU, 1);
    gen = new Qwen3Generator(pack, sessions);
    PromptLayout layout = new PromptBuilder(pack.tokenizer(), pack.ids()).build(
        "Halt! Who goes there?", "english", PromptMode.X_VECTOR_ONLY, null, 0);
    float[] speaker = Qwen3TtsBackend.randomPrompt(pack.variant(), pack.hiddenSize(), 3).speakerEmbedding();
    prompt = gen.embed(layout, speaker, new int[0]);
  }

  @AfterAll
  static void close() {
    gen.close();
    sessions.close();
  }

  private static int frames() throws OrtException {
    List<int[]> out = new ArrayList<>();
    gen.generate(prompt, SamplingConfig.RELEASE_DEFAULT, new SplittableRandom(5), FRAMES, () -> false,
        (c, i) -> out.add(c.clone()));
    return out.size();
  }

  @Test
  void aTerminatedLineStopsInsideItsRunAndTheNextLineSpeaks() throws Exception {
    long line = gen.beginLine();
    gen.terminate(line); // as the engine does on the cancelling thread while the prefill runs
    try {
      OrtException e = assertThrows(OrtException.class, TerminateOnCancelTest::frames,
          "the prefill runs under the terminated RunOptions and must not complete");
      assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("terminate"), e.getMessage());
    } finally {
      gen.endLine();
    }
    gen.beginLine();
    try {
      assertEquals(FRAMES, frames(), "the flag is cleared for the next line");
    } finally {
      gen.endLine();
    }
  }

  @Test
  void aLateTerminateForAnEndedLineDoesNotStopTheNextOne() throws Exception {
    long first = gen.beginLine();
    gen.endLine();
    gen.beginLine();
    try {
      gen.terminate(first); // e.g. the first line was cancelled during playback, after its synthesis
      assertEquals(FRAMES, frames());
    } finally {
      gen.endLine();
    }
  }

  @Test
  void aBackendLineCancelledThroughTheTerminateFlagEndsWithoutAnError() {
    // Decoding on the synthesis thread makes the order fixed: frame 1 is generated, its packet written (the sink
    // cancels and fires the terminate action there), then the next talker step runs under the set flag and throws.
    System.setProperty("ventriloquist.decode.sameThread", "true");
    Qwen3TtsBackend opened;
    try {
      opened = Qwen3TtsBackend.open(TinyCheckpoints.packDir(), Qwen3TtsBackend.Options.defaults()
          .withDevice(DevicePreference.CPU).withThreads(1).withMaxFrames(40));
    } finally {
      System.clearProperty("ventriloquist.decode.sameThread");
    }
    try (Qwen3TtsBackend backend = opened) {
      CharacterVoice who = CharacterVoice.builder("guard").prompt(backend.randomPrompt(1)).build();
      // A sink cancelled at its first packet whose cancel also fires the backend's terminate action, as the engine's
      // sink does: the run in flight then throws inside ORT and the line must end quietly, not as a failure.
      final class CancellingSink implements PcmSink {
        volatile boolean cancelled;
        Runnable onCancel;
        int packets;

        @Override
        public void write(float[] samples, int offset, int length) {
          packets++;
          if (!cancelled) {
            cancelled = true;
            if (onCancel != null) {
              onCancel.run();
            }
          }
        }

        @Override
        public boolean isCancelled() {
          return cancelled;
        }

        @Override
        public void onCancel(Runnable action) {
          onCancel = action;
        }
      }
      CancellingSink sink = new CancellingSink();
      backend.synthesize(new SynthesisRequest(1, who, "Halt! Who goes there? Stand and be recognised, traveller.",
          "english", OptionalLong.of(3)), sink);
      assertEquals(1, sink.packets, "nothing is written after the cancel");
      // The line ended through ORT's terminate (its stats are never recorded), not through the polled check at the
      // next frame, which records stats with cancelled = true.
      assertNull(backend.lastStats(), "the run in flight was stopped by the terminate flag");
      // and the backend speaks the next line in full
      Qwen3TtsBackendTest.Collector next = new Qwen3TtsBackendTest.Collector();
      backend.synthesize(new SynthesisRequest(2, who, "Pass.", "english", OptionalLong.of(3)), next);
      assertTrue(next.pcm().length > 0);
    }
  }
}
