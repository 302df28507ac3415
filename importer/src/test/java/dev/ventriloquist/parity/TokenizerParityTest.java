package dev.ventriloquist.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ventriloquist.runtime.internal.qwen3.Qwen2Tokenizer;
import org.junit.jupiter.api.Test;

/** The pack's tokenizer (vocab, merges and the added tokens of tokenizer_config.json) against the reference ids. */
class TokenizerParityTest {
  @Test
  void tokenIdsEqualTheReferenceProcessorsForEveryRecordedText() {
    Qwen2Tokenizer tok = Qwen2Tokenizer.load(ParityFixture.pack());
    for (JsonElement e : ParityFixture.index().getAsJsonObject("tokenizer").getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      String text = c.get("text").getAsString();
      assertArrayEquals(ParityFixture.ints(c.getAsJsonArray("ids")), tok.encode(text), "ids of \"" + text + "\"");
    }
  }
}
