package dev.ventriloquist.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ventriloquist.api.AudioMode;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.NoBackendException;
import dev.ventriloquist.runtime.internal.clone.ClipDecodeException;
import dev.ventriloquist.runtime.internal.clone.ClipDecoder;
import dev.ventriloquist.runtime.internal.clone.Problem;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The runtime alone, as a game that adds only {@code ventriloquist-runtime} has it: none of the optional modules
 * (embedded voice, clip formats) and none of the tooling's dependencies are on this module's test class path, so
 * each missing piece must be reported in one line naming the artifact that adds it.
 */
class OptionalModulesTest {
  @Test
  void withoutAModelPackOrTheEmbeddedVoiceCreateSaysWhichArtifactAddsABackend() {
    NoBackendException e = assertThrows(NoBackendException.class,
        () -> Ventriloquist.create(EngineConfig.builder().audioMode(AudioMode.SILENT).build()));
    assertTrue(e.getMessage().contains("dev.ventriloquist:ventriloquist-embedded-voice"), e.getMessage());
    assertTrue(e.getMessage().contains("modelPack"), e.getMessage());
  }

  @Test
  void anMp3ClipWithoutClipFormatsIsRefusedNamingTheModule() throws Exception {
    byte[] mp3;
    try (InputStream in = OptionalModulesTest.class.getResourceAsStream("/clips/speech.mp3")) {
      mp3 = in.readAllBytes();
    }
    ClipDecodeException e = assertThrows(ClipDecodeException.class, () -> ClipDecoder.decode(mp3, "speech.mp3"));
    assertEquals(Problem.UNSUPPORTED_FORMAT, e.code());
    assertTrue(e.getMessage().contains("dev.ventriloquist:ventriloquist-clip-formats"), e.getMessage());
  }

  @Test
  void theRuntimeBringsNoToolingDependencies() {
    // What a game ships must not drag in the CLI, the importer's protobuf classes or FreeTTS.
    for (String cls : List.of("picocli.CommandLine", "ai.onnx.proto.OnnxMl", "com.google.protobuf.Message",
        "com.sun.speech.freetts.Voice", "javazoom.jl.decoder.Bitstream", "org.jflac.FLACDecoder",
        "com.jcraft.jorbis.Info")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(cls, false, getClass().getClassLoader()), cls);
    }
  }
}
