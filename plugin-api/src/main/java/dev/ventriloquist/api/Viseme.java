package dev.ventriloquist.api;

/**
 * A mouth shape, as lip-sync reports it from the sound of a line (not from its text, so it works in any language).
 *
 * <p>The set is a subset of the 15 Oculus/OpenXR visemes, named like them, plus silence. The six Oculus consonant
 * shapes not in it ({@code TH, DD, kk, CH, nn, RR}) are made with the tongue and cannot be told apart reliably from
 * the spectrum alone; frames of those sounds come out as the nearest shape here. A game that has the full Oculus set
 * uses {@link #oculusName()} as the blend-shape name; one with fewer mouth drawings maps these nine onto its own.
 *
 * <table>
 *   <caption>Visemes and the sounds they stand for</caption>
 *   <tr><th>viseme</th><th>sounds</th><th>mouth</th></tr>
 *   <tr><td>{@link #SIL}</td><td>silence, pauses</td><td>closed, at rest</td></tr>
 *   <tr><td>{@link #PP}</td><td>m, b, p (quiet voiced murmur)</td><td>lips pressed</td></tr>
 *   <tr><td>{@link #FF}</td><td>f, v, th (weak hiss)</td><td>lower lip under teeth</td></tr>
 *   <tr><td>{@link #SS}</td><td>s, z, sh, ch (strong hiss)</td><td>teeth together, lips apart</td></tr>
 *   <tr><td>{@link #AA}</td><td>a as in "father", "cat"</td><td>wide open</td></tr>
 *   <tr><td>{@link #E}</td><td>e as in "bed", schwa</td><td>half open, spread</td></tr>
 *   <tr><td>{@link #IH}</td><td>i as in "see", "sit"</td><td>nearly closed, spread</td></tr>
 *   <tr><td>{@link #OH}</td><td>o as in "go", "saw"</td><td>half open, rounded</td></tr>
 *   <tr><td>{@link #OU}</td><td>u as in "blue", w</td><td>small, rounded</td></tr>
 * </table>
 */
public enum Viseme {
  SIL("sil"),
  PP("PP"),
  FF("FF"),
  SS("SS"),
  AA("aa"),
  E("E"),
  IH("ih"),
  OH("oh"),
  OU("ou");

  private static final Viseme[] VALUES = values();

  private final String oculusName;

  Viseme(String oculusName) {
    this.oculusName = oculusName;
  }

  /** The Oculus/OpenXR viseme name ({@code sil, PP, FF, SS, aa, E, ih, oh, ou}); also the name in JSON tracks. */
  public String oculusName() {
    return oculusName;
  }

  /** The viseme with this {@link #oculusName()} (case-sensitive, as Oculus spells them). */
  public static Viseme ofOculusName(String name) {
    for (Viseme v : VALUES) {
      if (v.oculusName.equals(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException("no viseme named \"" + name + "\" (known: sil PP FF SS aa E ih oh ou)");
  }

  /** The viseme with this {@link #ordinal()}; a stable code, used in files. */
  public static Viseme ofCode(int code) {
    if (code < 0 || code >= VALUES.length) {
      throw new IllegalArgumentException("viseme code " + code + " is out of range 0.." + (VALUES.length - 1));
    }
    return VALUES[code];
  }
}
