package dev.ventriloquist.runtime.internal.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.esotericsoftware.kryo.kryo5.io.Output;

import dev.ventriloquist.api.PromptMode;
import dev.ventriloquist.api.VoicePrompt;

/** Shared test values: prompts, keys, deterministic PCM, hand-built hostile files, child JVMs. */
final class StoreFixtures {
  static final String BACKEND = "qwen3-tts-12hz-0.6b-base/fp32/ort-1.29.0";
  static final String CLIP_SHA = "a1b2c3d4".repeat(8);

  private StoreFixtures() {}

  static VoicePrompt iclPrompt() {
    int[] codes = new int[2 * VoicePrompt.CODEBOOKS];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (i * 131) % 2048;
    }
    return VoicePrompt.builder("qwen3-tts-12hz-0.6b-base", PromptMode.ICL)
        .speakerEmbedding(new float[] {0.25f, -1.5f, 3.0e-3f, 42f})
        .referenceCodes(codes)
        .transcript("Halt! Who goes there? \u00e9t\u00e9")
        .clipSha256(CLIP_SHA)
        .licence("CC-BY-4.0, recorded with consent")
        .build();
  }

  static VoicePrompt xVectorPrompt() {
    return VoicePrompt.builder("qwen3-tts-12hz-0.6b-base", PromptMode.X_VECTOR_ONLY)
        .speakerEmbedding(new float[] {1f, 0.5f, -0.125f, 0f})
        .clipSha256(CLIP_SHA)
        .build();
  }

  static LineKey key(int i) {
    return LineKey.builder()
        .backend(BACKEND)
        .promptHash(PromptStore.contentHash(iclPrompt()))
        .text("Line number " + i + ", spoken by the guard.")
        .language("english")
        .sampling("t=0.9,top_k=50,top_p=1.0,rep=1.05")
        .seed(1234)
        .build();
  }

  /** A deterministic tone for line {@code i}. */
  static float[] pcm(int i, int samples) {
    float[] out = new float[samples];
    double f = 110 + 7 * (i % 50);
    for (int n = 0; n < samples; n++) {
      out[n] = (float) (0.6 * Math.sin(2 * Math.PI * f * n / 24_000.0));
    }
    return out;
  }

  /** What {@code pcm} reads back as after 16-bit storage. */
  static float[] quantized(float[] pcm) {
    float[] out = new float[pcm.length];
    for (int n = 0; n < pcm.length; n++) {
      out[n] = CachedLine.toFloat(CachedLine.quantize(pcm[n]));
    }
    return out;
  }

  static boolean write(LineCache cache, int i, int samples) {
    LineCache.Writer w = cache.begin(key(i));
    float[] pcm = pcm(i, samples);
    // In 40 ms packets, the way a streaming backend hands them over.
    for (int off = 0; off < pcm.length; off += 960) {
      w.append(pcm, off, Math.min(960, pcm.length - off));
    }
    return w.commit().join();
  }

  static Path entryFile(Path cacheDir, LineKey key) {
    return cacheDir.resolve(LineCache.SUBDIR).resolve(key.hex() + LineCache.EXTENSION);
  }

  static List<Path> files(Path dir, String glob) throws IOException {
    List<Path> out = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (var s = Files.newDirectoryStream(dir, glob)) {
        s.forEach(out::add);
      }
    }
    return out;
  }

  static long bytesOnDisk(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /**
   * A line file with a valid header and checksum whose payload declares {@code declaredSamples} samples but holds
   * only {@code actualSamples}: the shape of a hostile entry.
   */
  static byte[] hostileLineFile(LineKey key, int declaredSamples, int actualSamples) {
    Output out = new Output(64 + 2 * actualSamples, -1);
    out.setPosition(StoreFormat.HEADER_BYTES);
    out.writeVarInt(StoreKryo.ID_LINE + 2, true); // Kryo writes registration id + 2
    out.writeBytes(key.digest());
    out.writeVarInt(24_000, true);
    out.writeInt(declaredSamples);
    for (int n = 0; n < actualSamples; n++) {
      out.writeShort(n);
    }
    return seal(out);
  }

  /** A prompt file whose embedding declares {@code declared} floats (a valid checksum). */
  static byte[] hostilePromptFile(int declared) {
    Output out = new Output(64, -1);
    out.setPosition(StoreFormat.HEADER_BYTES);
    out.writeVarInt(StoreKryo.ID_VOICE_PROMPT + 2, true);
    StoreKryo.writeString(out, "qwen3-tts-12hz-0.6b-base");
    out.writeByte(0);
    out.writeVarInt(declared, true);
    out.writeFloat(1f);
    return seal(out);
  }

  static byte[] seal(Output out) {
    byte[] file = java.util.Arrays.copyOf(out.getBuffer(), out.position());
    StoreFormat.seal(file, file.length);
    return file;
  }

  /** Starts {@code mainClass} in a child JVM on the test class path. */
  static Process startJvm(String maxHeap, Class<?> mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + maxHeap);
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xshare:auto");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  static BufferedReader stdout(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  static String drain(Process p) throws IOException {
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
