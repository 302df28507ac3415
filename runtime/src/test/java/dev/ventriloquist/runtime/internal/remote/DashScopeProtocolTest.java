package dev.ventriloquist.runtime.internal.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;

import dev.ventriloquist.api.CharacterVoice;
import dev.ventriloquist.runtime.internal.voice.VoicePacks;
import dev.ventriloquist.spi.PcmSink;
import dev.ventriloquist.spi.SynthesisRequest;

/** {@code DashScopeBackend} against a local fake that follows the published enrollment and realtime events. */
@Timeout(60) // a hang guard, not a speed check
class DashScopeProtocolTest {
  private static final Path GUARD = Path.of("../voices/guard");
  @TempDir Path cache;
  private FakeDashScope fake;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeDashScope();
  }

  @AfterEach
  void stop() throws Exception {
    fake.close();
  }

  private DashScopeBackend backend() {
    return DashScopeBackend.options().apiUrl(fake.apiUrl()).realtimeUrl(fake.realtimeUrl()).apiKeyEnv("HOME")
        .cacheDir(cache).timeout(Duration.ofSeconds(10)).build().open();
  }

  private static final class Collect implements PcmSink {
    final java.io.ByteArrayOutputStream s16 = new java.io.ByteArrayOutputStream();
    final long cancelAfter;
    volatile boolean cancelled;
    long samples;

    Collect(long cancelAfter) {
      this.cancelAfter = cancelAfter;
    }

    @Override
    public void write(float[] s, int offset, int length) {
      byte[] b = PcmEncoding.S16LE.encode(s, offset, length);
      s16.write(b, 0, b.length);
      samples += length;
      cancelled = samples >= cancelAfter;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }
  }

  @Test
  void enrollsOnceThenSpeaksThroughTheRealtimeEventSequence() throws Exception {
    DashScopeBackend b = backend();
    CharacterVoice guard = b.prepare(CharacterVoice.of(VoicePacks.load(GUARD)));
    Collect c = new Collect(Long.MAX_VALUE);
    b.synthesize(new SynthesisRequest(1, guard, "Halt! Who goes there?", "english", OptionalLong.empty()), c);
    // 16-bit in, float through the sink, 16-bit again: the same bytes.
    assertArrayEquals(FakeDashScope.pcmFor("Halt! Who goes there?"), c.s16.toByteArray());

    assertEquals(1, fake.enrollments.size());
    JsonObject enroll = fake.enrollments.get(0);
    assertEquals("qwen-voice-enrollment", enroll.get("model").getAsString());
    JsonObject input = enroll.getAsJsonObject("input");
    assertEquals("create", input.get("action").getAsString());
    assertEquals("qwen3-tts-vc-realtime-2025-11-27", input.get("target_model").getAsString());
    assertEquals("guard", input.get("preferred_name").getAsString());
    String data = input.getAsJsonObject("audio").get("data").getAsString();
    assertArrayEquals(Files.readAllBytes(GUARD.resolve("reference.wav")),
        Base64.getDecoder().decode(data.substring("data:audio/wav;base64,".length())));

    List<String> types = fake.clientEvents.stream().map(e -> e.get("type").getAsString()).toList();
    assertEquals(List.of("session.update", "input_text_buffer.append", "input_text_buffer.commit", "session.finish"),
        types);
    JsonObject session = fake.clientEvents.get(0).getAsJsonObject("session");
    assertEquals(FakeDashScope.VOICE_ID, session.get("voice").getAsString());
    assertEquals("pcm", session.get("response_format").getAsString());
    assertEquals(24_000, session.get("sample_rate").getAsInt());
    assertEquals("commit", session.get("mode").getAsString());
    assertEquals("English", session.get("language_type").getAsString());
    assertEquals("Bearer " + System.getenv("HOME"), fake.authorizations.get(0));
    assertEquals("Bearer " + System.getenv("HOME"), fake.authorizations.get(1));

    // The voice id is kept on disk: a new backend on the same cache does not enroll again.
    DashScopeBackend again = backend();
    again.synthesize(new SynthesisRequest(2, again.prepare(CharacterVoice.of(VoicePacks.load(GUARD))), "Again.",
        "english", OptionalLong.empty()), new Collect(Long.MAX_VALUE));
    assertEquals(1, fake.enrollments.size());
    assertTrue(Files.readString(cache.resolve(DashScopeBackend.VOICE_FILE)).contains(FakeDashScope.VOICE_ID));
  }

  @Test
  void streamedTextIsAppendedPieceByPieceInServerCommitMode() throws Exception {
    DashScopeBackend b = backend();
    CharacterVoice guard = b.prepare(CharacterVoice.of(VoicePacks.load(GUARD)));
    Collect c = new Collect(Long.MAX_VALUE);
    try (DashScopeBackend.TextStream s = b.openTextStream(guard, "english", c, true)) {
      for (String piece : List.of("Once ", "upon ", "a time.")) {
        s.append(piece);
      }
      s.finish();
      assertEquals(c.samples, s.samples());
    }
    assertArrayEquals(FakeDashScope.pcmFor("Once upon a time."), c.s16.toByteArray());
    List<String> appended = fake.clientEvents.stream()
        .filter(e -> e.get("type").getAsString().equals("input_text_buffer.append"))
        .map(e -> e.get("text").getAsString()).toList();
    assertEquals(List.of("Once ", "upon ", "a time."), appended);
    assertEquals("server_commit", fake.clientEvents.get(0).getAsJsonObject("session").get("mode").getAsString());
  }

  @Test
  void aStreamedLineSendsEachSettledPieceAsItArrives() throws Exception {
    DashScopeBackend b = backend();
    CharacterVoice guard = b.prepare(CharacterVoice.of(VoicePacks.load(GUARD)));
    Collect c = new Collect(Long.MAX_VALUE);
    // The engine's settled text grows piece by piece; each awaitLonger returns the next longer prefix.
    List<String> prefixes = List.of("The bridge", "The bridge fell", "The bridge fell in the storm.");
    dev.ventriloquist.spi.TextStream text = new dev.ventriloquist.spi.TextStream() {
      int at = 0;

      @Override
      public String text() {
        return prefixes.get(at);
      }

      @Override
      public boolean isComplete() {
        return at == prefixes.size() - 1;
      }

      @Override
      public String awaitLonger(int length) {
        while (prefixes.get(at).length() <= length && at < prefixes.size() - 1) {
          at++;
        }
        return prefixes.get(at);
      }
    };
    assertTrue(b.acceptsStreamedText());
    b.synthesizeStreamed(new SynthesisRequest(3, guard, "", "english", OptionalLong.empty()), text, c);
    assertArrayEquals(FakeDashScope.pcmFor("The bridge fell in the storm."), c.s16.toByteArray());
    List<String> appended = fake.clientEvents.stream()
        .filter(e -> e.get("type").getAsString().equals("input_text_buffer.append"))
        .map(e -> e.get("text").getAsString()).toList();
    assertEquals(List.of("The bridge", " fell", " in the storm."), appended);
  }

  @Test
  void anErrorEventFailsTheLineWithTheServicesMessage() throws Exception {
    fake.rejectVoice = FakeDashScope.VOICE_ID;
    DashScopeBackend b = backend();
    CharacterVoice guard = b.prepare(CharacterVoice.of(VoicePacks.load(GUARD)));
    RemoteSpeechException e = assertThrows(RemoteSpeechException.class, () -> b.synthesize(
        new SynthesisRequest(1, guard, "Hello", "english", OptionalLong.empty()), new Collect(Long.MAX_VALUE)));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void cancellingMidLineClosesTheSocket() throws Exception {
    fake.deltasPerCommit = 40;
    DashScopeBackend b = backend();
    CharacterVoice guard = b.prepare(CharacterVoice.of(VoicePacks.load(GUARD)));
    Collect c = new Collect(1);
    b.synthesize(new SynthesisRequest(1, guard, "A rather long line that will be cut short.", "english",
        OptionalLong.empty()), c);
    assertTrue(c.samples > 0 && c.samples < 43 * 240, "stopped early: " + c.samples);
    assertTrue(fake.clientClosedEarly.await(10, TimeUnit.SECONDS), "the fake saw the socket go away");
  }
}
