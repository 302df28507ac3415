package dev.ventriloquist.runtime.internal.qwen3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.ventriloquist.api.ModelPackException;

/**
 * The text-track tokenizer: Qwen2 byte-level BPE read from {@code vocab.json} + {@code merges.txt}, with the added
 * (special) tokens of {@code tokenizer_config.json}.
 *
 * <p>Written by hand because no maintained Java library reads these two files offline: DJL's HuggingFace tokenizers
 * need a {@code tokenizer.json} (which the release does not ship) plus a native library, and the pure-Java ports found
 * are unmaintained. The algorithm is the GPT-2/Qwen2 one:
 * <ol>
 *   <li>NFC-normalize the text;</li>
 *   <li>split out added tokens such as {@code <|im_start|>} (longest match first) so BPE never sees them;</li>
 *   <li>pre-tokenize the rest with the Qwen2 regex (contractions, letter runs with one optional leading non-letter,
 *       single digits, punctuation runs, newline runs, and the whitespace rules);</li>
 *   <li>map each UTF-8 byte of a piece to a printable stand-in character (bytes that are already printable map to
 *       themselves; the others to U+0100 and up), so the vocabulary needs no raw control or partial characters;</li>
 *   <li>merge adjacent symbols by the lowest merge rank until no listed pair is left, then look the symbols up.</li>
 * </ol>
 *
 * <p><b>Threads.</b> Immutable after loading apart from a bounded word cache guarded by its own lock; {@link #encode}
 * and {@link #decode} may be called from any thread.
 */
public final class Qwen2Tokenizer {
  /**
   * The Qwen2 pre-tokenization pattern. {@code UNICODE_CHARACTER_CLASS} makes {@code \s} match Unicode white space
   * as the Rust/Python {@code regex} engines do.
   */
  static final Pattern PRETOKENIZE = Pattern.compile(
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+"
          + "|\\s+(?!\\S)|\\s+",
      Pattern.UNICODE_CHARACTER_CLASS);

  /** Added tokens of the release, used when a pack carries no {@code tokenizer_config.json}. */
  static final Map<String, Integer> DEFAULT_ADDED = Map.of(
      "<|endoftext|>", 151643,
      "<|im_start|>", 151644,
      "<|im_end|>", 151645,
      "<tts_pad>", 151671,
      "<tts_text_bos>", 151672,
      "<tts_text_eod>", 151673);

  private static final int WORD_CACHE_SIZE = 4096;

  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[512];

  static {
    Arrays.fill(CHAR_TO_BYTE, -1);
    int extra = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = printable ? (char) b : (char) (256 + extra++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private final Map<String, Integer> vocab;
  private final String[] idToToken;
  private final Map<String, Integer> mergeRanks;
  private final Map<String, Integer> added;
  /** Added tokens, longest first, so "<|im_start|>" wins over any prefix of it. */
  private final List<String> addedByLength;
  private final Map<String, int[]> wordCache = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
      return size() > WORD_CACHE_SIZE;
    }
  };

  /**
   * @param vocab token → id (byte-level strings)
   * @param merges merge pairs in rank order, each {@code "a b"}
   * @param added added tokens → id, matched verbatim before BPE
   */
  public Qwen2Tokenizer(Map<String, Integer> vocab, List<String> merges, Map<String, Integer> added) {
    this.vocab = Map.copyOf(vocab);
    this.added = Map.copyOf(added);
    int maxId = -1;
    for (int id : vocab.values()) {
      maxId = Math.max(maxId, id);
    }
    for (int id : added.values()) {
      maxId = Math.max(maxId, id);
    }
    this.idToToken = new String[maxId + 1];
    vocab.forEach((t, id) -> idToToken[id] = t);
    added.forEach((t, id) -> idToToken[id] = t);
    Map<String, Integer> ranks = new HashMap<>(merges.size() * 2);
    for (int i = 0; i < merges.size(); i++) {
      ranks.putIfAbsent(merges.get(i), i);
    }
    this.mergeRanks = ranks;
    List<String> byLength = new ArrayList<>(added.keySet());
    byLength.sort((a, b) -> b.length() - a.length());
    this.addedByLength = Collections.unmodifiableList(byLength);
  }

  /**
   * Reads {@code vocab.json} and {@code merges.txt} from {@code dir}, and the added tokens from
   * {@code tokenizer_config.json} there when present (else the release's special tokens).
   *
   * @throws ModelPackException if a file is missing or malformed
   */
  public static Qwen2Tokenizer load(Path dir) {
    Path vocabFile = dir.resolve("vocab.json");
    Path mergesFile = dir.resolve("merges.txt");
    try {
      JsonObject v = JsonParser.parseString(Files.readString(vocabFile, StandardCharsets.UTF_8)).getAsJsonObject();
      Map<String, Integer> vocab = new HashMap<>(v.size() * 2);
      for (Map.Entry<String, JsonElement> e : v.entrySet()) {
        vocab.put(e.getKey(), e.getValue().getAsInt());
      }
      List<String> merges = new ArrayList<>();
      for (String line : Files.readAllLines(mergesFile, StandardCharsets.UTF_8)) {
        if (line.startsWith("#version") || line.isBlank()) {
          continue;
        }
        int sp = line.indexOf(' ');
        if (sp <= 0 || sp != line.lastIndexOf(' ')) {
          throw new ModelPackException("merges.txt: a merge must be two symbols separated by one space: \"" + line
              + "\" in " + mergesFile);
        }
        merges.add(line);
      }
      Map<String, Integer> added = new HashMap<>(DEFAULT_ADDED);
      Path config = dir.resolve("tokenizer_config.json");
      if (Files.isRegularFile(config)) {
        JsonObject c = JsonParser.parseString(Files.readString(config, StandardCharsets.UTF_8)).getAsJsonObject();
        if (c.has("added_tokens_decoder")) {
          added.clear();
          for (Map.Entry<String, JsonElement> e : c.getAsJsonObject("added_tokens_decoder").entrySet()) {
            added.put(e.getValue().getAsJsonObject().get("content").getAsString(), Integer.parseInt(e.getKey()));
          }
        }
      }
      return new Qwen2Tokenizer(vocab, merges, added);
    } catch (IOException e) {
      throw new ModelPackException("cannot read the tokenizer in " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (e instanceof ModelPackException) {
        throw e;
      }
      throw new ModelPackException("malformed tokenizer files in " + dir + ": " + e, e);
    }
  }

  /** The id of an added token or vocabulary entry, e.g. {@code <|im_start|>}; -1 when absent. */
  public int tokenId(String token) {
    Integer id = added.get(token);
    if (id == null) {
      id = vocab.get(token);
    }
    return id == null ? -1 : id;
  }

  /**
   * Encodes text to ids: NFC, added tokens matched verbatim, the rest byte-level BPE.
   *
   * @throws IllegalArgumentException if a symbol is missing from the vocabulary (a broken vocab)
   */
  public int[] encode(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFC);
    IntList out = new IntList(s.length() + 8);
    int start = 0;
    int i = 0;
    while (i < s.length()) {
      String special = addedAt(s, i);
      if (special != null) {
        encodeOrdinary(s.substring(start, i), out);
        out.add(added.get(special));
        i += special.length();
        start = i;
      } else {
        i++;
      }
    }
    encodeOrdinary(s.substring(start), out);
    return out.toArray();
  }

  /** Decodes ids back to text; byte sequences that are not valid UTF-8 become U+FFFD. */
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int id : ids) {
      String tok = id >= 0 && id < idToToken.length ? idToToken[id] : null;
      if (tok == null) {
        throw new IllegalArgumentException("unknown token id " + id);
      }
      if (added.containsKey(tok)) {
        sb.append(bytes.toString(StandardCharsets.UTF_8));
        bytes.reset();
        sb.append(tok);
        continue;
      }
      for (int k = 0; k < tok.length(); k++) {
        char c = tok.charAt(k);
        int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
        if (b < 0) {
          throw new IllegalArgumentException("token " + id + " holds a character outside the byte alphabet");
        }
        bytes.write(b);
      }
    }
    sb.append(bytes.toString(StandardCharsets.UTF_8));
    return sb.toString();
  }

  private String addedAt(String s, int i) {
    for (String t : addedByLength) {
      if (s.startsWith(t, i)) {
        return t;
      }
    }
    return null;
  }

  private void encodeOrdinary(String text, IntList out) {
    if (text.isEmpty()) {
      return;
    }
    Matcher m = PRETOKENIZE.matcher(text);
    while (m.find()) {
      out.addAll(encodePiece(m.group()));
    }
  }

  /** The ids of one pre-token (through the word cache). */
  int[] encodePiece(String piece) {
    int[] ids;
    synchronized (wordCache) {
      ids = wordCache.get(piece);
    }
    if (ids == null) {
      ids = bpe(piece);
      synchronized (wordCache) {
        wordCache.put(piece, ids);
      }
    }
    return ids;
  }

  /** BPE on one pre-token: its UTF-8 bytes as byte-level symbols, merged by rank. */
  private int[] bpe(String piece) {
    byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
    List<String> symbols = new ArrayList<>(utf8.length);
    for (byte b : utf8) {
      symbols.add(String.valueOf(BYTE_TO_CHAR[b & 0xFF]));
    }
    while (symbols.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      int best = -1;
      for (int k = 0; k + 1 < symbols.size(); k++) {
        Integer r = mergeRanks.get(symbols.get(k) + " " + symbols.get(k + 1));
        if (r != null && r < bestRank) {
          bestRank = r;
          best = k;
        }
      }
      if (best < 0) {
        break;
      }
      // Merge every occurrence of the best pair, left to right, as the reference BPE does.
      String a = symbols.get(best);
      String b = symbols.get(best + 1);
      List<String> merged = new ArrayList<>(symbols.size() - 1);
      int k = 0;
      while (k < symbols.size()) {
        if (k + 1 < symbols.size() && symbols.get(k).equals(a) && symbols.get(k + 1).equals(b)) {
          merged.add(a + b);
          k += 2;
        } else {
          merged.add(symbols.get(k));
          k++;
        }
      }
      symbols = merged;
    }
    int[] ids = new int[symbols.size()];
    for (int k = 0; k < ids.length; k++) {
      Integer id = vocab.get(symbols.get(k));
      if (id == null) {
        throw new IllegalArgumentException("symbol \"" + symbols.get(k) + "\" of \"" + piece
            + "\" is not in vocab.json (a byte-level vocabulary must hold all 256 byte symbols)");
      }
      ids[k] = id;
    }
    return ids;
  }

  /** The byte-level stand-in character of a byte (for tests and vocab builders). */
  static char byteChar(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** A growable int array, to keep encoding free of boxing. */
  static final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
      a = new int[Math.max(4, capacity)];
    }

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }

    void addAll(int[] vs) {
      for (int v : vs) {
        add(v);
      }
    }

    int[] toArray() {
      return Arrays.copyOf(a, n);
    }

    int size() {
      return n;
    }

    int get(int i) {
      if (i >= n) {
        throw new IndexOutOfBoundsException(i);
      }
      return a[i];
    }
  }

  @Override
  public String toString() {
    return "Qwen2Tokenizer{vocab=" + vocab.size() + ", merges=" + mergeRanks.size() + ", added=" + added.size() + "}";
  }

}
