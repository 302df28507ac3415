package dev.ventriloquist.runtime.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.api.MisuseException;

class LineKeyTest {
  private static LineKey.Builder base() {
    return LineKey.builder().backend("pack-a").promptHash("p1").text("Hello there.").language("english")
        .sampling("t=0.9").seed(7);
  }

  @Test
  void sameFieldsGiveTheSameKey() {
    assertEquals(base().build(), base().build());
    assertEquals(base().build().hex(), base().build().hex());
  }

  @Test
  void everyFieldThatChangesTheAudioChangesTheKey() {
    List<UnaryOperator<LineKey.Builder>> changes = List.of(
        b -> b.backend("pack-b"),
        b -> b.promptHash("p2"),
        b -> b.text("Hello there!"),
        b -> b.language("german"),
        b -> b.sampling("t=0.8"),
        b -> b.seed(8),
        b -> b.seed(OptionalLong.empty()),
        b -> b.engineFormatVersion(2));
    Set<String> seen = new HashSet<>();
    seen.add(base().build().hex());
    for (UnaryOperator<LineKey.Builder> change : changes) {
      seen.add(change.apply(base()).build().hex());
    }
    assertEquals(changes.size() + 1, seen.size());
  }

  @Test
  void fieldBoundariesAreUnambiguous() {
    LineKey a = base().backend("ab").promptHash("c").build();
    LineKey b = base().backend("a").promptHash("bc").build();
    assertNotEquals(a, b);
  }

  @Test
  void textIsNormalizedAndLanguageIsCaseInsensitive() {
    LineKey raw = base().text("  Caf\u0065\u0301\t is\n\nopen ").language(" English").build();
    LineKey normal = base().text("Caf\u00e9 is open").language("english").build();
    assertEquals(normal, raw);
    assertEquals("Caf\u00e9 is open", raw.text());
  }

  @Test
  void missingFieldsAreMisuse() {
    assertThrows(MisuseException.class, () -> LineKey.builder().promptHash("p").text("t").language("l").build());
    assertThrows(MisuseException.class, () -> base().text("   ").build());
  }
}
