package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class DemoOptionsTest {
  @Test
  void defaultsRunOutOfTheBoxWithTheEmbeddedVoice() {
    DemoOptions o = DemoOptions.parse();
    assertNull(o.model());
    assertNull(o.cache());
    assertNull(o.screenshot());
    assertEquals(2f, o.after());
    assertTrue(o.assets().resolve("map/village.json").toFile().isFile(), "assets found from " + Path.of("")
        .toAbsolutePath());
  }

  @Test
  void parsesEveryOption() {
    DemoOptions o = DemoOptions.parse("--model", "models/q", "--cache", "c", "--walk", "w.walk", "--screenshot",
        "s.png", "--after", "3.5", "--silent", "--size", "640x360");
    assertEquals(Path.of("models/q"), o.model());
    assertEquals(Path.of("c"), o.cache());
    assertEquals(Path.of("w.walk"), o.walk());
    assertEquals(Path.of("s.png"), o.screenshot());
    assertEquals(3.5f, o.after());
    assertTrue(o.silent());
    assertEquals(640, o.width());
    assertEquals(360, o.height());
  }

  @Test
  void mistakesAreExplained() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse("--modle", "x"))
        .getMessage().startsWith("unknown option \"--modle\""));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse("--after", "soon"))
        .getMessage().contains("seconds"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse("--cache"))
        .getMessage().contains("--cache needs a value"));
  }
}
