package dev.ventriloquist.runtime.internal.qwen3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The commit rule against whole-text tokenization, on the crafted vocabulary of {@link Qwen2TokenizerTest}. */
class StreamingTokenizerTest {
  private static final Qwen2Tokenizer TOK = Qwen2TokenizerTest.crafted();
  private static final String[] TEXTS = {
      "hello world",
      "hello world, hello    world!",
      "he's hello'll world 12345 worlds... hello?!",
      "你好 hello 你你好, héllo wörld \uD83D\uDE00 world",
      "hello\nworld \n\n hello  \t world",
      "q\u0301 hello \u00e9 world --- 3.14 hello \uD835\uDC00\uD835\uDC01 hello",
  };

  /** The ids the whole template gives the text: those after "<|im_start|>assistant\n", before "<|im_end|>". */
  private static int[] whole(String text) {
    int prefix = TOK.encode("<|im_start|>" + PromptBuilder.TEXT_PREFIX).length;
    int[] all = TOK.encode("<|im_start|>" + PromptBuilder.TEXT_PREFIX + text + "<|im_end|>");
    return Arrays.copyOfRange(all, prefix, all.length - 1);
  }

  private static boolean startsWith(int[] a, int[] prefix) {
    return prefix.length <= a.length && Arrays.equals(Arrays.copyOf(a, prefix.length), prefix);
  }

  @Test
  void randomSplitsCommitAPrefixOfTheWholeTextsIdsAndEndWithAllOfThem() {
    SplittableRandom r = new SplittableRandom(7);
    for (String raw : TEXTS) {
      String text = java.text.Normalizer.normalize(raw, java.text.Normalizer.Form.NFC); // settled text is NFC
      int[] want = whole(text);
      for (int trial = 0; trial < 200; trial++) {
        StreamingTokenizer st = new StreamingTokenizer(TOK, PromptBuilder.TEXT_PREFIX);
        int end = 0;
        int before = 0;
        while (end < text.length()) {
          end = Math.min(text.length(), end + 1 + r.nextInt(5)); // inside words, inside surrogate pairs too
          int n = st.update(text.substring(0, end), false);
          int[] got = st.committed();
          assertTrue(n >= before, "commits never shrink");
          assertTrue(startsWith(want, got), "\"" + text.substring(0, end) + "\" committed " + Arrays.toString(got)
              + ", the whole text gives " + Arrays.toString(want));
          before = n;
        }
        st.update(text, true);
        assertArrayEquals(want, st.committed(), text);
      }
    }
  }

  @Test
  void holdsTheLastPreTokenUntilSomethingEndsIt() {
    StreamingTokenizer st = new StreamingTokenizer(TOK, PromptBuilder.TEXT_PREFIX);
    int hello = TOK.encode("hello")[0];
    int world = TOK.encode(" world")[0];
    assertEquals(0, st.update("hello", false), "\"hello\" may still become \"helloworld\"");
    assertEquals(1, st.update("hello wor", false), "the space ends \"hello\"");
    assertEquals(hello, st.get(0));
    assertEquals(1, st.update("hello world", false), "\" world\" may go on");
    assertEquals(2, st.update("hello world,", false), "the comma ends it");
    assertEquals(world, st.get(1));
    assertEquals(3, st.update("hello world, ", false), "the space ends \",\"; the space may still join a run");
    assertEquals(3, st.update("hello world, h", false), "\" h\" may go on");
    assertArrayEquals(new int[] {hello, world, TOK.encode(",")[0]}, st.committed());
    st.update("hello world, h", true);
    assertArrayEquals(whole("hello world, h"), st.committed(), "close commits the rest");
  }

  @Test
  void digitsAreSettledAtOnce() {
    StreamingTokenizer st = new StreamingTokenizer(TOK, PromptBuilder.TEXT_PREFIX);
    assertEquals(2, st.update("12", false), "a digit is a pre-token of its own");
  }
}
