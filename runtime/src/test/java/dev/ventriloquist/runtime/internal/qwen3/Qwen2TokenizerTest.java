package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte-level BPE on a crafted vocabulary: the 256 byte symbols at ids 0..255 plus a few merges. */
class Qwen2TokenizerTest {
  /** Symbol of a byte. */
  static String b(int v) {
    return String.valueOf(Qwen2Tokenizer.byteChar(v));
  }

  /** Byte symbols of a string's UTF-8, concatenated. */
  static String sym(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      sb.append(b(x & 0xFF));
    }
    return sb.toString();
  }

  /** A vocab whose byte symbol for byte v has id v, plus merged words; merges build each word left to right. */
  static Qwen2Tokenizer crafted() {
    Map<String, Integer> vocab = new HashMap<>();
    for (int v = 0; v < 256; v++) {
      vocab.put(b(v), v);
    }
    List<String> merges = new ArrayList<>();
    int[] next = {1000};
    addWord(sym("he"), vocab, merges, next);
    addWord(sym("hel"), vocab, merges, next);
    addWord(sym("hell"), vocab, merges, next);
    addWord(sym("hello"), vocab, merges, next);
    addWord(sym(" w"), vocab, merges, next);
    addWord(sym(" wo"), vocab, merges, next);
    addWord(sym(" wor"), vocab, merges, next);
    addWord(sym(" worl"), vocab, merges, next);
    addWord(sym(" world"), vocab, merges, next);
    addWord(sym("as"), vocab, merges, next);
    addWord(sym("ass"), vocab, merges, next);
    vocab.put(sym("assistant"), 77091); // no merge chain: stays bytes unless merged
    // "你" = E4 BD A0: merge the three bytes into one token; "好" stays raw bytes.
    merges.add(b(0xE4) + " " + b(0xBD));
    vocab.put(b(0xE4) + b(0xBD), 2000);
    merges.add(b(0xE4) + b(0xBD) + " " + b(0xA0));
    vocab.put(sym("你"), 2001);
    Map<String, Integer> added = Map.of("<|im_start|>", 151644, "<|im_end|>", 151645, "<tts_pad>", 151671);
    return new Qwen2Tokenizer(vocab, merges, added);
  }

  /** Adds word = prefix + last symbol with the merge "prefix last". */
  private static void addWord(String word, Map<String, Integer> vocab, List<String> merges, int[] next) {
    String prefix = word.substring(0, word.length() - 1);
    String last = word.substring(word.length() - 1);
    merges.add(prefix + " " + last);
    vocab.put(word, next[0]++);
  }

  static List<String> pretokenize(String s) {
    List<String> out = new ArrayList<>();
    Matcher m = Qwen2Tokenizer.PRETOKENIZE.matcher(s);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Test
  void pretokenizationFollowsQwen2Rules() {
    assertEquals(List.of("I", "'m", " fine", ",", " you", "'RE", " not"), pretokenize("I'm fine, you'RE not"));
    assertEquals(List.of("abc", "1", "2", "3", "x"), pretokenize("abc123x"), "single digits");
    assertEquals(List.of("a", " ", " b"), pretokenize("a  b"), "spaces before a word: all but the last stand alone");
    assertEquals(List.of("hi", "!!!\n\n", "ok"), pretokenize("hi!!!\n\nok"), "punctuation takes the newlines after it");
    assertEquals(List.of("a", "\n\n", "b"), pretokenize("a\n\nb"));
    assertEquals(List.of("end", "  "), pretokenize("end  "), "trailing white space");
    assertEquals(List.of("你好", "，世界"), pretokenize("你好，世界"), "one leading punctuation joins letters");
    assertEquals(List.of(" 😀!", " x"), pretokenize(" 😀! x"), "symbols and punctuation form one run");
    assertEquals(List.of("\"Hello"), pretokenize("\"Hello"), "one leading non-letter joins the letters");
  }

  @Test
  void mergesByRank() {
    Qwen2Tokenizer t = crafted();
    int hello = t.tokenId(sym("hello"));
    int world = t.tokenId(sym(" world"));
    assertArrayEquals(new int[] {hello, world}, t.encode("hello world"));
    assertArrayEquals(new int[] {t.tokenId(sym("hel")), 'p'}, t.encode("help"));
  }

  @Test
  void rawBytesEmojiAndCjk() {
    Qwen2Tokenizer t = crafted();
    // A tab is the byte symbol U+0109 (bytes < 0x21 map above U+00FF), id 9 in this vocab.
    assertArrayEquals(new int[] {'a', 9, 'b'}, t.encode("a\tb"));
    assertEquals('\u0109', Qwen2Tokenizer.byteChar(9));
    assertEquals('\u0120', Qwen2Tokenizer.byteChar(' '));
    // The emoji has no merges: its four UTF-8 bytes.
    assertArrayEquals(new int[] {0xF0, 0x9F, 0x98, 0x80}, t.encode("😀"));
    // 你 merges to one token, 好 stays three bytes.
    assertArrayEquals(new int[] {2001, 0xE5, 0xA5, 0xBD}, t.encode("你好"));
    for (String s : new String[] {"a\tb", "😀 ok", "你好，世界", "héllo wörld", "<|im_start|>x<|im_end|>"}) {
      assertEquals(s, t.decode(t.encode(s)), "round trip of " + s);
    }
  }

  @Test
  void addedTokensAreMatchedBeforeBpe() {
    Qwen2Tokenizer t = crafted();
    int[] ids = t.encode("<|im_start|>hello<|im_end|>\n<tts_pad>");
    assertArrayEquals(new int[] {151644, t.tokenId(sym("hello")), 151645, '\n', 151671}, ids);
  }

  @Test
  void normalizesToNfc() {
    Qwen2Tokenizer t = crafted();
    assertArrayEquals(t.encode("\u00e9"), t.encode("e\u0301"));
  }

  @Test
  void loadsPackFiles(@TempDir Path dir) throws Exception {
    StringBuilder v = new StringBuilder("{");
    for (int i = 0; i < 256; i++) {
      String s = b(i);
      String esc = s.equals("\"") ? "\\\"" : s.equals("\\") ? "\\\\" : s;
      v.append('"').append(esc).append("\":").append(i).append(',');
    }
    v.append('"').append(sym("as")).append("\":300}");
    Files.writeString(dir.resolve("vocab.json"), v, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + b('a') + " " + b('s') + "\n",
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("tokenizer_config.json"),
        "{\"added_tokens_decoder\":{\"151644\":{\"content\":\"<|im_start|>\",\"special\":true}}}");
    Qwen2Tokenizer t = Qwen2Tokenizer.load(dir);
    assertArrayEquals(new int[] {151644, 300, 's'}, t.encode("<|im_start|>ass"));
    assertEquals(-1, t.tokenId("<|im_end|>"), "only the config's added tokens");
  }
}
